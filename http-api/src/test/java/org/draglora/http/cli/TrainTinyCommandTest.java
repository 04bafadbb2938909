package org.draglora.http.cli;

import static org.draglora.http.cli.CliRun.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.draglora.engine.train.TinyModelSpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code train-tiny}'s options through the real command line (training itself: the engine's trainer tests). */
class TrainTinyCommandTest {

    /** {@code train-tiny} with {@code options} fails with exit 2 and one line naming {@code message}, writing nothing. */
    private static void assertOneLineUsageErrorBeforeAnyWork(Path dir, String message, String... options) {
        Path work = dir.resolve("work");
        List<String> args = new ArrayList<>(List.of("train-tiny"));
        args.addAll(List.of(options));
        args.addAll(List.of("--work", work.toString(), "--out", dir.resolve("out").toString()));
        CliRun r = run(args.toArray(String[]::new));
        assertEquals(2, r.code(), r.err());
        assertEquals(1, r.err().lines().count(), r.err());
        assertTrue(r.err().contains(message), r.err());
        assertFalse(Files.exists(work), "nothing written");
    }

    /** {@code train-tiny --help} with its whitespace runs collapsed to single spaces. */
    private static String help() {
        CliRun r = run("train-tiny", "--help");
        assertEquals(0, r.code(), r.err());
        return r.out().replaceAll("\\s+", " ");
    }

    @Test
    void aBadTokenEmbeddingSpreadIsAOneLineUsageErrorBeforeAnyWork(@TempDir Path dir) {
        assertOneLineUsageErrorBeforeAnyWork(dir, "standard deviation must be in (0, 100], got 0.0",
                "--token-embedding-std", "0");
    }

    @Test
    void aBadNoiseScheduleIsAOneLineUsageErrorBeforeAnyWork(@TempDir Path dir) {
        assertOneLineUsageErrorBeforeAnyWork(dir, "last beta must be in [0.001, 0.05], got 0.5", "--beta-end", "0.5");
        String help = help();
        assertTrue(help.contains("--beta-end=B"), help);
        assertTrue(help.contains("0.012 is SD's schedule"), help);
        assertTrue(help.contains("(default: " + TinyModelSpec.SHIPPED_BETA_END + ", the shipped model)"), help);
    }

    @Test
    void aCoolDownLongerThanTheRunIsAOneLineUsageErrorBeforeAnyWork(@TempDir Path dir) {
        assertOneLineUsageErrorBeforeAnyWork(dir, "decay must last 0 to 100 UNet steps (all of them), got 200",
                "--unet-steps", "100", "--unet-lr-decay", "200");
        String help = help();
        assertTrue(help.contains("--unet-lr-decay=N"), help);
        assertTrue(help.contains("(default: " + TinyModelSpec.SHIPPED_UNET_LR_DECAY_STEPS + " of the shipped model's "
                + TinyModelSpec.SHIPPED_UNET_STEPS + " steps, the same fraction of other --unet-steps)"), help);
        assertTrue(help.contains("UNet steps (default: " + TinyModelSpec.SHIPPED_UNET_STEPS + ", the shipped model)"), help);
    }

    @Test
    void aBadShareOfSingleObjectPlainScenesIsAOneLineUsageErrorBeforeAnyWork(@TempDir Path dir) {
        assertOneLineUsageErrorBeforeAnyWork(dir, "--plain-single takes a share from 0 to 1 or 'even', got 'half'",
                "--plain-single", "half");
        assertOneLineUsageErrorBeforeAnyWork(dir.resolve("range"), "single-object plain scenes must be in [0, 1], got 1.5",
                "--plain-scenes", "0.5", "--plain-objects", "3", "--plain-single", "1.5");
        assertOneLineUsageErrorBeforeAnyWork(dir.resolve("one"), "pass --plain-scenes above 0 and --plain-objects 2 or 3",
                "--plain-scenes", "0.5", "--plain-objects", "1", "--plain-single", "0.5");
        String help = help();
        assertTrue(help.contains("--plain-single=SHARE"), help);
        assertTrue(help.contains("(default: even, the shipped model)"), help);
    }

    @Test
    void aNegativeDecoderStageIsAOneLineUsageErrorBeforeAnyWork(@TempDir Path dir) {
        assertOneLineUsageErrorBeforeAnyWork(dir, "decoder fine-tuning steps must be >= 0, got -5", "--decoder-steps", "-5");
        String help = help();
        assertTrue(help.contains("--decoder-steps=N"), help);
        assertTrue(help.contains("fine-tune the VAE's decoder alone (encoder frozen, so the latents the UNet learns stay the "
                + "same) for N steps; 0 skips it (default: " + TinyModelSpec.SHIPPED_DECODER_STEPS + ", the shipped model)"), help);
    }

    @Test
    void helpGivesTheShippedSpreadAndTheOneVersionsOneAndTwoUsed() {
        String help = help();
        assertTrue(help.contains("--token-embedding-std=S"), help);
        assertTrue(help.contains("0.125 (the fan-in draw) is what versions 1 and 2 used (default: "
                + TinyModelSpec.SHIPPED_TOKEN_EMBEDDING_STD + ", the shipped model)"), help);
    }
}
