package org.draglora.engine.clip;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import org.draglora.engine.testing.Fixtures;
import org.draglora.engine.weights.LoadReport;
import org.draglora.engine.weights.ShapeOnlySource;
import org.draglora.engine.weights.WeightScope;
import org.junit.jupiter.api.Test;

/** The full-size SD 1.5 text encoder, built shape-only, against transformers' key list ({@code sd15-keys}). */
class CLIPTextKeySetTest {

    private static final String KEYS = "sd15-keys/text_encoder.transformers.tsv";

    private static LoadReport build(ShapeOnlySource source) {
        WeightScope w = WeightScope.shapesOnly(source, CLIPTextModel.IGNORABLE_KEYS);
        new CLIPTextModel(w, CLIPTextConfig.sd15());
        return w.report();
    }

    @Test
    void fullSizeTextEncoderConsumesExactlyTheTransformersKeys() throws Exception {
        LoadReport report = build(ShapeOnlySource.read(Fixtures.path(KEYS)));
        assertTrue(report.ok(), report.details(20));
        assertEquals(196, report.consumed());
    }

    @Test
    void thePositionIdsBufferIsAccepted() throws Exception {
        List<String> lines = new ArrayList<>(Files.readAllLines(Fixtures.path(KEYS), StandardCharsets.UTF_8));
        lines.add("text_model.embeddings.position_ids\t1x77");
        LoadReport report = build(ShapeOnlySource.parse("text encoder with position_ids", lines));
        assertTrue(report.ok(), report.details(20));
        assertEquals(196, report.consumed());
    }

    @Test
    void aMissingLayerIsNamed() throws Exception {
        List<String> lines = new ArrayList<>();
        for (String line : Files.readAllLines(Fixtures.path(KEYS), StandardCharsets.UTF_8)) {
            if (!line.startsWith("text_model.encoder.layers.11.mlp.fc2.weight\t")) {
                lines.add(line);
            }
        }
        LoadReport report = build(ShapeOnlySource.parse("text encoder without one key", lines));
        assertEquals(List.of("text_model.encoder.layers.11.mlp.fc2.weight (768x3072)"), report.missing());
    }
}
