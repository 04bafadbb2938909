package org.draglora.engine.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import java.util.List;
import org.draglora.engine.runtime.EngineRuntime;
import org.junit.jupiter.api.Test;

/** AdamW against the update rule of torch.optim.AdamW, computed in doubles. */
class AdamWTest {

    @Test
    void threeStepsFollowTorchAdamW() {
        try (NDManager m = EngineRuntime.cpu().newManager()) {
            NDArray p = m.create(new float[] {1.0f, -2.0f, 0.5f});
            p.setRequiresGradient(true);
            AdamW opt = new AdamW(List.of(p), AdamW.Settings.of(0.1, 0.01), m);
            double[] ref = {1.0, -2.0, 0.5};
            double[] mm = new double[3];
            double[] vv = new double[3];
            for (int t = 1; t <= 3; t++) {
                try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                    // loss = sum(p^3): gradient 3 p^2
                    gc.backward(p.pow(3).sum());
                }
                opt.step();
                for (int i = 0; i < 3; i++) {
                    double g = 3 * ref[i] * ref[i];
                    ref[i] -= 0.1 * 0.01 * ref[i];
                    mm[i] = 0.9 * mm[i] + 0.1 * g;
                    vv[i] = 0.999 * vv[i] + 0.001 * g * g;
                    double mhat = mm[i] / (1 - Math.pow(0.9, t));
                    double denom = Math.sqrt(vv[i]) / Math.sqrt(1 - Math.pow(0.999, t)) + 1e-8;
                    ref[i] -= 0.1 * mhat / denom;
                }
                float[] got = p.toFloatArray();
                for (int i = 0; i < 3; i++) {
                    assertEquals(ref[i], got[i], 1e-5, "step " + t + " element " + i);
                }
                assertEquals(0f, p.getGradient().abs().sum().getFloat(), "gradient zeroed after the step");
            }
            assertEquals(3, opt.steps());
        }
    }

    @Test
    void badSettingsAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> AdamW.Settings.of(-1, 0));
        assertThrows(IllegalArgumentException.class, () -> new AdamW.Settings(1e-3, 0, 1.0, 0.999, 1e-8));
    }
}
