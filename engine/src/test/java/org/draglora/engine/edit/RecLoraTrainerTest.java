package org.draglora.engine.edit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.nio.file.Path;
import org.draglora.engine.lora.LoraSet;
import org.draglora.engine.runtime.EngineRuntime;
import org.draglora.engine.testing.FixtureModels;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** RecLoRA fitting on the tiny fixture models: it learns, it is deterministic, the cache returns it. */
class RecLoraTrainerTest {

    private static EngineRuntime rt;
    private static EditModel model;

    @BeforeAll
    static void load() throws Exception {
        rt = EngineRuntime.cpu();
        model = FixtureModels.tinyEditModel(rt);
    }

    @AfterAll
    static void close() {
        model.close();
    }

    static NDArray image(NDManager m) {
        // a 64x64 image: smooth gradients plus a bright square, in [-1, 1]
        float[] v = new float[3 * 64 * 64];
        for (int c = 0; c < 3; c++) {
            for (int y = 0; y < 64; y++) {
                for (int x = 0; x < 64; x++) {
                    boolean square = x > 20 && x < 40 && y > 16 && y < 36;
                    v[(c * 64 + y) * 64 + x] = square ? 0.9f - 0.3f * c : (x + y) / 64f - 1f + 0.2f * c;
                }
            }
        }
        return org.draglora.engine.nn.Ops.owned(m.create(v, new Shape(1, 3, 64, 64)));
    }

    private static double[] fit(NDManager m, int steps, long seed) {
        NDArray text = new RandomStream(99).gaussian(m, new Shape(1, 77, 32), RandomStream.Purpose.DDS_NOISE, 0);
        RecLoraTrainer t = new RecLoraTrainer(model, image(m), text, new RecLoraSettings(4, steps, 1e-2, 1e-2, 2),
                new RandomStream(seed), m);
        double[] losses = new double[steps];
        for (int i = 0; i < steps; i++) {
            losses[i] = t.step();
        }
        assertTrue(t.done());
        return losses;
    }

    @Test
    void lossFallsAndTheSameSeedGivesTheSameRun() {
        try (NDManager m = rt.newManager()) {
            double[] a = fit(m, 24, 5);
            double first = (a[0] + a[1] + a[2] + a[3]) / 4;
            double last = (a[20] + a[21] + a[22] + a[23]) / 4;
            assertTrue(last < 0.8 * first, "loss should fall: first " + first + ", last " + last);
            assertArrayEquals(a, fit(m, 24, 5), 0.0, "same seed, same losses");
        }
    }

    @Test
    void cacheRoundTripsTheFittedLora(@TempDir Path dir) throws Exception {
        try (NDManager m = rt.newManager()) {
            NDArray text = new RandomStream(1).gaussian(m, new Shape(1, 77, 32), RandomStream.Purpose.DDS_NOISE, 0);
            RecLoraTrainer t = new RecLoraTrainer(model, image(m), text, new RecLoraSettings(4, 2, 1e-2, 1e-2, 1),
                    new RandomStream(3), m);
            t.step();
            t.step();
            RecLoraCache cache = new RecLoraCache(dir);
            byte[] rgb = new byte[64 * 64 * 3];
            String key = RecLoraCache.key(model.fingerprint(), rgb, 64, 64, "a cat", RecLoraSettings.reference(), 3);
            assertTrue(cache.load(key, model.unet(), m).isEmpty());
            cache.store(key, t.lora());
            LoraSet back = cache.load(key, model.unet(), m).orElseThrow();
            assertEquals(t.lora().size(), back.size());
            String first = t.lora().adapters().keySet().iterator().next();
            assertArrayEquals(t.lora().adapters().get(first).up().toFloatArray(),
                    back.adapters().get(first).up().toFloatArray(), 0f);
            String other = RecLoraCache.key(model.fingerprint(), rgb, 64, 64, "a dog", RecLoraSettings.reference(), 3);
            assertTrue(!other.equals(key), "the prompt is part of the key");
        }
    }
}
