package org.draglora.engine.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.draglora.engine.runtime.EngineRuntime;
import org.draglora.engine.unet.UNet2DConditionConfig;
import org.junit.jupiter.api.Test;

/** The benchmark's bookkeeping on the tiny preset (no timing assertions: it measures, it does not judge). */
class UnetBenchmarkTest {

    @Test
    void tinyPresetProducesACompleteReport() {
        List<String> progress = new ArrayList<>();
        UnetBenchmark.Result r = UnetBenchmark.run(new UnetBenchmark.Options("tiny", 64, 4, 0, 1), EngineRuntime.cpu(),
                progress::add);
        assertEquals(2_446_788, r.parameters(), "the unet-tiny fixture has 2,446,788 parameters");
        // rank 4 on the 128 projections of the tiny layout: the size of the unet-tiny-lora fixture
        assertEquals(43_520, r.loraParameters());
        assertTrue(r.forwardMs() > 0 && r.forwardBackwardMs() > 0);
        assertTrue(r.opsPerForward() > 500, "a UNet forward is hundreds of ops, got " + r.opsPerForward());
        assertTrue(r.toMarkdown().contains("backward/forward ratio"));
        assertEquals(4, progress.size());
    }

    @Test
    void theEmbeddedModelsPresetsDifferOnlyInTheirInput() {
        UNet2DConditionConfig latent = UnetBenchmark.config("shapes");
        UNet2DConditionConfig pixel = UnetBenchmark.config("shapes-pixel");
        assertEquals(16, 64 / UnetBenchmark.downsampling("shapes"), "64x64 images, 16x16 latents");
        assertEquals(64, 64 / UnetBenchmark.downsampling("shapes-pixel"));
        assertEquals(4, latent.inChannels());
        assertEquals(3, pixel.inChannels());
        assertEquals(latent.blockOutChannels(), pixel.blockOutChannels());
        assertEquals(latent.downBlockTypes(), pixel.downBlockTypes());
        // only conv_in and conv_out change size with the channel count
        long convs = 3L * 9 * 64 + 64L * 9 * 3 + 3;
        long latentConvs = 4L * 9 * 64 + 64L * 9 * 4 + 4;
        assertEquals(UnetBenchmark.parameterCount(latent) - latentConvs,
                UnetBenchmark.parameterCount(pixel) - convs);
    }

    @Test
    void sd15ParameterCountIsTheReal859M() {
        assertEquals(859_520_964L, UnetBenchmark.parameterCount(UNet2DConditionConfig.sd15()));
    }

    @Test
    void badOptionsAreRejectedWithTheirValue() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new UnetBenchmark.Options("sd21", 512, 16, 1, 1));
        assertTrue(e.getMessage().contains("sd21"));
        assertThrows(IllegalArgumentException.class, () -> new UnetBenchmark.Options("sd15", 100, 16, 1, 1));
    }
}
