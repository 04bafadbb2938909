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
        return tiny(out, work, vae, unet).build();
    }

    /**
     * The first version's settings (UNet lr 2e-4, plain MSE, one resnet per block: the quickest UNet,
     * token embeddings of the fan-in spread, SD's schedule, no cool-down, no decoder stage) at a few
     * steps of batch 2.
     */
    private static TinyModelTrainer.Builder tiny(Path out, Path work, int vae, int unet) {
        return TinyModelTrainer.Options.builder(out, work).vaeSteps(vae).unetSteps(unet).batches(2, 2).seed(3)
                .checkpointEvery(2).unetLr(TinyModelTrainer.UNET_LR).minSnrGamma(0).unetLayers(1)
                .tokenEmbeddingStd(TinyModelSpec.FAN_IN_TOKEN_EMBEDDING_STD).betaEnd(TinyModelSpec.SD_BETA_END)
                .unetLrDecaySteps(0).decoderSteps(0).plainSceneShare(0);
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
        TinyModelTrainer.Options o = tiny(out, dir.resolve("work"), 2, 2).minSnrGamma(5).latentFactor(2).build();
        assertTrue(TinyModelTrainer.run(o, rt, TrainTinyTool.scenes(3), QUIET).finished());
        try (EditModel model = EditModel.load(ModelPath.of(out), rt)) {
            assertEquals(2, model.latentScale(), "64x64 images, 32x32 latents");
            assertEquals(32, model.unet().config().sampleSize());
            assertEquals(List.of(32, 64, 128), model.unet().config().blockOutChannels());
            assertEquals(List.of(32, 64), model.vae().config().blockOutChannels());
        }
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> tiny(out, dir, 3, 2).latentFactor(8).build(),
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
    void theShareOfPlainScenesIsRecordedAndAResumeWithAnotherIsRefused(@TempDir Path dir) throws Exception {
        EngineRuntime rt = EngineRuntime.cpu();
        Path out = dir.resolve("out");
        Path work = dir.resolve("work");
        TinyModelTrainer.Options half = tiny(out, work, 2, 2).plainSceneShare(0.5).build();
        assertTrue(TinyModelTrainer.run(half, rt, TrainTinyTool.scenes(3, 0.5), QUIET).finished());
        try (SafetensorsFile f = SafetensorsFile.open(work.resolve(TinyModelTrainer.UNET_FILE))) {
            assertEquals("0.5", f.metadata().get(TinyModelTrainer.PLAIN_SCENE_SHARE_KEY));
        }
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> TinyModelTrainer.run(tiny(out, work, 2, 3).build(), rt, TrainTinyTool.scenes(3), QUIET));
        assertTrue(e.getMessage().contains("share of plain scenes of 0.5, this run asks for 0.0: pass --plain-scenes 0.5"),
                e.getMessage());
        assertTrue(TinyModelTrainer.run(tiny(out, work, 2, 3).plainSceneShare(0.5).build(), rt, TrainTinyTool.scenes(3, 0.5),
                QUIET).finished(), "the same share resumes");
        for (double bad : new double[] {-0.1, 1, Double.NaN}) {
            org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                    () -> tiny(out, work, 2, 3).plainSceneShare(bad).build(), "share " + bad);
        }
    }

    @Test
    void theShareOfSingleObjectPlainScenesIsRecordedAndHeldAcrossResumes(@TempDir Path dir) throws Exception {
        EngineRuntime rt = EngineRuntime.cpu();
        Path out = dir.resolve("out");
        Path work = dir.resolve("work");
        assertTrue(TinyModelTrainer.run(tiny(out, work, 2, 3).plainSceneShare(0.5).plainSceneObjects(3).plainSingleShare(0.5)
                .build(), rt, TrainTinyTool.scenes(3, 0.5, 3, 0.5), QUIET).finished());
        try (SafetensorsFile checkpoint = SafetensorsFile.open(work.resolve(TinyModelTrainer.UNET_FILE))) {
            assertEquals("0.5", checkpoint.metadata().get(TinyModelTrainer.PLAIN_SINGLE_SHARE_KEY));
        }
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> TinyModelTrainer.run(tiny(out, work, 2, 4).plainSceneShare(0.5).plainSceneObjects(3).build(), rt,
                        TrainTinyTool.scenes(3, 0.5, 3), QUIET));
        assertTrue(e.getMessage().contains("share of single-object plain scenes of 0.5, this run asks for "
                + TinyModelTrainer.EVEN_OBJECT_COUNTS + ": pass --plain-single 0.5"), e.getMessage());
        assertTrue(TinyModelTrainer.run(tiny(out, work, 2, 4).plainSceneShare(0.5).plainSceneObjects(3).plainSingleShare(0.5)
                .build(), rt, TrainTinyTool.scenes(3, 0.5, 3, 0.5), QUIET).finished(), "the same share resumes");
        for (double bad : new double[] {-0.1, 1.5}) {
            org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                    () -> tiny(out, work, 2, 3).plainSceneShare(0.5).plainSceneObjects(3).plainSingleShare(bad).build(),
                    "share " + bad);
        }
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> tiny(out, work, 2, 3).plainSceneShare(0.5).plainSingleShare(0.5).build(), "one-object plain scenes");
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> tiny(out, work, 2, 3).plainSceneShare(0).plainSceneObjects(3).plainSingleShare(0.5).build(),
                "no plain scenes");
    }

    @Test
    void aTextEncoderTrainingWithTheUnetLearnsIsExportedFromItsAverageAndHeldAcrossResumes(@TempDir Path dir)
            throws Exception {
        EngineRuntime rt = EngineRuntime.cpu();
        Path out = dir.resolve("out");
        Path work = dir.resolve("work");
        TinyModelTrainer.Options trained = tiny(out, work, 2, 3).trainTextEncoder(true).plainSceneShare(0.5)
                .plainSceneObjects(3).unetLr(1e-2).build();
        assertTrue(TinyModelTrainer.run(trained, rt, TrainTinyTool.scenes(3, 0.5, 3), QUIET).finished());
        String embedding = "text_model.embeddings.token_embedding.weight";
        String attention = "text_model.encoder.layers.1.self_attn.q_proj.weight";
        try (SafetensorsFile start = SafetensorsFile.open(work.resolve(TinyModelTrainer.TEXT_FILE));
                SafetensorsFile checkpoint = SafetensorsFile.open(work.resolve(TinyModelTrainer.UNET_FILE));
                SafetensorsFile exported = SafetensorsFile.open(out.resolve("text_encoder/model.safetensors"))) {
            assertEquals("true", checkpoint.metadata().get(TinyModelTrainer.TEXT_ENCODER_TRAINED_KEY));
            assertEquals("3", checkpoint.metadata().get(TinyModelTrainer.PLAIN_SCENE_OBJECTS_KEY));
            for (String key : List.of(embedding, attention)) {
                float[] initial = start.readFloats(key);
                float[] weights = checkpoint.readFloats("param." + key);
                float[] ema = checkpoint.readFloats("ema." + key);
                assertTrue(maxDifference(initial, weights) > 1e-5, key + " trains (a frozen one stays bit for bit): " + maxDifference(initial, weights));
                assertArrayEquals(ema, exported.readFloats(key), 0f, key + ": the export is the moving average");
                assertTrue(maxDifference(initial, ema) > 0 && maxDifference(ema, weights) > 0,
                        key + ": the average lies between the start and the weights");
            }
        }
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> TinyModelTrainer.run(tiny(out, work, 2, 4).plainSceneShare(0.5).plainSceneObjects(3).build(), rt,
                        TrainTinyTool.scenes(3, 0.5, 3), QUIET));
        assertTrue(e.getMessage().contains("has a text encoder training with it: true, this run asks for false: pass "
                + "--train-text-encoder true"), e.getMessage());
        e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> TinyModelTrainer.run(tiny(out, work, 2, 4).trainTextEncoder(true).plainSceneShare(0.5).build(), rt,
                        TrainTinyTool.scenes(3, 0.5), QUIET));
        assertTrue(e.getMessage().contains("plain scenes of at most this many objects: 3, this run asks for 1: pass "
                + "--plain-objects 3"), e.getMessage());
        assertTrue(TinyModelTrainer.run(tiny(out, work, 2, 4).trainTextEncoder(true).plainSceneShare(0.5).plainSceneObjects(3)
                .unetLr(1e-2).build(), rt, TrainTinyTool.scenes(3, 0.5, 3), QUIET).finished(), "the same settings resume");
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> tiny(out, work, 2, 4).plainSceneObjects(4).build(), "at most 3 objects");
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> tiny(out, work, 0, 4).trainTextEncoder(true).initFrom(new TinyModelTrainer.InitFrom(out, 4)).build(),
                "a trained text encoder cannot continue an exported model");
    }

    private static double maxDifference(float[] a, float[] b) {
        double max = 0;
        for (int i = 0; i < a.length; i++) {
            max = Math.max(max, Math.abs(a[i] - b[i]));
        }
        return max;
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
                () -> TinyModelTrainer.run(tiny(onward, dir.resolve("work-2"), 2, 4).initFrom(new TinyModelTrainer.InitFrom(out, 3))
                        .build(), rt, TrainTinyTool.scenes(3), QUIET));
        assertTrue(e.getMessage().contains("pass --beta-end 0.02"), "continuing an exported model keeps its schedule: "
                + e.getMessage());
        for (double bad : new double[] {0, 0.0005, 0.2, Double.NaN}) {
            org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                    () -> scheduleOptions(out, work, 3, bad), "beta end " + bad);
        }
    }

    private static TinyModelTrainer.Options scheduleOptions(Path out, Path work, int unetSteps, double betaEnd) {
        return tiny(out, work, 2, unetSteps).betaEnd(betaEnd).build();
    }

    private static TinyModelTrainer.Options spreadOptions(Path out, Path work, int unetSteps, double std) {
        return tiny(out, work, 2, unetSteps).tokenEmbeddingStd(std).build();
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
        TinyModelTrainer.Options o = tiny(dir.resolve("out"), dir.resolve("work"), 2, 4).unetLrDecaySteps(2).build();
        assertTrue(TinyModelTrainer.run(o, rt, TrainTinyTool.scenes(3), QUIET).finished());
        double[] lr = Files.readAllLines(dir.resolve("work/loss.csv")).stream().filter(l -> l.startsWith("unet,"))
                .mapToDouble(l -> Double.parseDouble(l.split(",")[3])).toArray();
        assertEquals(4, lr.length);
        double warm = TinyModelTrainer.UNET_LR / 200; // the warm-up's first steps
        assertEquals(1 * warm, lr[0], 1e-9);
        assertEquals(2 * warm, lr[1], 1e-9);
        assertEquals(3 * warm * 1.0, lr[2], 1e-9, "the decay starts at step 3 of 4");
        assertEquals(4 * warm * 0.5, lr[3], 1e-9);
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> tiny(dir, dir, 2, 4).unetLrDecaySteps(5).build(),
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
        Path first = firstModel(dir, rt);
        Path second = dir.resolve("second");
        TinyModelTrainer.Options o = tiny(second, dir.resolve("work-2"), 3, 2).vaeFrom(first).minSnrGamma(5).unetLayers(2)
                .unetWidth(96).build();
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
                    () -> tiny(second, dir, 3, 2).unetWidth(width).build());
            assertTrue(e.getMessage().contains("width"), e.getMessage());
        }
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> tiny(second, dir, 3, 2).initFrom(new TinyModelTrainer.InitFrom(first, 1)).vaeFrom(first).build(),
                "continue from one model or take the VAE of one, not both");
    }

    /** A model of 3 VAE steps and 1 UNet step, exported to dir/first, for runs that start from it. */
    private static Path firstModel(Path dir, EngineRuntime rt) throws Exception {
        Path first = dir.resolve("first");
        assertTrue(TinyModelTrainer.run(options(first, dir.resolve("work-1"), 3, 1), rt, TrainTinyTool.scenes(3), QUIET)
                .finished());
        return first;
    }

    private static TinyModelTrainer.Options decoderOptions(Path out, Path work, Path vaeFrom, double hours, int decoderSteps) {
        return tiny(out, work, 3, 1).vaeFrom(vaeFrom).maxHours(hours).decoderSteps(decoderSteps).build();
    }

    @Test
    void theDecoderFineTuningChangesOnlyTheDecoderAndResumesLikeAnUninterruptedRun(@TempDir Path dir) throws Exception {
        EngineRuntime rt = EngineRuntime.cpu();
        Path first = firstModel(dir, rt);
        Path whole = dir.resolve("whole");
        TinyModelTrainer.Result r = TinyModelTrainer.run(decoderOptions(whole, dir.resolve("work-2"), first, 0, 3), rt,
                TrainTinyTool.scenes(3), QUIET);
        assertTrue(r.finished());
        assertEquals(3, r.decoderStep());
        List<String> log = Files.readAllLines(dir.resolve("work-2/loss.csv"));
        assertEquals(3, log.stream().filter(l -> l.startsWith("decoder,")).count(), String.join("\n", log));
        assertTrue(log.get(1).startsWith("decoder,1,") && log.get(4).startsWith("unet,1,"), "the decoder before the UNet");
        String vae = "vae/diffusion_pytorch_model.safetensors";
        try (SafetensorsFile a = SafetensorsFile.open(first.resolve(vae)); SafetensorsFile b = SafetensorsFile.open(whole.resolve(vae))) {
            for (String frozen : List.of("encoder.conv_in.weight", "encoder.conv_out.weight", "quant_conv.weight")) {
                assertArrayEquals(a.readFloats(frozen), b.readFloats(frozen), 0f, frozen + " is the encoder's: frozen");
            }
        }
        // the stage's own checkpoint (float32; the export's float16 can round a few small steps away) holds the
        // decoder's arrays only, moved from the first model's
        try (SafetensorsFile a = SafetensorsFile.open(first.resolve(vae));
                SafetensorsFile c = SafetensorsFile.open(dir.resolve("work-2").resolve(TinyModelTrainer.DECODER_FILE))) {
            for (String tuned : List.of("post_quant_conv.weight", "decoder.conv_in.weight", "decoder.conv_out.weight")) {
                assertTrue(!java.util.Arrays.equals(a.readFloats(tuned), c.readFloats("param." + tuned)), tuned + " did not change");
            }
            assertTrue(c.tensors().keySet().stream().filter(k -> k.startsWith("param.")).allMatch(
                    k -> k.startsWith("param.decoder.") || k.startsWith("param.post_quant_conv.")), c.tensors().keySet().toString());
        }
        try (EditModel model = EditModel.load(ModelPath.of(first), rt); EditModel tuned = EditModel.load(ModelPath.of(whole), rt)) {
            assertEquals(model.scalingFactor(), tuned.scalingFactor(), 1e-4f * model.scalingFactor(),
                    "the frozen encoder keeps the latents' scale (up to the float16 export of the first model's encoder)");
        }

        // a run stopped by its time budget after the first decoder step, then resumed, ends where the whole run did
        Path work = dir.resolve("work-3");
        Path resumedOut = dir.resolve("resumed");
        TinyModelTrainer.Result stopped = TinyModelTrainer.run(decoderOptions(resumedOut, work, first, 1e-12, 3), rt,
                TrainTinyTool.scenes(3), QUIET);
        assertTrue(!stopped.finished() && stopped.decoderStep() == 1 && stopped.unetStep() == 0, stopped.toString());
        List<String> messages = new java.util.ArrayList<>();
        TinyModelTrainer.Listener listening = new TinyModelTrainer.Listener() {
            @Override
            public void step(String stage, int step, int total, double loss) {}

            @Override
            public void message(String line) {
                messages.add(line);
            }
        };
        assertTrue(TinyModelTrainer.run(decoderOptions(resumedOut, work, first, 0, 3), rt, TrainTinyTool.scenes(3), listening)
                .finished());
        assertTrue(messages.contains("resuming the decoder at step 1"), messages.toString());
        try (SafetensorsFile a = SafetensorsFile.open(dir.resolve("work-2").resolve(TinyModelTrainer.DECODER_FILE));
                SafetensorsFile b = SafetensorsFile.open(work.resolve(TinyModelTrainer.DECODER_FILE))) {
            for (String key : List.of("param.decoder.conv_out.weight", "adam_v.decoder.conv_in.weight")) {
                assertArrayEquals(a.readFloats(key), b.readFloats(key), 0f, key + ": resumed and uninterrupted runs differ");
            }
        }
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> decoderOptions(whole, work, first, 0, -1));
        assertTrue(e.getMessage().contains("decoder"), e.getMessage());
    }

    @Test
    void theVaeEquivarianceTermIsAddedToTheVaeLossRecordedAndHeldAcrossResumes(@TempDir Path dir) throws Exception {
        EngineRuntime rt = EngineRuntime.cpu();
        Path plainWork = dir.resolve("plain");
        Path eqWork = dir.resolve("eq");
        assertTrue(TinyModelTrainer.run(tiny(dir.resolve("out-plain"), plainWork, 1, 0).build(), rt, TrainTinyTool.scenes(3),
                QUIET).finished());
        assertTrue(TinyModelTrainer.run(tiny(dir.resolve("out-eq"), eqWork, 1, 0).vaeEquivariance(1.0).build(), rt,
                TrainTinyTool.scenes(3), QUIET).finished());
        // the same seeded weights and crops at step 1: the logged losses differ by the term, an L1 distance
        // between an untrained decoder's output and an image, far from 0
        double plain = firstVaeLoss(plainWork);
        double eq = firstVaeLoss(eqWork);
        assertTrue(eq - plain > 0.05, "step 1's VAE loss " + eq + " with the term, " + plain + " without");
        try (SafetensorsFile a = SafetensorsFile.open(plainWork.resolve(TinyModelTrainer.VAE_FILE));
                SafetensorsFile b = SafetensorsFile.open(eqWork.resolve(TinyModelTrainer.VAE_FILE))) {
            assertEquals("1.0", b.metadata().get(TinyModelTrainer.EQUIVARIANCE_KEY));
            assertEquals("0.0", a.metadata().get(TinyModelTrainer.EQUIVARIANCE_KEY));
            String key = "param.encoder.conv_in.weight";
            assertTrue(!java.util.Arrays.equals(a.readFloats(key), b.readFloats(key)), "the term reaches the encoder");
        }
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> TinyModelTrainer.run(tiny(dir.resolve("out-eq"), eqWork, 2, 0).build(), rt, TrainTinyTool.scenes(3),
                        QUIET));
        assertTrue(e.getMessage().contains("equivariance weight of 1.0, this run asks for 0.0: pass --vae-equivariance 1.0"),
                e.getMessage());
        assertEquals(2, TinyModelTrainer.run(tiny(dir.resolve("out-eq"), eqWork, 2, 0).vaeEquivariance(1.0).build(), rt,
                TrainTinyTool.scenes(3), QUIET).vaeStep(), "the same weight resumes");
        e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> tiny(dir, dir, 1, 0).vaeEquivariance(-1).build());
        assertTrue(e.getMessage().contains("equivariance"), e.getMessage());
    }

    private static double firstVaeLoss(Path work) throws Exception {
        String line = Files.readAllLines(work.resolve(TinyModelTrainer.LOSS_LOG)).stream()
                .filter(l -> l.startsWith("vae,1,")).findFirst().orElseThrow();
        return Double.parseDouble(line.split(",")[2]);
    }
}
