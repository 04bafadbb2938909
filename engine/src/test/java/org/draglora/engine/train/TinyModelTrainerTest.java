package org.draglora.engine.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.draglora.engine.clip.CLIPTokenizer;
import org.draglora.engine.edit.EditModel;
import org.draglora.engine.edit.ModelDragDefaults;
import org.draglora.engine.model.ModelPath;
import org.draglora.engine.runtime.EngineRuntime;
import org.draglora.engine.tools.TrainTinyTool;
import org.draglora.engine.weights.SafetensorsFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The trainer end to end at a few steps: it stops at a time budget and resumes where it stopped
 * (the same weights as an uninterrupted run), exports a folder the standard loaders read, and the
 * export carries the tokenizer and drag settings of the architecture.
 */
class TinyModelTrainerTest {

    private static final TinyModelTrainer.Listener QUIET = new TinyModelTrainer.Listener() {
        @Override
        public void step(String stage, int step, int total, double loss) {}

        @Override
        public void message(String line) {}
    };

    private static TinyModelTrainer.Options options(Path out, Path work, int vae, int unet) {
        return new TinyModelTrainer.Options(out, work, vae, unet, 2, 2, 3, 0, 2);
    }

    @Test
    void resumedTrainingEqualsAnUninterruptedRunAndExportsALoadableModel(@TempDir Path dir) throws Exception {
        EngineRuntime rt = EngineRuntime.cpu();
        Path outA = dir.resolve("a");
        TinyModelTrainer.Result a = TinyModelTrainer.run(options(outA, dir.resolve("work-a"), 4, 4), rt,
                TrainTinyTool.scenes(3), QUIET);
        assertTrue(a.finished());

        Path workB = dir.resolve("work-b");
        Path outB = dir.resolve("b");
        TinyModelTrainer.Result partial = TinyModelTrainer.run(options(outB, workB, 4, 2), rt, TrainTinyTool.scenes(3), QUIET);
        assertTrue(partial.finished(), "a shorter run finishes its own budget");
        Files.delete(outB.resolve("unet/diffusion_pytorch_model.safetensors"));
        TinyModelTrainer.Result resumed = TinyModelTrainer.run(options(outB, workB, 4, 4), rt, TrainTinyTool.scenes(3), QUIET);
        assertTrue(resumed.finished());
        assertEquals(4, resumed.unetStep());
        try (SafetensorsFile ua = SafetensorsFile.open(outA.resolve("unet/diffusion_pytorch_model.safetensors"));
                SafetensorsFile ub = SafetensorsFile.open(outB.resolve("unet/diffusion_pytorch_model.safetensors"))) {
            String key = "conv_in.weight";
            assertArrayEquals(ua.readFloats(key), ub.readFloats(key), 0f, "resume reproduces the uninterrupted run");
        }
        List<String> log = Files.readAllLines(workB.resolve("loss.csv"));
        assertEquals("stage,step,loss,lr", log.get(0));
        assertEquals(1 + 4 + 4, log.size(), "one loss line per step across both sittings");

        ModelPath mp = ModelPath.of(outA);
        try (EditModel model = EditModel.load(mp, rt)) {
            assertEquals(4, model.latentScale());
            assertEquals(64, model.unet().config().crossAttentionDim());
        }
        assertEquals(TinyModelSpec.dragDefaults(), ModelDragDefaults.read(mp));
        CLIPTokenizer tok = CLIPTokenizer.load(outA.resolve("tokenizer"));
        long[] ids = tok.tokenize("a red disc and a blue star").inputIds();
        assertEquals(TinyModelSpec.MAX_TOKENS, ids.length);
        assertEquals(TinyModelSpec.VOCAB - 2, ids[0], "<|startoftext|>");
        assertEquals(TinyModelSpec.VOCAB - 1, ids[8], "<|endoftext|> after 7 words, one token each");
        for (long id : ids) {
            assertTrue(id < TinyModelSpec.VOCAB, "ids fit the text encoder: " + id);
        }
    }

