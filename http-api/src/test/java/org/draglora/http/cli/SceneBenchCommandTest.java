package org.draglora.http.cli;

import static org.draglora.http.cli.CliRun.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code bench prompts} and {@code bench samples} through the command line, on the embedded model. */
class SceneBenchCommandTest {

    @Test
    void benchSamplesPrintsItsTableAndWritesItsJson(@TempDir Path dir) throws Exception {
        Path json = dir.resolve("samples.json");
        CliRun r = run("bench", "samples", "--n", "1", "--seed", "2", "--json", json.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("| plain scenes (one solid object, flat background) | 1 |"), r.out());
        JsonNode root = new ObjectMapper().readTree(json.toFile());
        assertEquals(1, root.get("cases").asInt());
        assertEquals(2, root.get("seed").asInt());
        assertEquals(1.0, root.get("groups").get("plain").get("scene_kind_right").asDouble());
    }

    @Test
    void benchPromptsPrintsItsTableAndBothRefuseNoScenes() {
        CliRun r = run("bench", "prompts", "--n", "1");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("| 700 |"), r.out());
        for (String bench : new String[] {"prompts", "samples"}) {
            CliRun none = run("bench", bench, "--n", "0");
            assertEquals(2, none.code(), bench + ": " + none.err());
            assertTrue(none.err().contains("--n must be at least 1, got 0"), none.err());
        }
    }
}
