package org.draglora.engine.drag;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import java.util.Random;
import org.draglora.engine.runtime.EngineRuntime;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The sum-reduced background loss of ALGORITHM.md §5.4. */
class MaskLossTest {

    private NDManager manager;

    @BeforeEach
    void start() {
        manager = EngineRuntime.cpu().newManager();
    }

    @AfterEach
    void close() {
        manager.close();
    }

    private static float[] random(int n, long seed) {
        Random r = new Random(seed);
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) r.nextGaussian();
        }
        return v;
    }

    @Test
    void isLambdaTimesTheSumOutsideTheMaskWithItsGradient() {
        int n = 4 * 3 * 5;
        float[] z = random(n, 1);
        float[] z0 = random(n, 2);
        float[] m = new float[15];
        for (int i = 0; i < m.length; i++) {
            m[i] = i % 3 == 0 ? 1 : 0;
        }
        NDArray zPrev = manager.create(z, new Shape(1, 4, 3, 5));
        zPrev.setRequiresGradient(true);
        NDArray mask = manager.create(m, new Shape(1, 1, 3, 5));
        double want = 0;
        float[] wantGrad = new float[n];
        for (int i = 0; i < n; i++) {
            double keep = 1 - m[i % 15];
            want += Math.abs(z[i] - z0[i]) * keep;
            wantGrad[i] = (float) (0.1 * Math.signum(z[i] - z0[i]) * keep);
        }
        want *= 0.1;
        try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
            NDArray loss = MaskLoss.compute(zPrev, manager.create(z0, new Shape(1, 4, 3, 5)), mask);
            assertEquals(new Shape(), loss.getShape());
            assertEquals(want, loss.getFloat(), 1e-5, "a sum over all elements, not a mean");
            gc.backward(loss);
        }
        assertArrayEquals(wantGrad, zPrev.getGradient().toFloatArray(), 1e-7f);
        NDArray weighted = MaskLoss.compute(zPrev, manager.create(z0, new Shape(1, 4, 3, 5)), mask, 2.5);
        assertEquals(want * 25, weighted.getFloat(), 1e-4);
    }

    @Test
    void emptyMaskGivesAConstantZero() {
        NDArray zPrev = manager.create(random(16, 3), new Shape(1, 4, 2, 2));
        NDArray empty = manager.zeros(new Shape(1, 1, 2, 2));
        assertTrue(MaskLoss.isEmpty(empty));
        assertFalse(MaskLoss.isEmpty(manager.ones(new Shape(1, 1, 2, 2))));
        zPrev.setRequiresGradient(true);
        try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
            NDArray loss = MaskLoss.compute(zPrev, manager.create(random(16, 4), new Shape(1, 4, 2, 2)), empty);
            assertEquals(new Shape(), loss.getShape());
            assertEquals(0f, loss.getFloat());
            // a fresh constant: adding it to a real loss leaves that loss's gradient alone
            gc.backward(zPrev.sum().add(loss));
        }
        assertArrayEquals(new float[16], zPrev.getGradient().sub(1).toFloatArray());
    }

    @Test
    void leavesNoArraysInTheCallersManagerBesidesTheResult() {
        NDArray zPrev = manager.create(random(16, 5), new Shape(1, 4, 2, 2));
        NDArray zPrev0 = manager.create(random(16, 6), new Shape(1, 4, 2, 2));
        NDArray mask = manager.create(new float[] {1, 0, 0, 1}, new Shape(1, 1, 2, 2));
        int before = manager.getManagedArrays().size();
        MaskLoss.compute(zPrev, zPrev0, mask);
        assertEquals(before + 1, manager.getManagedArrays().size());
    }

    @Test
    void badInputsAreRejected() {
        NDArray a = manager.zeros(new Shape(1, 4, 2, 2));
        NDArray m = manager.ones(new Shape(1, 1, 2, 2));
        NDArray other = manager.zeros(new Shape(1, 4, 2, 3));
        assertThrows(IllegalArgumentException.class, () -> MaskLoss.compute(a, other, m));
        assertThrows(IllegalArgumentException.class, () -> MaskLoss.compute(a, a, m, -0.1));
    }
}