    @Test
    void theTwoTimesDownLatentVariantTrainsAndLoadsWithItsOwnShapes(@TempDir Path dir) throws Exception {
        EngineRuntime rt = EngineRuntime.cpu();
        Path out = dir.resolve("fine");
        TinyModelTrainer.Options o = new TinyModelTrainer.Options(out, dir.resolve("work"), 2, 2, 2, 2, 3, 0, 2,
                TinyModelTrainer.UNET_LR, null, null, 5, 1, 2, TinyModelSpec.SHIPPED_UNET_WIDTH, TinyModelSpec.FAN_IN_TOKEN_EMBEDDING_STD, TinyModelSpec.SD_BETA_END, 0);
        assertTrue(TinyModelTrainer.run(o, rt, TrainTinyTool.scenes(3), QUIET).finished());
        try (EditModel model = EditModel.load(ModelPath.of(out), rt)) {
            assertEquals(2, model.latentScale(), "64x64 images, 32x32 latents");
            assertEquals(32, model.unet().config().sampleSize());
            assertEquals(List.of(32, 64, 128), model.unet().config().blockOutChannels());
            assertEquals(List.of(32, 64), model.vae().config().blockOutChannels());
        }
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> new TinyModelTrainer.Options(
                out, dir, 3, 2, 2, 2, 3, 0, 2, TinyModelTrainer.UNET_LR, null, null, 0, 1, 8, TinyModelSpec.SHIPPED_UNET_WIDTH, TinyModelSpec.FAN_IN_TOKEN_EMBEDDING_STD, TinyModelSpec.SD_BETA_END, 0),
                "latent factor 2 or 4");
    }

    @Test
    void theTokenEmbeddingSpreadIsAppliedRecordedAndHeldAcrossResumes(@TempDir Path dir) throws Exception {
        EngineRuntime rt = EngineRuntime.cpu();
        String key = "text_model.embeddings.token_embedding.weight";
        Path wide = dir.resolve("wide");
        Path work = dir.resolve("work");
        assertTrue(TinyModelTrainer.run(spreadOptions(wide, work, 2, 1.0), rt, TrainTinyTool.scenes(3), QUIET).finished());
        Path narrow = dir.resolve("narrow");
        assertTrue(TinyModelTrainer.run(options(narrow, dir.resolve("work-n"), 2, 2), rt, TrainTinyTool.scenes(3), QUIET)
                .finished());
        try (SafetensorsFile w = SafetensorsFile.open(wide.resolve("text_encoder/model.safetensors"));
                SafetensorsFile n = SafetensorsFile.open(narrow.resolve("text_encoder/model.safetensors"))) {
            assertEquals(1.0, std(w.readFloats(key)), 0.02);
            assertEquals(0.125, std(n.readFloats(key)), 0.003, "the fan-in draw, as versions 1 and 2");
            assertEquals("1.0", w.metadata().get(TinyModelTrainer.TOKEN_EMBEDDING_STD_KEY));
            assertEquals("0.125", n.metadata().get(TinyModelTrainer.TOKEN_EMBEDDING_STD_KEY));
            float[] a = w.readFloats(key);
            float[] b = n.readFloats(key);
            for (int i = 0; i < a.length; i += 97) {
                assertEquals(a[i], b[i] * 8, 1e-5, "the same seeded draw, rescaled");
            }
        }
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> TinyModelTrainer.run(spreadOptions(wide, work, 3, 0.5), rt, TrainTinyTool.scenes(3), QUIET));
        assertTrue(e.getMessage().contains("standard deviation 1.0, this run asks for 0.5: pass --token-embedding-std 1.0"),
                e.getMessage());
        assertTrue(TinyModelTrainer.run(spreadOptions(wide, work, 3, 1.0), rt, TrainTinyTool.scenes(3), QUIET).finished(),
                "the same spread resumes");
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> spreadOptions(wide, work, 3, 0));
    }

    @Test
    void theNoiseScheduleIsTrainedExportedWithItsDragDepthAndAResumeWithAnotherIsRefused(@TempDir Path dir) throws Exception {
        EngineRuntime rt = EngineRuntime.cpu();
        Path out = dir.resolve("out");
        Path work = dir.resolve("work");
        assertTrue(TinyModelTrainer.run(scheduleOptions(out, work, 2, 0.02), rt, TrainTinyTool.scenes(3), QUIET).finished());
        org.draglora.engine.schedule.DdimConfig exported = org.draglora.engine.schedule.DdimConfig.load(
                out.resolve("scheduler/scheduler_config.json"));
        assertEquals(0.02, exported.betaEnd());
        assertEquals(org.draglora.engine.schedule.DdimConfig.sd15(), TinyModelSpec.scheduler(TinyModelSpec.SD_BETA_END),
                "everything else is SD's");
        assertEquals(TinyModelSpec.scheduler(0.02), exported);
        ModelDragDefaults drag = ModelDragDefaults.read(ModelPath.of(out));
        assertEquals(0.6, drag.inversionStrength(), "drags at SD's noise level on the new schedule");
        try (SafetensorsFile f = SafetensorsFile.open(work.resolve(TinyModelTrainer.UNET_FILE))) {
            assertEquals("0.02", f.metadata().get(TinyModelTrainer.BETA_END_KEY));
        }
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> TinyModelTrainer.run(scheduleOptions(out, work, 3, TinyModelSpec.SD_BETA_END), rt,
                        TrainTinyTool.scenes(3), QUIET));
        assertTrue(e.getMessage().contains("ending at beta 0.02, this run asks for 0.012: pass --beta-end 0.02"),
                e.getMessage());
        assertTrue(TinyModelTrainer.run(scheduleOptions(out, work, 3, 0.02), rt, TrainTinyTool.scenes(3), QUIET).finished(),
                "the same schedule resumes");
        Path onward = dir.resolve("onward");
        e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> TinyModelTrainer.run(new TinyModelTrainer.Options(onward, dir.resolve("work-2"), 2, 4, 2, 2, 3, 0, 2,
                        TinyModelTrainer.UNET_LR, new TinyModelTrainer.InitFrom(out, 3), null, 0, 1,
                        TinyModelSpec.SHIPPED_LATENT_FACTOR, TinyModelSpec.SHIPPED_UNET_WIDTH,
                        TinyModelSpec.FAN_IN_TOKEN_EMBEDDING_STD, TinyModelSpec.SD_BETA_END, 0), rt, TrainTinyTool.scenes(3), QUIET));
        assertTrue(e.getMessage().contains("pass --beta-end 0.02"), "continuing an exported model keeps its schedule: "
                + e.getMessage());
        for (double bad : new double[] {0, 0.0005, 0.2, Double.NaN}) {
            org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                    () -> scheduleOptions(out, work, 3, bad), "beta end " + bad);
        }
    }

    private static TinyModelTrainer.Options scheduleOptions(Path out, Path work, int unetSteps, double betaEnd) {
        return new TinyModelTrainer.Options(out, work, 2, unetSteps, 2, 2, 3, 0, 2, TinyModelTrainer.UNET_LR, null, null, 0, 1,
                TinyModelSpec.SHIPPED_LATENT_FACTOR, TinyModelSpec.SHIPPED_UNET_WIDTH, TinyModelSpec.FAN_IN_TOKEN_EMBEDDING_STD,
                betaEnd, 0);
    }

    private static TinyModelTrainer.Options spreadOptions(Path out, Path work, int unetSteps, double std) {
        return new TinyModelTrainer.Options(out, work, 2, unetSteps, 2, 2, 3, 0, 2, TinyModelTrainer.UNET_LR, null, null, 0, 1,
                TinyModelSpec.SHIPPED_LATENT_FACTOR, TinyModelSpec.SHIPPED_UNET_WIDTH, std, TinyModelSpec.SD_BETA_END, 0);
    }

    private static double std(float[] values) {
        double sum = 0;
        double squares = 0;
        for (float v : values) {
            sum += v;
            squares += (double) v * v;
        }
        double mean = sum / values.length;
        return Math.sqrt(squares / values.length - mean * mean);
    }

    @Test
    void theLearningRateCoolsDownLinearlyOverTheLastStepsAndTheLogShowsIt(@TempDir Path dir) throws Exception {
        assertEquals(1.0, TinyModelTrainer.learningRateFactor(0, 5500, 0), "no decay: constant");
        assertEquals(1.0, TinyModelTrainer.learningRateFactor(5499, 5500, 0));
        assertEquals(1.0, TinyModelTrainer.learningRateFactor(3000, 5500, 2500), "constant until the decay starts");
        assertEquals(0.5, TinyModelTrainer.learningRateFactor(4250, 5500, 2500), 1e-12);
        assertEquals(1.0 / 2500, TinyModelTrainer.learningRateFactor(5499, 5500, 2500), 1e-12, "nearly 0 at the end");
        EngineRuntime rt = EngineRuntime.cpu();
        TinyModelTrainer.Options o = new TinyModelTrainer.Options(dir.resolve("out"), dir.resolve("work"), 2, 4, 2, 2, 3, 0,
                2, TinyModelTrainer.UNET_LR, null, null, 0, 1, TinyModelSpec.SHIPPED_LATENT_FACTOR,
                TinyModelSpec.SHIPPED_UNET_WIDTH, TinyModelSpec.FAN_IN_TOKEN_EMBEDDING_STD, TinyModelSpec.SD_BETA_END, 2);
        assertTrue(TinyModelTrainer.run(o, rt, TrainTinyTool.scenes(3), QUIET).finished());
        double[] lr = Files.readAllLines(dir.resolve("work/loss.csv")).stream().filter(l -> l.startsWith("unet,"))
                .mapToDouble(l -> Double.parseDouble(l.split(",")[3])).toArray();
        assertEquals(4, lr.length);
        double warm = TinyModelTrainer.UNET_LR / 200; // the warm-up's first steps
        assertEquals(1 * warm, lr[0], 1e-9);
        assertEquals(2 * warm, lr[1], 1e-9);
        assertEquals(3 * warm * 1.0, lr[2], 1e-9, "the decay starts at step 3 of 4");
        assertEquals(4 * warm * 0.5, lr[3], 1e-9);
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> new TinyModelTrainer.Options(
                dir, dir, 2, 4, 2, 2, 3, 0, 2, TinyModelTrainer.UNET_LR, null, null, 0, 1, TinyModelSpec.SHIPPED_LATENT_FACTOR,
                TinyModelSpec.SHIPPED_UNET_WIDTH, TinyModelSpec.FAN_IN_TOKEN_EMBEDDING_STD, TinyModelSpec.SD_BETA_END, 5),
                "longer than the run");
    }

    @Test
    void emaDecayWarmsUpLikeDiffusersAndCapsAt0999() {
        assertEquals(0.1, TinyModelTrainer.emaDecay(0), 1e-12, "the first step mostly copies the weights");
        assertEquals(11.0 / 20.0, TinyModelTrainer.emaDecay(10), 1e-12);
        assertEquals(0.999, TinyModelTrainer.emaDecay(1_000_000), 1e-12);
        double previous = 0;
        double weightOfStep200 = 1;
        for (int step = 0; step < 3000; step++) {
            double d = TinyModelTrainer.emaDecay(step);
            assertTrue(d >= previous && d <= 0.999, "non-decreasing, at most 0.999");
            previous = d;
            if (step > 200) {
                weightOfStep200 *= d;
            }
        }
        assertTrue(weightOfStep200 < 0.01, "early weights are forgotten by the end of a short run: " + weightOfStep200);
    }

    @Test
    void minSnrWeightTurnsDownOnlyTheNearlyCleanTimesteps() {
        org.draglora.engine.schedule.DdimScheduler sd = new org.draglora.engine.schedule.DdimScheduler(
                org.draglora.engine.schedule.DdimConfig.sd15());
        assertEquals(1.0, TinyModelTrainer.minSnrWeight(sd.alphaCumprod(10), 0), 0, "gamma 0: plain MSE");
        assertEquals(1.0, TinyModelTrainer.minSnrWeight(sd.alphaCumprod(681), 5), 0, "noisy: SNR below 5, weight 1");
        double clean = sd.alphaCumprod(10);
        assertEquals(5 / (clean / (1 - clean)), TinyModelTrainer.minSnrWeight(clean, 5), 1e-12);
        assertTrue(TinyModelTrainer.minSnrWeight(clean, 5) < 0.05, "nearly clean: turned down");
        double previous = 0;
        for (int t = 0; t < 1000; t++) {
            double w = TinyModelTrainer.minSnrWeight(sd.alphaCumprod(t), 5);
            assertTrue(w >= previous && w <= 1, "rises with the noise to 1 at t = " + t);
            previous = w;
        }
    }

    @Test
    void aDeeperAndWiderUnetTrainsOnTheVaeOfAnExportedModelWithMinSnrWeighting(@TempDir Path dir) throws Exception {
        EngineRuntime rt = EngineRuntime.cpu();
        Path first = dir.resolve("first");
        assertTrue(TinyModelTrainer.run(options(first, dir.resolve("work-1"), 3, 1), rt, TrainTinyTool.scenes(3), QUIET)
                .finished());
        Path second = dir.resolve("second");
        TinyModelTrainer.Options o = new TinyModelTrainer.Options(second, dir.resolve("work-2"), 3, 2, 2, 2, 3, 0, 2,
                TinyModelTrainer.UNET_LR, null, first, 5, 2, TinyModelSpec.SHIPPED_LATENT_FACTOR, 96, TinyModelSpec.FAN_IN_TOKEN_EMBEDDING_STD, TinyModelSpec.SD_BETA_END, 0);
        assertTrue(TinyModelTrainer.run(o, rt, TrainTinyTool.scenes(3), QUIET).finished());
        List<String> log = Files.readAllLines(dir.resolve("work-2/loss.csv"));
        assertEquals(1 + 2, log.size(), "no VAE steps: the VAE came from the first model");
        try (SafetensorsFile a = SafetensorsFile.open(first.resolve("vae/diffusion_pytorch_model.safetensors"));
                SafetensorsFile b = SafetensorsFile.open(second.resolve("vae/diffusion_pytorch_model.safetensors"))) {
            assertArrayEquals(a.readFloats("encoder.conv_in.weight"), b.readFloats("encoder.conv_in.weight"), 0f);
        }
        try (EditModel model = EditModel.load(ModelPath.of(second), rt)) {
            assertEquals(2, model.unet().config().layersPerBlock());
            assertEquals(List.of(96, 128, 128), model.unet().config().blockOutChannels(), "--unet-width 96");
        }
        for (int width : new int[] {16, 80, 288}) {
            IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                    () -> new TinyModelTrainer.Options(second, dir, 3, 2, 2, 2, 3, 0, 2, TinyModelTrainer.UNET_LR, null, null,
                            0, 1, TinyModelSpec.SHIPPED_LATENT_FACTOR, width, TinyModelSpec.FAN_IN_TOKEN_EMBEDDING_STD, TinyModelSpec.SD_BETA_END, 0));
            assertTrue(e.getMessage().contains("width"), e.getMessage());
        }
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> new TinyModelTrainer.Options(
                second, dir, 3, 2, 2, 2, 3, 0, 2, TinyModelTrainer.UNET_LR, new TinyModelTrainer.InitFrom(first, 1), first,
                0, 1, TinyModelSpec.SHIPPED_LATENT_FACTOR, TinyModelSpec.SHIPPED_UNET_WIDTH, TinyModelSpec.FAN_IN_TOKEN_EMBEDDING_STD, TinyModelSpec.SD_BETA_END, 0),
                "continue from one model or take the VAE of one, not both");
    }
}
