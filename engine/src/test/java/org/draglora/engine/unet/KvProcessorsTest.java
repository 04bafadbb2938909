package org.draglora.engine.unet;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.draglora.engine.runtime.EngineRuntime;
import org.draglora.engine.testing.FixtureModels;
import org.draglora.engine.testing.Fixtures;
import org.draglora.engine.testing.Tensors;
import org.draglora.engine.weights.SafetensorsFile;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * K/V capture and injection in chosen self-attention layers (the mutual self-attention of the
 * final denoising, ALGORITHM.md §9), on the tiny UNet whose layout has the same 16 self-attention
 * layers as SD 1.5.
 */
class KvProcessorsTest {

    private static NDManager manager;
    private static UNet2DConditionModel unet;
    private static SafetensorsFile inputs;

    @BeforeAll
    static void load() throws Exception {
        EngineRuntime rt = EngineRuntime.cpu();
        manager = rt.newManager();
        unet = FixtureModels.tinyUnet(rt);
        inputs = Fixtures.open("unet-tiny/inputs.safetensors");
    }

    @AfterAll
    static void close() throws Exception {
        unet.close();
        manager.close();
        inputs.close();
    }

    private static Map<String, AttnProcessor> on(List<String> paths, AttnProcessor p) {
        Map<String, AttnProcessor> m = new HashMap<>();
        paths.forEach(path -> m.put(path, p));
        return m;
    }

    private float[] eps(NDManager m, NDArray sample, ForwardContext ctx) {
        return unet.forward(sample, 981, Tensors.load(m, inputs, "encoder_hidden_states"), ctx).sample().toFloatArray();
    }

    @Test
    void injectingAPassOwnKeysAndValuesChangesNothing() {
        try (NDManager m = manager.newSubManager()) {
            List<String> layers = unet.selfAttentionPaths().subList(10, 16);
            NDArray a = Tensors.load(m, inputs, "sample");
            KvStore store = new KvStore(m);
            float[] captured = eps(m, a, ForwardContext.DEFAULT.withProcessors(on(layers, new KvCaptureProcessor(store))));
            assertEquals(layers, List.copyOf(store.paths()));
            float[] plain = eps(m, a, ForwardContext.DEFAULT);
            assertArrayEquals(plain, captured, 0f, "capturing must not change the output");
            float[] injected = eps(m, a, ForwardContext.DEFAULT.withProcessors(on(layers, new KvInjectProcessor(store))));
            assertArrayEquals(plain, injected, 1e-6f);
        }
    }

    @Test
    void injectedKeysAndValuesFromAnotherInputSteerTheChosenLayersOnly() {
        try (NDManager m = manager.newSubManager()) {
            List<String> layers = unet.selfAttentionPaths().subList(10, 16);
            NDArray a = Tensors.load(m, inputs, "sample");
            NDArray b = a.flip(3);
            KvStore store = new KvStore(m);
            eps(m, a, ForwardContext.DEFAULT.withProcessors(on(layers, new KvCaptureProcessor(store))));
            float[] plainB = eps(m, b, ForwardContext.DEFAULT);
            float[] steeredB = eps(m, b, ForwardContext.DEFAULT.withProcessors(on(layers, new KvInjectProcessor(store))));
            assertTrue(Tensors.maxAbsDiff(plainB, steeredB) > 1e-3, "injection from A must change B's output");
            Map<String, NDArray> tapsPlain = new HashMap<>();
            Map<String, NDArray> tapsSteered = new HashMap<>();
            unet.forward(b, 981, Tensors.load(m, inputs, "encoder_hidden_states"), ForwardContext.DEFAULT.withTap(tapsPlain::put));
            unet.forward(b, 981, Tensors.load(m, inputs, "encoder_hidden_states"),
                    ForwardContext.DEFAULT.withProcessors(on(layers, new KvInjectProcessor(store))).withTap(tapsSteered::put));
            assertArrayEquals(tapsPlain.get("up_blocks.1").toFloatArray(), tapsSteered.get("up_blocks.1").toFloatArray(), 0f,
                    "layers before up_blocks.2 are untouched");
        }
    }

    @Test
    void injectionWithoutACaptureNamesTheLayer() {
        try (NDManager m = manager.newSubManager()) {
            String layer = unet.selfAttentionPaths().get(10);
            KvStore empty = new KvStore(m);
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> eps(m, Tensors.load(m, inputs, "sample"),
                    ForwardContext.DEFAULT.withProcessors(Map.of(layer, new KvInjectProcessor(empty)))));
            assertTrue(e.getMessage().contains(layer));
        }
    }
}
