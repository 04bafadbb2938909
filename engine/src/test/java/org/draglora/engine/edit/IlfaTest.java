package org.draglora.engine.edit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.draglora.engine.runtime.EngineRuntime;
import org.draglora.engine.schedule.DdimConfig;
import org.draglora.engine.schedule.DdimScheduler;
import org.junit.jupiter.api.Test;

/** ILFA's latent update (ALGORITHM.md §6) on the SD 1.5 schedule at t = 681. */
class IlfaTest {

    private static final long T = 681;
    /** One stride of the 50-step DDIM grid below T. */
    private static final long T_PREV = 661;
    private static final Shape SHAPE = new Shape(1, 4, 8, 8);

    private final DdimScheduler scheduler = new DdimScheduler(DdimConfig.sd15());

    @Test
    void aPerfectNoisePredictionKeepsTheImageSignalAndOnlyMixesTheNoise() {
        try (NDManager m = EngineRuntime.cpu().newManager()) {
            RandomStream r = new RandomStream(3);
            NDArray z0 = r.gaussian(m, SHAPE, RandomStream.Purpose.ILFA_NOISE, 0);
            NDArray n = r.gaussian(m, SHAPE, RandomStream.Purpose.ILFA_NOISE, 1);
            NDArray fresh = r.gaussian(m, SHAPE, RandomStream.Purpose.ILFA_NOISE, 2);
            NDArray z = scheduler.addNoise(z0, n, T);
            NDArray next = Ilfa.adapt(scheduler, n, z, fresh, null, null, T, 50);
            // with eps = the true noise: next = sqrt(abar_t) z0 + sqrt(r (1 - abar_prev)) n + sqrt(1 - r) fresh
            double a = scheduler.alphaCumprod(T);
            double aPrev = scheduler.alphaCumprod(T_PREV);
            double ratio = a / aPrev;
            NDArray expected = z0.mul((float) Math.sqrt(a)).add(n.mul((float) Math.sqrt(ratio * (1 - aPrev))))
                    .add(fresh.mul((float) Math.sqrt(1 - ratio)));
            assertArrayEquals(expected.toFloatArray(), next.toFloatArray(), 1e-5f);
            // the noise part keeps unit variance per element: r (1 - abar_prev) + (1 - r) = 1 - abar_t
            assertTrue(Math.abs(ratio * (1 - aPrev) + (1 - ratio) - (1 - a)) < 1e-12);
        }
    }

    @Test
    void outsideTheMaskTheLatentIsTheInvertedOne() {
        try (NDManager m = EngineRuntime.cpu().newManager()) {
            RandomStream r = new RandomStream(4);
            NDArray z = r.gaussian(m, SHAPE, RandomStream.Purpose.ILFA_NOISE, 0);
            NDArray eps = r.gaussian(m, SHAPE, RandomStream.Purpose.ILFA_NOISE, 1);
            NDArray fresh = r.gaussian(m, SHAPE, RandomStream.Purpose.ILFA_NOISE, 2);
            NDArray zOrig = r.gaussian(m, SHAPE, RandomStream.Purpose.ILFA_NOISE, 3);
            float[] half = new float[64];
            for (int i = 0; i < 32; i++) {
                half[i] = 1;
            }
            NDArray mask = m.create(half, new Shape(1, 1, 8, 8));
            float[] masked = Ilfa.adapt(scheduler, eps, z, fresh, mask, zOrig, T, 50).toFloatArray();
            float[] unmasked = Ilfa.adapt(scheduler, eps, z, fresh, null, null, T, 50).toFloatArray();
            float[] orig = zOrig.toFloatArray();
            for (int c = 0; c < 4; c++) {
                for (int i = 0; i < 64; i++) {
                    int k = c * 64 + i;
                    float want = i < 32 ? unmasked[k] : orig[k];
                    assertTrue(Math.abs(masked[k] - want) < 1e-6f, "element " + k);
                }
            }
        }
    }
}
