package org.draglora.engine.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.draglora.engine.edit.EditModel;
import org.draglora.engine.model.EmbeddedModel;
import org.draglora.engine.model.ModelPath;
import org.draglora.engine.runtime.EngineRuntime;
import org.draglora.engine.shapes.BackgroundKind;
import org.draglora.engine.shapes.ShapeObject;
import org.draglora.engine.shapes.Texture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PromptReadingBenchmarkTest {

    @Test
    void eachSceneIsOneSolidObjectOnAFlatBackgroundAndItsOtherPromptsChangeOneWord() {
        Set<String> swappedIn = new HashSet<>();
        for (int i = 0; i < 12; i++) {
            PromptReadingBenchmark.Case c = PromptReadingBenchmark.scene(1, i);
            assertEquals(1, c.scene().objects().size());
            ShapeObject o = c.scene().objects().get(0);
            assertEquals(BackgroundKind.FLAT, c.scene().background().kind());
            assertEquals(Texture.SOLID, o.texture());
            String[] p = c.prompts();
            assertTrue(p[0].startsWith("a " + o.fill().name() + " " + o.kind().noun() + " on ")
                    || p[0].startsWith("an " + o.fill().name() + " " + o.kind().noun() + " on "), p[0]);
            List<String> words = List.of(p[0].split(" "));
            assertEquals(1, differingWords(words, List.of(p[1].split(" "))), p[0] + " / " + p[1]);
            assertEquals(1, differingWords(words, List.of(p[2].split(" "))), p[0] + " / " + p[2]);
            assertNotEquals(p[0], p[1]);
            assertTrue(p[2].split(" ")[2].equals(o.kind().noun()), "the colour swap keeps the shape: " + p[2]);
            assertEquals("", p[3]);
            swappedIn.add(p[1].split(" ")[2]);
        }
        assertTrue(swappedIn.size() >= 4, "the swapped-in shapes vary: " + swappedIn);
    }

    /** Words that differ at the same position, after the article ("a" / "an" follows the colour). */
    private static int differingWords(List<String> a, List<String> b) {
        assertEquals(a.size(), b.size(), a + " / " + b);
        int n = 0;
        for (int i = 1; i < a.size(); i++) {
            n += a.get(i).equals(b.get(i)) ? 0 : 1;
        }
        return n;
    }

    @Test
    void theEmbeddedModelReadsTheColourWordAndTheResultsAreWrittenAsTableAndJson(@TempDir Path dir) throws Exception {
        EngineRuntime rt = EngineRuntime.cpu();
        PromptReadingBenchmark.Result r;
        List<String> progress = new ArrayList<>();
        try (EditModel model = EditModel.load(ModelPath.of(EmbeddedModel.require()), rt)) {
            r = PromptReadingBenchmark.run(model, new SceneCases(4, 1), rt, progress::add);
        }
        assertEquals(List.of("scene 1/4", "scene 2/4", "scene 3/4", "scene 4/4"), progress);
        int t700 = PromptReadingBenchmark.TIMESTEPS.indexOf(700L);
        for (double[] row : r.error()) {
            for (double e : row) {
                assertTrue(e > 0 && e < 1, "an epsilon MSE of a trained UNet: " + e);
            }
        }
        // the committed model (fifth version, 32 scenes, docs/bench/prompts-v5.json): at t = 700 +95 % with another
        // colour, +26 % with the empty prompt, +7 % with another shape
        assertTrue(r.risePercent(t700, PromptReadingBenchmark.Prompt.OTHER_COLOUR) > 30, r.toMarkdown());
        assertTrue(r.risePercent(t700, PromptReadingBenchmark.Prompt.EMPTY) > 10, r.toMarkdown());
        String table = r.toMarkdown();
        assertEquals(2 + PromptReadingBenchmark.TIMESTEPS.size(), table.lines().filter(l -> l.startsWith("|")).count(), table);
        assertTrue(table.contains("| 700 | "), table);
        assertTrue(table.contains("| t | scene's prompt | another shape | another colour | empty prompt |\n|---|---|---|---|---|\n"), table);
        Path json = dir.resolve("out/prompts.json");
        r.writeJson(json);
        JsonNode root = new ObjectMapper().readTree(json.toFile());
        assertEquals(4, root.get("cases").asInt());
        assertEquals(r.error()[t700][PromptReadingBenchmark.Prompt.OTHER_SHAPE.ordinal()],
                root.get("timesteps").get("700").get("other_shape").asDouble(), 1e-12);
        assertEquals(4, root.get("timesteps").get("300").size());
    }
}
