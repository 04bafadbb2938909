package org.draglora.engine.unet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import org.draglora.engine.bench.ProcessMemory;
import org.draglora.engine.lora.FusedLora;
import org.draglora.engine.lora.LoraSet;
import org.draglora.engine.runtime.EngineRuntime;
import org.draglora.engine.testing.Fixtures;
import org.draglora.engine.testing.Tensors;
import org.draglora.engine.weights.SafetensorsFile;
import org.draglora.engine.weights.WeightScope;
import org.junit.jupiter.api.Test;

/**
 * Long runs leave nothing behind: the arrays of the model's and the LoRA set's managers stay the
 * same over many forward/backward passes (every temporary lives in the step's sub-manager), and
 * resident memory stays flat.
 */
class NativeMemoryLeakTest {

    @Test
    void forwardAndBackwardStepsDoNotGrowLongLivedManagersOrMemory() throws Exception {
        EngineRuntime rt = EngineRuntime.cpu();
        try (NDManager modelManager = rt.newManager();
                NDManager sessionManager = rt.newManager();
                SafetensorsFile weights = Fixtures.open("unet-tiny/diffusion_pytorch_model.safetensors");
                SafetensorsFile inputs = Fixtures.open("unet-tiny/inputs.safetensors")) {
            UNet2DConditionModel unet = new UNet2DConditionModel(WeightScope.load(weights, modelManager),
                    UNet2DConditionConfig.load(Fixtures.path("unet-tiny/config.json")));
            LoraSet lora = LoraSet.init(unet, 4, sessionManager, 3);
            FusedLora fused = lora.fuse(unet, sessionManager);
            NDArray sample = Tensors.load(sessionManager, inputs, "sample");
            NDArray text = Tensors.load(sessionManager, inputs, "encoder_hidden_states");
            int modelArrays = modelManager.getManagedArrays().size();
            int sessionArrays = sessionManager.getManagedArrays().size();
            long rssAfterWarmup = 0;
            lora.setRequiresGradient(true);
            for (int step = 0; step < 30; step++) {
                try (NDManager stepManager = sessionManager.newSubManager()) {
                    NDArray x = sample.duplicate();
                    x.attach(stepManager);
                    try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                        NDArray eps = unet.forward(x, 981, text, ForwardContext.of(lora)).sample();
                        gc.backward(eps.square().mean());
                    }
                    unet.forward(x, 981, text, ForwardContext.of(fused)).sample().toFloatArray();
                }
                if (step == 5) {
                    rssAfterWarmup = ProcessMemory.residentMib();
                }
            }
            assertEquals(modelArrays, modelManager.getManagedArrays().size(), "arrays left in the model's manager");
            assertEquals(sessionArrays, sessionManager.getManagedArrays().size(), "arrays left in the session's manager");
            long growth = ProcessMemory.residentMib() - rssAfterWarmup;
            assertTrue(growth < 100, "resident memory grew by " + growth + " MiB over 24 steps");
        }
    }
}
