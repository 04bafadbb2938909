package org.draglora.engine.testing;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.io.IOException;
import org.draglora.engine.runtime.EngineRuntime;
import org.draglora.engine.unet.ForwardContext;
import org.draglora.engine.unet.UNet2DConditionModel;
import org.draglora.engine.unet.UNetOutput;
import org.draglora.engine.weights.SafetensorsFile;

/**
 * The tiny fixture UNet with the inputs of fixture {@code unet-tiny-lora} (sample, timesteps,
 * encoder hidden states) and the plain model's expected outputs, for the LoRA tests.
 */
public final class TinyUnetBench implements AutoCloseable {

    private final NDManager manager;
    private final UNet2DConditionModel unet;
    private final SafetensorsFile inputs;
    private final SafetensorsFile plainExpected;

    public TinyUnetBench() throws IOException {
        EngineRuntime rt = EngineRuntime.cpu();
        manager = rt.newManager();
        unet = FixtureModels.tinyUnet(rt);
        inputs = Fixtures.open("unet-tiny-lora/inputs.safetensors");
        plainExpected = Fixtures.open("unet-tiny/expected.safetensors");
    }

    /** A manager for the test's arrays (close its sub-managers per test). */
    public NDManager manager() {
        return manager;
    }

    public UNet2DConditionModel unet() {
        return unet;
    }

    /** Fixture {@code unet-tiny-lora/inputs.safetensors}. */
    public SafetensorsFile inputs() {
        return inputs;
    }

    /** Fixture {@code unet-tiny/expected.safetensors}: the model without LoRA. */
    public SafetensorsFile plainExpected() {
        return plainExpected;
    }

    /** The fixture's sample, in {@code m}. */
    public NDArray sample(NDManager m) {
        return Tensors.load(m, inputs, "sample");
    }

    /** The UNet on {@code sample} with the fixture's timesteps and text states. */
    public UNetOutput forward(NDManager m, NDArray sample, ForwardContext ctx) {
        return unet.forward(sample, Tensors.loadLongs(m, inputs, "timesteps"),
                Tensors.load(m, inputs, "encoder_hidden_states"), ctx);
    }

    @Override
    public void close() throws Exception {
        unet.close();
        manager.close();
        inputs.close();
        plainExpected.close();
    }
}
