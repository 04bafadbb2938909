package org.draglora.engine.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Which model a command uses: the explicit path, the configured one, else the embedded model. */
class EmbeddedModelTest {

    @AfterEach
    void clear() {
        System.clearProperty("draglora.home");
    }

    @Test
    void explicitWinsThenConfiguredThenEmbedded(@TempDir Path home) throws Exception {
        Path embedded = Files.createDirectories(home.resolve(EmbeddedModel.RELATIVE_PATH));
        Files.writeString(embedded.resolve("model_index.json"), "{}");
        System.setProperty("draglora.home", home.toString());
        assertEquals(Path.of("x"), EmbeddedModel.resolve(Path.of("x"), "y"));
        assertEquals(Path.of("y"), EmbeddedModel.resolve(null, "y"));
        assertEquals(embedded, EmbeddedModel.resolve(null, ""));
    }

    @Test
    void aMissingEmbeddedModelSaysWhatToDo(@TempDir Path home) {
        System.setProperty("draglora.home", home.toString());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> EmbeddedModel.resolve(null, ""));
        assertTrue(e.getMessage().contains("--model") && e.getMessage().contains("train-tiny"), e.getMessage());
    }
}
