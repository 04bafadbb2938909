package org.draglora.http.cli;

import static org.draglora.http.cli.CliRun.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.draglora.engine.train.TinyModelSpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code train-tiny}'s options through the real command line (training itself: the engine's trainer tests). */
class TrainTinyCommandTest {

    @Test
    void aBadTokenEmbeddingSpreadIsAOneLineUsageErrorBeforeAnyWork(@TempDir Path dir) {
        Path work = dir.resolve("work");
        CliRun r = run("train-tiny", "--token-embedding-std", "0", "--work", work.toString(), "--out",
                dir.resolve("out").toString());
        assertEquals(2, r.code(), r.err());
        assertEquals(1, r.err().lines().count(), r.err());
        assertTrue(r.err().contains("standard deviation must be in (0, 100], got 0.0"), r.err());
        assertFalse(Files.exists(work), "nothing written");
    }

    @Test
    void aBadNoiseScheduleIsAOneLineUsageErrorBeforeAnyWork(@TempDir Path dir) {
        Path work = dir.resolve("work");
        CliRun r = run("train-tiny", "--beta-end", "0.5", "--work", work.toString(), "--out", dir.resolve("out").toString());
        assertEquals(2, r.code(), r.err());
        assertEquals(1, r.err().lines().count(), r.err());
        assertTrue(r.err().contains("last beta must be in [0.001, 0.05], got 0.5"), r.err());
        assertFalse(Files.exists(work), "nothing written");
        String help = run("train-tiny", "--help").out().replaceAll("\\s+", " ");
        assertTrue(help.contains("--beta-end=B"), help);
        assertTrue(help.contains("0.012 is SD's schedule"), help);
        assertTrue(help.contains("(default: " + TinyModelSpec.SHIPPED_BETA_END + ", the shipped model)"), help);
    }

    @Test
    void aCoolDownLongerThanTheRunIsAOneLineUsageErrorBeforeAnyWork(@TempDir Path dir) {
        Path work = dir.resolve("work");
        CliRun r = run("train-tiny", "--unet-steps", "100", "--unet-lr-decay", "200", "--work", work.toString(), "--out",
                dir.resolve("out").toString());
        assertEquals(2, r.code(), r.err());
        assertEquals(1, r.err().lines().count(), r.err());
        assertTrue(r.err().contains("decay must last 0 to 100 UNet steps (all of them), got 200"), r.err());
        assertFalse(Files.exists(work), "nothing written");
        String help = run("train-tiny", "--help").out().replaceAll("\\s+", " ");
        assertTrue(help.contains("--unet-lr-decay=N"), help);
        assertTrue(help.contains("(default: " + TinyModelSpec.SHIPPED_UNET_LR_DECAY_STEPS + " of the shipped model's "
                + TinyModelSpec.SHIPPED_UNET_STEPS + " steps, the same fraction of other --unet-steps)"), help);
        assertTrue(help.contains("UNet steps (default: " + TinyModelSpec.SHIPPED_UNET_STEPS + ", the shipped model)"), help);
    }

    @Test
    void helpGivesTheShippedSpreadAndTheOneVersionsOneAndTwoUsed() {
        CliRun r = run("train-tiny", "--help");
        assertEquals(0, r.code(), r.err());
        String unwrapped = r.out().replaceAll("\\s+", " ");
        assertTrue(unwrapped.contains("--token-embedding-std=S"), r.out());
        assertTrue(unwrapped.contains("0.125 (the fan-in draw) is what versions 1 and 2 used (default: "
                + TinyModelSpec.SHIPPED_TOKEN_EMBEDDING_STD + ", the shipped model)"), r.out());
    }
}
