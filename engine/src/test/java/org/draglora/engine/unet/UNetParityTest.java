package org.draglora.engine.unet;

import static org.draglora.engine.testing.Tensors.assertMatchesFixture;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.HashMap;
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
 * The UNet against fixture {@code unet-tiny}: diffusers' {@code UNet2DConditionModel(sample,
 * timesteps, encoder_hidden_states).sample} and its intermediates, tiny SD 1.5 layout.
 */
class UNetParityTest {

    private static NDManager manager;
    private static UNet2DConditionModel unet;
    private static SafetensorsFile inputs;
    private static SafetensorsFile expected;

    @BeforeAll
    static void load() throws Exception {
        EngineRuntime rt = EngineRuntime.cpu();
        manager = rt.newManager();
        unet = FixtureModels.tinyUnet(rt);
        inputs = Fixtures.open("unet-tiny/inputs.safetensors");
        expected = Fixtures.open("unet-tiny/expected.safetensors");
    }

    @AfterAll
    static void close() throws Exception {
        unet.close();
        manager.close();
        inputs.close();
        expected.close();
    }

    @Test
    void noisePredictionAndEveryIntermediateMatchDiffusers() {
        try (NDManager m = manager.newSubManager()) {
            Map<String, NDArray> taps = new HashMap<>();
            UNetOutput out = unet.forward(Tensors.load(m, inputs, "sample"), Tensors.loadLongs(m, inputs, "timesteps"),
                    Tensors.load(m, inputs, "encoder_hidden_states"), ForwardContext.DEFAULT.withTap(taps::put));
            assertMatchesFixture(expected, "eps", out.sample());
            for (String name : new String[] {"time_proj", "time_embedding", "conv_in", "down_blocks.0", "down_blocks.1",
                    "down_blocks.2", "down_blocks.3", "mid_block", "up_blocks.0", "up_blocks.1", "up_blocks.2",
                    "up_blocks.3"}) {
                assertMatchesFixture(expected, name, taps.get(name));
            }
            assertMatchesFixture(expected, "mid_block", out.midBlock());
            for (int i = 0; i < 4; i++) {
                assertMatchesFixture(expected, "up_blocks." + i, out.upBlocks().get(i));
            }
        }
    }

    @Test
    void scalarTimestepIsBroadcastToTheBatch() {
        try (NDManager m = manager.newSubManager()) {
            UNetOutput out = unet.forward(Tensors.load(m, inputs, "sample"), Tensors.loadLongs(m, inputs, "timestep_scalar"),
                    Tensors.load(m, inputs, "encoder_hidden_states"), ForwardContext.DEFAULT);
            assertMatchesFixture(expected, "eps_scalar_timestep", out.sample());
        }
    }
}
