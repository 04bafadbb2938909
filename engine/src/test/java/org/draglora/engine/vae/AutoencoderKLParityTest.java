package org.draglora.engine.vae;

import static org.draglora.engine.testing.Tensors.assertMatchesFixture;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.draglora.engine.runtime.EngineRuntime;
import org.draglora.engine.testing.Fixtures;
import org.draglora.engine.testing.Tensors;
import org.draglora.engine.weights.SafetensorsFile;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The VAE against fixture {@code vae-tiny}: diffusers' {@code AutoencoderKL.encode(image).latent_dist}
 * and {@code decode(latent).sample} with every encoder/decoder intermediate, tiny SD 1.5 layout
 * (8 groups, channels 16/16/32/32).
 */
class AutoencoderKLParityTest {

    private static final String[] ENCODER_TAPS = {"encoder.conv_in", "encoder.down_blocks.0", "encoder.down_blocks.1",
        "encoder.down_blocks.2", "encoder.down_blocks.3", "encoder.mid_block", "encoder"};
    private static final String[] DECODER_TAPS = {"post_quant_conv", "decoder.conv_in", "decoder.mid_block",
        "decoder.up_blocks.0", "decoder.up_blocks.1", "decoder.up_blocks.2", "decoder.up_blocks.3"};

    private static NDManager manager;
    private static AutoencoderKL vae;
    private static SafetensorsFile inputs;
    private static SafetensorsFile expected;

    @BeforeAll
    static void load() throws Exception {
        EngineRuntime rt = EngineRuntime.cpu();
        manager = rt.newManager();
        try (SafetensorsFile weights = Fixtures.open("vae-tiny/diffusion_pytorch_model.safetensors")) {
            vae = AutoencoderKL.load(weights, rt.newManager(),
                    AutoencoderKLConfig.load(Fixtures.path("vae-tiny/config.json")));
        }
        inputs = Fixtures.open("vae-tiny/inputs.safetensors");
        expected = Fixtures.open("vae-tiny/expected.safetensors");
    }

    @AfterAll
    static void close() throws Exception {
        vae.close();
        manager.close();
        inputs.close();
        expected.close();
    }

    @Test
    void configIsReadFromTheFixture() {
        AutoencoderKLConfig cfg = vae.config();
        assertEquals(8, cfg.normNumGroups());
        assertEquals(List.of(16, 16, 32, 32), cfg.blockOutChannels());
        assertEquals(0.18215, cfg.scalingFactor());
    }

    @Test
    void encodeMatchesDiffusersLatentDistributionAndIntermediates() {
        try (NDManager m = manager.newSubManager()) {
            Map<String, NDArray> taps = new HashMap<>();
            LatentDistribution dist = vae.encode(Tensors.load(m, inputs, "image"), taps::put);
            assertMatchesFixture(expected, "moments", taps.get("quant_conv"));
            assertMatchesFixture(expected, "latent_mean", dist.mean());
            assertMatchesFixture(expected, "latent_logvar", dist.logvar());
            assertMatchesFixture(expected, "latent_std", dist.std());
            for (String name : ENCODER_TAPS) {
                assertMatchesFixture(expected, "enc." + name, taps.get(name));
            }
        }
    }

    @Test
    void decodeMatchesDiffusersAndIntermediates() {
        try (NDManager m = manager.newSubManager()) {
            Map<String, NDArray> taps = new HashMap<>();
            NDArray image = vae.decode(Tensors.load(m, inputs, "latent"), taps::put);
            assertMatchesFixture(expected, "decoded", image);
            for (String name : DECODER_TAPS) {
                assertMatchesFixture(expected, "dec." + name, taps.get(name));
            }
        }
    }

    @Test
    void reconstructionFromTheMeanMatchesDiffusers() {
        try (NDManager m = manager.newSubManager()) {
            NDArray mean = vae.encode(Tensors.load(m, inputs, "image")).mean();
            assertMatchesFixture(expected, "decoded_from_latent_mean", vae.decode(mean));
        }
    }

    @Test
    void scaledVariantsApplyTheScalingFactorAroundTheUnscaledCalls() {
        try (NDManager m = manager.newSubManager()) {
            NDArray image = Tensors.load(m, inputs, "image");
            NDArray mean = vae.encode(image).mean();
            NDArray scaled = vae.encodeScaled(image);
            assertTrue(scaled.allClose(mean.mul(0.18215f), 0, 0, false));
            NDArray latent = Tensors.load(m, inputs, "latent");
            assertMatchesFixture(expected, "decoded", vae.decodeScaled(latent.mul(0.18215f)));
        }
    }

    @Test
    void sampleIsMeanPlusStdTimesNoise() {
        try (NDManager m = manager.newSubManager()) {
            LatentDistribution dist = vae.encode(Tensors.load(m, inputs, "image"));
            NDArray noise = m.ones(dist.mean().getShape());
            assertTrue(dist.sample(noise).allClose(dist.mean().add(dist.std()), 0, 0, false));
        }
    }
}
