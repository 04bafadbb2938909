package org.draglora.engine.unet;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import java.util.ArrayList;
import java.util.List;
import org.draglora.engine.lora.LoraSet;
import org.draglora.engine.nn.Ops;
import org.draglora.engine.runtime.EngineRuntime;
import org.draglora.engine.testing.FixtureModels;
import org.junit.jupiter.api.Test;

/**
 * Gradients do not depend on when the garbage collector runs. DJL wraps Java data (and the
 * scalars of {@code mul(Number)}) in {@code from_blob} tensors whose memory dies with the Java
 * handle; if autograd kept such a tensor, a collection between forward and backward made the
 * backward read freed memory (intermittently wrong or NaN LoRA gradients). Here every backward
 * runs after a forced collection and after freed native memory was filled with NaNs, and must
 * give exactly the gradients of the first run.
 */
class AutogradLifetimeTest {

    @Test
    void loraGradientsSurviveGarbageCollectionBetweenForwardAndBackward() throws Exception {
        EngineRuntime rt = EngineRuntime.cpu();
        try (UNet2DConditionModel unet = FixtureModels.tinyUnet(rt); NDManager m = rt.newManager()) {
            NDArray x = Ops.owned(m.create(sequence(2 * 4 * 8 * 8), new Shape(2, 4, 8, 8)));
            NDArray text = Ops.owned(m.create(sequence(2 * 7 * 32), new Shape(2, 7, 32)));
            float[] reference = null;
            for (int run = 0; run < 6; run++) {
                try (NDManager s = m.newSubManager()) {
                    LoraSet lora = LoraSet.init(unet, 4, s, 1);
                    lora.parameters().forEach(p -> p.addi(0.01f));
                    lora.setRequiresGradient(true);
                    try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                        NDArray loss = unet.forward(Ops.borrow(x, s), 500, text, ForwardContext.of(lora)).sample()
                                .square().mean();
                        System.gc();
                        s.full(new Shape(1 << 20), Float.NaN).close();
                        gc.backward(loss);
                    }
                    List<Float> grads = new ArrayList<>();
                    for (NDArray p : lora.parameters()) {
                        NDArray g = p.getGradient();
                        g.attach(s);
                        grads.add(g.abs().sum().getFloat());
                    }
                    float[] now = new float[grads.size()];
                    for (int i = 0; i < now.length; i++) {
                        now[i] = grads.get(i);
                    }
                    if (reference == null) {
                        reference = now;
                    } else {
                        assertArrayEquals(reference, now, 0f, "run " + run);
                    }
                }
            }
        }
    }

    private static float[] sequence(int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) Math.sin(i * 0.37);
        }
        return v;
    }
}
