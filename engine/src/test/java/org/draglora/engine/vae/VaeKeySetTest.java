package org.draglora.engine.vae;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.draglora.engine.testing.Fixtures;
import org.draglora.engine.weights.LoadReport;
import org.draglora.engine.weights.ShapeOnlySource;
import org.draglora.engine.weights.WeightScope;
import org.junit.jupiter.api.Test;

/** The full-size SD 1.5 VAE, built shape-only, against diffusers' key list ({@code sd15-keys}). */
class VaeKeySetTest {

    private static final String KEYS = "sd15-keys/vae.diffusers.tsv";

    private static LoadReport build(ShapeOnlySource source) {
        WeightScope w = WeightScope.shapesOnly(source);
        new AutoencoderKL(w, AutoencoderKLConfig.sd15());
        return w.report();
    }

    private static List<String> lines() throws Exception {
        return Files.readAllLines(Fixtures.path(KEYS), StandardCharsets.UTF_8);
    }

    @Test
    void sd15ConfigOfTheFixtureEqualsThePreset() throws Exception {
        Path configs = Fixtures.path("sd15-keys/configs.json");
        AutoencoderKLConfig parsed =
                AutoencoderKLConfig.fromJson(new ObjectMapper().readTree(configs.toFile()).get("vae"));
        assertEquals(AutoencoderKLConfig.sd15(), parsed);
    }

    @Test
    void fullSizeVaeConsumesExactlyTheDiffusersKeys() throws Exception {
        LoadReport report = build(ShapeOnlySource.read(Fixtures.path(KEYS)));
        assertTrue(report.ok(), report.details(20));
        assertEquals(248, report.consumed());
    }

    @Test
    void aMissingKeyIsNamed() throws Exception {
        String key = "decoder.up_blocks.1.resnets.2.conv2.bias";
        List<String> kept = new ArrayList<>();
        for (String line : lines()) {
            if (!line.startsWith(key + "\t")) {
                kept.add(line);
            }
        }
        assertEquals(247, kept.size());
        LoadReport report = build(ShapeOnlySource.parse("vae without one key", kept));
        assertFalse(report.ok());
        assertEquals(List.of(key + " (512)"), report.missing());
    }

    @Test
    void aWrongShapeIsNamed() throws Exception {
        String key = "encoder.mid_block.attentions.0.to_q.weight";
        List<String> changed = new ArrayList<>();
        for (String line : lines()) {
            changed.add(line.startsWith(key + "\t") ? key + "\t512x256" : line);
        }
        LoadReport report = build(ShapeOnlySource.parse("vae with one wrong shape", changed));
        assertFalse(report.ok());
        assertEquals(1, report.misShaped().size());
        assertTrue(report.misShaped().get(0).startsWith(key + ":"), report.details(5));
        assertTrue(report.missing().isEmpty() && report.unexpected().isEmpty(), report.details(5));
    }

    @Test
    void anExtraKeyIsNamed() throws Exception {
        List<String> extended = new ArrayList<>(lines());
        extended.add("encoder.mid_block.attentions.0.query.weight\t512x512");
        LoadReport report = build(ShapeOnlySource.parse("vae with a legacy key", extended));
        assertEquals(List.of("encoder.mid_block.attentions.0.query.weight"), report.unexpected());
    }
}
