package org.draglora.engine.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.draglora.engine.schedule.DdimScheduler;
import org.draglora.engine.train.TinyModelReport;
import org.draglora.engine.train.TinyModelSpec;
import org.draglora.engine.train.TinyModelTrainer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrainTinyCardTest {

    @TempDir
    Path dir;

    private String card(Path vaeFrom) throws Exception {
        return card(vaeFrom, TinyModelSpec.SHIPPED_LATENT_FACTOR);
    }

    private String card(Path vaeFrom, int latentFactor) throws Exception {
        return card(vaeFrom, latentFactor, TinyModelSpec.SHIPPED_UNET_WIDTH);
    }

    private String card(Path vaeFrom, int latentFactor, int width) throws Exception {
        return card(vaeFrom, latentFactor, width, TinyModelSpec.SHIPPED_TOKEN_EMBEDDING_STD);
    }

    private String card(Path vaeFrom, int latentFactor, int width, double tokenStd) throws Exception {
        return card(vaeFrom, latentFactor, width, tokenStd, TinyModelSpec.SHIPPED_BETA_END);
    }

    private String card(Path vaeFrom, int latentFactor, int width, double tokenStd, double betaEnd) throws Exception {
        return card(vaeFrom, latentFactor, width, tokenStd, betaEnd, 0);
    }

    private String card(Path vaeFrom, int latentFactor, int width, double tokenStd, double betaEnd, int decay)
            throws Exception {
        return card(vaeFrom, latentFactor, width, tokenStd, betaEnd, decay, TinyModelSpec.SHIPPED_DECODER_STEPS);
    }

    private String card(Path vaeFrom, int latentFactor, int width, double tokenStd, double betaEnd, int decay,
            int decoderSteps) throws Exception {
        Path out = Files.createDirectories(dir.resolve((vaeFrom == null ? "fresh" : "reused") + latentFactor + "-" + width
                + "-" + tokenStd + "-" + betaEnd + "-" + decay + "-" + decoderSteps));
        TinyModelTrainer.Options o = TinyModelTrainer.Options.builder(out, dir.resolve("work")).unetSteps(3000).unetLr(5e-4)
                .vaeFrom(vaeFrom).minSnrGamma(5.0).unetLayers(2).latentFactor(latentFactor).unetWidth(width)
                .tokenEmbeddingStd(tokenStd).betaEnd(betaEnd).unetLrDecaySteps(decay).decoderSteps(decoderSteps).build();
        long t = new DdimScheduler(o.schedule()).dragTimestep(50, TinyModelSpec.inversionStrength(o.schedule()));
        TrainTinyTool.writeCard(o, new TinyModelReport.Numbers(32.1, 31.9, 16, t));
        return Files.readString(out.resolve("README.md"));
    }

    @Test
    void theCardGivesTheLearningRatesCoolDownAndHowToRepeatItAndTheSamplesGuidance() throws Exception {
        String constant = card(dir.resolve("v1"));
        assertFalse(constant.contains("--unet-lr-decay") || constant.contains("nearly 0 over the last"), constant);
        assertTrue(constant.contains("UNet: 3000 steps of batch 32, AdamW lr 0.000500 (200 warm-up steps), epsilon"), constant);
        String cooled = card(dir.resolve("v1"), TinyModelSpec.SHIPPED_LATENT_FACTOR, TinyModelSpec.SHIPPED_UNET_WIDTH,
                TinyModelSpec.SHIPPED_TOKEN_EMBEDDING_STD, TinyModelSpec.SHIPPED_BETA_END, 1200);
        assertTrue(cooled.contains("AdamW lr 0.000500 (200 warm-up steps, falling linearly to nearly 0 over the last 1200 "
                + "steps)"), cooled);
        assertTrue(cooled.contains("--unet-layers 2 --unet-lr-decay 1200 --out models/shapes-64"), cooled);
        String unwrapped = cooled.replaceAll("\\s+", " ");
        assertTrue(unwrapped.contains("each beside a sample from noise with its prompt (DDIM 50 steps, classifier-free "
                + "guidance " + TinyModelReport.SAMPLE_GUIDANCE + ")"), cooled);
    }

    @Test
    void theCardDescribesTheDecoderFineTuningAndPutsItsStepsInTheCommandThatRanIt() throws Exception {
        String none = card(dir.resolve("v1"), TinyModelSpec.SHIPPED_LATENT_FACTOR, TinyModelSpec.SHIPPED_UNET_WIDTH,
                TinyModelSpec.SHIPPED_TOKEN_EMBEDDING_STD, TinyModelSpec.SHIPPED_BETA_END, 1200, 0);
        assertFalse(none.contains("VAE decoder:"), none);
        String noneFirst = none.substring(none.indexOf("`./draglora train-tiny --vae-steps"), none.indexOf(" for the VAE"));
        assertTrue(noneFirst.contains("--unet-steps 0 "), "the VAE's run needs no UNet: " + noneFirst);
        assertFalse(noneFirst.contains("--decoder-steps"),
                "a run that trains no decoder took it with the VAE, so the VAE's run had the default stage: " + noneFirst);
        assertEquals(TinyModelSpec.SHIPPED_DECODER_STEPS != 0, none.contains("--unet-lr-decay 1200 --decoder-steps 0 --out "
                + "models/shapes-64"), "a run without the stage says so where the default has one: " + none);
        String tuned = card(dir.resolve("v1"), TinyModelSpec.SHIPPED_LATENT_FACTOR, TinyModelSpec.SHIPPED_UNET_WIDTH,
                TinyModelSpec.SHIPPED_TOKEN_EMBEDDING_STD, TinyModelSpec.SHIPPED_BETA_END, 1200, 7000);
        String unwrapped = tuned.replaceAll("\\s+", " ");
        assertTrue(unwrapped.contains("- VAE decoder: then 7000 steps of the decoder alone, the encoder frozen"), tuned);
        assertTrue(unwrapped.indexOf("- VAE:") < unwrapped.indexOf("- VAE decoder:")
                && unwrapped.indexOf("- VAE decoder:") < unwrapped.indexOf("- UNet:"), tuned);
        assertTrue(tuned.contains("--unet-lr-decay 1200 --decoder-steps 7000 --out models/shapes-64"),
                "the second command (the one with --vae-from) ran the decoder stage: " + tuned);
        String first = tuned.substring(tuned.indexOf("`./draglora train-tiny --vae-steps"), tuned.indexOf(" for the VAE"));
        assertFalse(first.contains("--decoder-steps " + 7000), first);
        assertEquals(TinyModelSpec.SHIPPED_DECODER_STEPS != 0, first.contains("--decoder-steps 0"),
                "the VAE's own run trained no decoder: " + first);
        String shipped = card(dir.resolve("v1"), TinyModelSpec.SHIPPED_LATENT_FACTOR, TinyModelSpec.SHIPPED_UNET_WIDTH,
                TinyModelSpec.SHIPPED_TOKEN_EMBEDDING_STD, TinyModelSpec.SHIPPED_BETA_END, 1200);
        assertTrue(shipped.contains("--unet-lr-decay 1200 --out models/shapes-64"), "the default needs no flag: " + shipped);
    }

    @Test
    void theCardGivesTheNoiseScheduleTheDragDepthAndTheFlagForANonDefaultOne() throws Exception {
        String sd = card(dir.resolve("v1"), TinyModelSpec.SHIPPED_LATENT_FACTOR, TinyModelSpec.SHIPPED_UNET_WIDTH,
                TinyModelSpec.SHIPPED_TOKEN_EMBEDDING_STD, TinyModelSpec.SD_BETA_END);
        assertTrue(sd.contains("DDIM with SD 1.5's noise schedule (scaled linear 0.00085..0.012, 1000 steps)."), sd);
        assertTrue(sd.contains("the drag timestep (t = 681 of DDIM's 50 steps)"), sd);
        String longer = card(dir.resolve("v1"), TinyModelSpec.SHIPPED_LATENT_FACTOR, TinyModelSpec.SHIPPED_UNET_WIDTH,
                TinyModelSpec.SHIPPED_TOKEN_EMBEDDING_STD, 0.02);
        String unwrapped = longer.replaceAll("\\s+", " ");
        assertTrue(unwrapped.contains("betas run to 0.02 instead of 0.012"), longer);
        assertTrue(unwrapped.contains("inverts by 0.6 of 50 steps (t = 581, cumulative alpha 0.087)"), longer);
        assertTrue(longer.contains("the drag timestep (t = 581 of DDIM's 50 steps)"), longer);
        String shipped = card(dir.resolve("v1"));
        assertFalse(shipped.contains("--beta-end"), "the default needs no flag: " + shipped);
        double other = TinyModelSpec.SHIPPED_BETA_END == 0.02 ? TinyModelSpec.SD_BETA_END : 0.02;
        assertTrue(card(dir.resolve("v1"), TinyModelSpec.SHIPPED_LATENT_FACTOR, TinyModelSpec.SHIPPED_UNET_WIDTH,
                TinyModelSpec.SHIPPED_TOKEN_EMBEDDING_STD, other).contains("--unet-layers 2 --beta-end " + other
                + " --out models/shapes-64"), "a non-default schedule is in the command that repeats it");
    }

    @Test
    void theCardGivesTheShareOfPlainScenesAndItsFlagInTheCommandThatTrainsTheUnet() throws Exception {
        String full = plainCard(0);
        assertFalse(full.contains("are plain"), full);
        assertEquals(TinyModelSpec.SHIPPED_PLAIN_SCENE_SHARE != 0, full.contains("--plain-scenes 0.0 --out"), full);
        String half = plainCard(0.5);
        assertTrue(half.contains("10 % empty; for the UNet, 50 % of the scenes are plain, one solid object on a flat "
                + "background (`SceneGenerator.plain`), the rest the full stream."), half);
        assertEquals(TinyModelSpec.SHIPPED_PLAIN_SCENE_SHARE != 0.5, half.matches("(?s).*`./draglora train-tiny --work "
                + "NEW_DIR --vae-from DIR [^`]*--plain-scenes 0.5 --out models/shapes-64`.*"), "the flag where not the default: "
                + half);
        String quarter = plainCard(0.25);
        assertTrue(quarter.contains("for the UNet, 25 % of the scenes are plain"), quarter);
        assertTrue(quarter.matches("(?s).*`./draglora train-tiny --work NEW_DIR --vae-from DIR [^`]*--plain-scenes 0.25 --out "
                + "models/shapes-64`.*"), quarter);
    }

    @Test
    void theCardSaysHowManyObjectsPlainScenesHoldAndWhetherTheTextEncoderTrainedWithTheirFlags() throws Exception {
        Path out = Files.createDirectories(dir.resolve("crowded"));
        TinyModelTrainer.Options o = TinyModelTrainer.Options.builder(out, dir.resolve("work")).vaeFrom(dir.resolve("vae"))
                .plainSceneObjects(3).trainTextEncoder(true).build();
        TrainTinyTool.writeCard(o, new TinyModelReport.Numbers(32.1, 31.9, 16, 681));
        String crowded = Files.readString(out.resolve("README.md"));
        assertTrue(crowded.contains("% of the scenes are plain, 1 to 3 solid objects on a flat background"), crowded);
        assertTrue(crowded.contains("4 heads, 32 positions, trained with the UNet (its EMA exported) from its\n  seeded random "
                + "initialisation"), crowded);
        assertEquals(TinyModelSpec.SHIPPED_PLAIN_SCENE_OBJECTS != 3, crowded.matches("(?s).*`./draglora train-tiny --work NEW_DIR "
                + "--vae-from DIR [^`]*--plain-objects 3[^`]*--out models/shapes-64`.*"), crowded);
        assertEquals(!TinyModelSpec.SHIPPED_TRAIN_TEXT_ENCODER, crowded.matches("(?s).*`./draglora train-tiny --work NEW_DIR "
                + "--vae-from DIR [^`]*--train-text-encoder true --out models/shapes-64`.*"), crowded);
        String shipped = plainCard(TinyModelSpec.SHIPPED_PLAIN_SCENE_SHARE);
        assertEquals(TinyModelSpec.SHIPPED_TRAIN_TEXT_ENCODER, shipped.contains("trained with the UNet"), shipped);
        assertFalse(shipped.contains("--plain-objects") || shipped.contains("--train-text-encoder"),
                "the shipped settings need no flags: " + shipped);
    }

    private String plainCard(double share) throws Exception {
        Path out = Files.createDirectories(dir.resolve("plain-" + share));
        TinyModelTrainer.Options o = TinyModelTrainer.Options.builder(out, dir.resolve("work")).vaeFrom(dir.resolve("vae"))
                .plainSceneShare(share).unetLrDecaySteps(0).build();
        TrainTinyTool.writeCard(o, new TinyModelReport.Numbers(32.1, 31.9, 16, 681));
        return Files.readString(out.resolve("README.md"));
    }

    @Test
    void theDataMixesPlainScenesInAtTheShareAskedForTheSameForBothCallsOfASample() {
        var full = TrainTinyTool.scenes(1);
        var mixed = TrainTinyTool.scenes(1, 0.5);
        int plain = 0;
        for (long i = 0; i < 400; i++) {
            var a = mixed.apply(i);
            var b = mixed.apply(i);
            assertEquals(a.prompt(), b.prompt(), "index " + i);
            assertTrue(java.util.Arrays.equals(a.image().rgb(), b.image().rgb()), "index " + i);
            var f = full.apply(i);
            if (!a.prompt().equals(f.prompt())) {
                plain++;
                assertFalse(a.prompt().contains(" and "), a.prompt());
                assertFalse(a.prompt().contains("striped") || a.prompt().contains("checkered"), a.prompt());
            }
        }
        assertTrue(plain > 150 && plain < 250, plain + " of 400 plain");
    }

    @Test
    void theDataGivesOneObjectToTheShareOfPlainScenesAskedForAndTwoToThreeToTheOthers() {
        var full = TrainTinyTool.scenes(1);
        var even = TrainTinyTool.scenes(1, 0.75, 3);
        var split = TrainTinyTool.scenes(1, 0.75, 3, 2.0 / 3);
        var allSingle = TrainTinyTool.scenes(1, 0.75, 3, 1.0);
        var noSingle = TrainTinyTool.scenes(1, 0.75, 3, 0.0);
        var evenAgain = TrainTinyTool.scenes(1, 0.75, 3, Double.NaN);
        int plain = 0;
        int[] counts = new int[4];
        for (long i = 0; i < 600; i++) {
            var a = split.apply(i);
            assertEquals(a.prompt(), split.apply(i).prompt(), "both calls of a sample agree, index " + i);
            assertEquals(even.apply(i).prompt(), evenAgain.apply(i).prompt(), "NaN is the even draw, index " + i);
            if (a.prompt().equals(full.apply(i).prompt())) {
                continue;
            }
            plain++;
            counts[objects(a.prompt())]++;
            assertEquals(1, objects(allSingle.apply(i).prompt()), allSingle.apply(i).prompt());
            assertTrue(objects(noSingle.apply(i).prompt()) >= 2, noSingle.apply(i).prompt());
        }
        assertTrue(plain > 400 && plain < 500, plain + " of 600 plain");
        double single = counts[1] / (double) plain;
        assertTrue(single > 0.6 && single < 0.73, "single-object share " + single + " of " + plain);
        assertTrue(counts[2] > 40 && counts[3] > 40, java.util.Arrays.toString(counts));
    }

    /** How many objects a prompt names ("a red disc, a blue ring and a green star on ..."). */
    private static int objects(String prompt) {
        return 1 + (prompt.contains(" and ") ? 1 : 0) + prompt.split(", ", -1).length - 1;
    }

    @Test
    void theCardSaysWhatShareOfPlainScenesHoldOneObjectWithItsFlag() throws Exception {
        Path out = Files.createDirectories(dir.resolve("split"));
        TinyModelTrainer.Options o = TinyModelTrainer.Options.builder(out, dir.resolve("work")).vaeFrom(dir.resolve("vae"))
                .plainSceneShare(0.75).plainSceneObjects(3).plainSingleShare(0.5).build();
        TrainTinyTool.writeCard(o, new TinyModelReport.Numbers(32.1, 31.9, 16, 681));
        String split = Files.readString(out.resolve("README.md"));
        assertTrue(split.contains("75 % of the scenes are plain, one solid object in 50 % of them, 2 to 3 in the others, "
                + "on a flat background"), split);
        assertTrue(split.matches("(?s).*`./draglora train-tiny --work NEW_DIR --vae-from DIR [^`]*--plain-objects 3 "
                + "--plain-single 0.5[^`]*--out models/shapes-64`.*"), split);
        assertFalse(plainCard(0.5).contains("--plain-single"), "the even draw needs no flag");
    }

    @Test
    void theCardNamesTheVaeEquivarianceTermAndPutsItsFlagInTheCommandThatTrainsTheVae() throws Exception {
        String shipped = card(null);
        assertFalse(shipped.contains("equivariance"), shipped);
        Path out = Files.createDirectories(dir.resolve("eq"));
        TinyModelTrainer.Options o = TinyModelTrainer.Options.builder(out, dir.resolve("work")).vaeEquivariance(0.5).build();
        TrainTinyTool.writeCard(o, new TinyModelReport.Numbers(32.1, 31.9, 16, 681));
        String eq = Files.readString(out.resolve("README.md"));
        assertTrue(eq.contains("L1 + 1e-6 KL + 0.5 x EQ-VAE's scale equivariance (the 2x2-pooled latent decoded against "
                + "the 2x2-pooled crop, L1)."), eq);
        assertTrue(eq.contains("`./draglora train-tiny --vae-steps " + TinyModelSpec.SHIPPED_VAE_STEPS + " --unet-steps "
                + TinyModelSpec.SHIPPED_UNET_STEPS + " --vae-equivariance 0.5 --unet-lr"), eq);
    }

    @Test
    void theCardSaysWhereTheVaeCurveIsWhenTheVaeWasReused() throws Exception {
        String fresh = card(null);
        String reused = card(dir.resolve("v1"));
        assertFalse(fresh.contains("VAE panel"), fresh);
        assertTrue(reused.contains("this run trained no VAE steps"), reused);
        assertTrue(reused.contains("--vae-from"), reused);
        for (String c : new String[] {fresh, reused}) {
            assertTrue(c.contains("3000 steps of batch 32") && c.contains("32.1 dB") && c.contains("31.9 dB"), c);
            assertTrue(c.contains("Min-SNR weighting (gamma 5.0)"), c);
        }
    }

    @Test
    void theCardGivesTheTokenEmbeddingSpreadAndTheFlagForANonDefaultOne() throws Exception {
        String shipped = card(dir.resolve("v1"));
        assertTrue(shipped.contains("(token embeddings of standard deviation " + TinyModelSpec.SHIPPED_TOKEN_EMBEDDING_STD
                + ")"), shipped);
        assertFalse(shipped.contains("--token-embedding-std"), "the default needs no flag: " + shipped);
        String other = card(dir.resolve("v1"), TinyModelSpec.SHIPPED_LATENT_FACTOR, TinyModelSpec.SHIPPED_UNET_WIDTH, 0.5);
        assertTrue(other.contains("(token embeddings of standard deviation 0.5)"), other);
        assertTrue(other.contains("--unet-layers 2 --token-embedding-std 0.5 --out models/shapes-64"), other);
        assertTrue(other.contains("one token per word the scene prompts use"), other);
    }

    @Test
    void theCardDescribesTheTrainedArchitectureAndHowToRepeatIt() throws Exception {
        String shipped = card(null);
        assertTrue(shipped.contains("4x down-sampling to 16x16x4 latents"), shipped);
        assertTrue(shipped.contains("blocks of 64, 128, 128 channels, 2 resnet(s)"), shipped);
        assertTrue(shipped.contains("cross-attention transformers at 16x16 and 8x8"), shipped);
        assertFalse(shipped.contains("--latent-factor"), shipped);
        String fine = card(null, 2);
        assertTrue(fine.contains("2 blocks of 32, 64 channels"), fine);
        assertTrue(fine.contains("2x down-sampling to 32x32x4 latents"), fine);
        assertTrue(fine.contains("blocks of 32, 64, 128 channels"), fine);
        assertTrue(fine.contains("cross-attention transformers at 16x16 and 8x8"), fine);
        assertTrue(fine.contains("--vae-steps 2500 --unet-steps 3000 --latent-factor 2 --unet-lr 5.0E-4 --min-snr-gamma 5.0 "
                + "--unet-layers 2 --out models/shapes-64"), fine);
        String reused = card(dir.resolve("v1"), 2);
        assertTrue(reused.contains("--vae-steps 2500 --unet-steps 0 --latent-factor 2"
                + (TinyModelSpec.SHIPPED_DECODER_STEPS == 0 ? "" : " --decoder-steps 0") + " --out DIR"), reused);
        assertTrue(reused.contains("--unet-layers 2 --latent-factor 2 --out models/shapes-64"), reused);
        assertFalse(shipped.contains("--unet-width"), shipped);
        String wide = card(dir.resolve("v1"), TinyModelSpec.SHIPPED_LATENT_FACTOR, 128);
        assertTrue(wide.contains("blocks of 128, 128, 128 channels"), wide);
        assertTrue(wide.contains("--unet-layers 2 --unet-width 128 --out models/shapes-64"), wide);
    }
}
