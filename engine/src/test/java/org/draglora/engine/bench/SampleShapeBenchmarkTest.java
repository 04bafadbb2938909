package org.draglora.engine.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.util.List;
import org.draglora.engine.edit.EditModel;
import org.draglora.engine.model.EmbeddedModel;
import org.draglora.engine.model.ModelPath;
import org.draglora.engine.runtime.EngineRuntime;
import org.draglora.engine.shapes.BackgroundKind;
import org.draglora.engine.shapes.Scene;
import org.draglora.engine.shapes.Texture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SampleShapeBenchmarkTest {

    @Test
    void thePlainScenesComeFirstThenTheFullStreamAndEveryObjectHasItsGroups() {
        int cases = 12;
        int[] members = new int[SampleShapeBenchmark.Group.values().length];
        for (int i = 0; i < 2 * cases; i++) {
            Scene s = SampleShapeBenchmark.scene(1, i, cases);
            if (i < cases) {
                assertEquals(1, s.objects().size());
                assertEquals(BackgroundKind.FLAT, s.background().kind());
                assertEquals(List.of(SampleShapeBenchmark.Group.PLAIN), SampleShapeBenchmark.groups(s, i, cases, 0));
                continue;
            }
            for (int k = 0; k < s.objects().size(); k++) {
                List<SampleShapeBenchmark.Group> g = SampleShapeBenchmark.groups(s, i, cases, k);
                assertEquals(s.objects().get(k).texture() == Texture.SOLID ? SampleShapeBenchmark.Group.SOLID
                        : SampleShapeBenchmark.Group.TEXTURED, g.get(0), "by fill");
                assertEquals(SampleShapeBenchmark.Group.values()[SampleShapeBenchmark.Group.ONE_OBJECT.ordinal()
                        + s.objects().size() - 1], g.get(1), "by the scene's object count");
                g.forEach(x -> members[x.ordinal()]++);
            }
        }
        for (SampleShapeBenchmark.Group g : SampleShapeBenchmark.Group.values()) {
            assertTrue(g == SampleShapeBenchmark.Group.PLAIN || members[g.ordinal()] > 0, g + " has members among 12 scenes");
        }
        assertEquals(members[SampleShapeBenchmark.Group.SOLID.ordinal()] + members[SampleShapeBenchmark.Group.TEXTURED.ordinal()],
                members[SampleShapeBenchmark.Group.ONE_OBJECT.ordinal()] + members[SampleShapeBenchmark.Group.TWO_OBJECTS.ordinal()]
                        + members[SampleShapeBenchmark.Group.THREE_OBJECTS.ordinal()], "both splits cover the full stream");
        assertThrows(IllegalArgumentException.class, () -> new SceneCases(0, 1));
    }

    @Test
    void theEmbeddedModelsSamplesAreMeasuredAgainstTheScenesOwnShapesAndWrittenAsTableAndJson(@TempDir Path dir)
            throws Exception {
        EngineRuntime rt = EngineRuntime.cpu();
        SampleShapeBenchmark.Result r;
        StringBuilder progress = new StringBuilder();
        try (EditModel model = EditModel.load(ModelPath.of(EmbeddedModel.require()), rt)) {
            r = SampleShapeBenchmark.run(model, new SceneCases(2, 1), rt, p -> progress.append(p).append('\n'));
        }
        assertTrue(progress.toString().contains("scene 4/4"), progress.toString());
        SampleShapeBenchmark.Tally plainScenes = r.scenes()[SampleShapeBenchmark.Group.PLAIN.ordinal()];
        assertEquals(2, plainScenes.objects());
        assertEquals(1.0, plainScenes.kindRightShare(), "a rendered plain scene is its own prompt's shape");
        assertTrue(plainScenes.meanIou() > 0.85, "IoU " + plainScenes.meanIou());
        for (SampleShapeBenchmark.Group g : SampleShapeBenchmark.Group.values()) {
            SampleShapeBenchmark.Tally s = r.samples()[g.ordinal()];
            assertEquals(r.scenes()[g.ordinal()].objects(), s.objects(), "every prompted object is looked for in the sample");
            assertTrue(s.objects() == 0 || s.meanIou() >= 0 && s.meanIou() <= 1, g + ": " + s);
        }
        String table = r.toMarkdown();
        assertTrue(table.contains("| plain scenes (one solid object, flat background) | 2 |"), table);
        Path json = dir.resolve("samples.json");
        r.writeJson(json);
        JsonNode root = new ObjectMapper().readTree(json.toFile());
        assertEquals(2, root.get("cases").asInt());
        assertEquals(1.0, root.get("groups").get("plain").get("scene_kind_right").asDouble());
        assertEquals(r.samples()[0].kindRightShare(), root.get("groups").get("plain").get("kind_right").asDouble());
        assertTrue(table.contains("| full stream, scenes of one object |"), table);
        assertEquals(r.scenes()[SampleShapeBenchmark.Group.SOLID.ordinal()].objects()
                + r.scenes()[SampleShapeBenchmark.Group.TEXTURED.ordinal()].objects(),
                root.get("groups").get("one_object").get("objects").asInt() + root.get("groups").get("two_objects").get("objects")
                        .asInt() + root.get("groups").get("three_objects").get("objects").asInt(), "the count split covers the stream");
    }
}
