package org.draglora.engine.unet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import org.draglora.engine.testing.Fixtures;
import org.draglora.engine.weights.LoadReport;
import org.draglora.engine.weights.ShapeOnlySource;
import org.draglora.engine.weights.WeightScope;
import org.junit.jupiter.api.Test;

/**
 * The full-size SD 1.5 UNet built shape-only from the real checkpoint's key list (fixture
 * {@code sd15-keys/unet.diffusers.tsv}, 686 tensors) consumes exactly those keys with exactly
 * those shapes, so a real checkpoint loads strictly without any weights being needed here.
 */
class UNetKeySetTest {

    private static List<String> keyList() throws Exception {
        return Files.readAllLines(Fixtures.path("sd15-keys/unet.diffusers.tsv"), StandardCharsets.UTF_8);
    }

    private static UNet2DConditionConfig config() throws Exception {
        return UNet2DConditionConfig.fromJson(
                new ObjectMapper().readTree(Fixtures.path("sd15-keys/configs.json").toFile()).get("unet"));
    }

    private static LoadReport build(List<String> lines) throws Exception {
        WeightScope w = WeightScope.shapesOnly(ShapeOnlySource.parse("unet.diffusers.tsv", lines));
        new UNet2DConditionModel(w, config());
        return w.report();
    }

    @Test
    void fullSizeUNetConsumesExactlyTheCheckpointKeys() throws Exception {
        LoadReport report = build(keyList());
        assertTrue(report.ok(), report.details(20));
        assertEquals(686, report.consumed());
        assertEquals(UNet2DConditionConfig.sd15(), config());
    }

    @Test
    void aMissingAndAMisShapedKeyAreNamed() throws Exception {
        List<String> lines = new ArrayList<>(keyList());
        lines.removeIf(l -> l.startsWith("mid_block.attentions.0.proj_out.bias\t"));
        lines.replaceAll(l -> l.startsWith("conv_in.weight\t") ? "conv_in.weight\t320x9x3x3" : l);
        lines.add("up_blocks.0.attentions.0.norm.weight\t1280");
        LoadReport report = build(lines);
        assertEquals(List.of("mid_block.attentions.0.proj_out.bias (1280)"), report.missing());
        assertEquals(List.of("up_blocks.0.attentions.0.norm.weight"), report.unexpected());
        assertEquals(List.of("conv_in.weight: checkpoint 320x9x3x3, model 320x4x3x3"), report.misShaped());
    }

    @Test
    void fullSizeUNetHasTheReferenceAttentionLayout() throws Exception {
        WeightScope w = WeightScope.shapesOnly(ShapeOnlySource.parse("unet.diffusers.tsv", keyList()));
        UNet2DConditionModel unet = new UNet2DConditionModel(w, config());
        assertEquals(32, unet.attentions().size());
        assertEquals(128, unet.loraTargets().size());
        List<String> self = unet.selfAttentionPaths();
        assertEquals(16, self.size());
        // ALGORITHM.md §1.3: self-attention index 10..15 = up_blocks.2 and up_blocks.3
        assertEquals("up_blocks.2.attentions.0.transformer_blocks.0.attn1", self.get(10));
        assertEquals("up_blocks.3.attentions.2.transformer_blocks.0.attn1", self.get(15));
        assertEquals("mid_block.attentions.0.transformer_blocks.0.attn1", self.get(6));
    }
}
