package org.draglora.engine.tools;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.function.LongFunction;
import org.draglora.engine.edit.EditModel;
import org.draglora.engine.model.ModelPath;
import org.draglora.engine.runtime.EngineRuntime;
import org.draglora.engine.schedule.DdimScheduler;
import org.draglora.engine.shapes.Scene;
import org.draglora.engine.shapes.SceneGenerator;
import org.draglora.engine.train.TinyModelReport;
import org.draglora.engine.train.TinyModelSpec;
import org.draglora.engine.train.TinyModelTrainer;
import org.draglora.engine.train.TrainingExample;
import org.draglora.engine.unet.UNet2DConditionConfig;
import org.draglora.engine.vae.AutoencoderKLConfig;

/**
 * {@code draglora train-tiny}: trains (or resumes training of) the embedded model on generated
 * shape scenes, exports it, reads it back through the standard loaders, measures it and writes its
 * model card ({@code README.md}, {@code samples.png}, {@code loss.png}) next to the weights.
 */
public final class TrainTinyTool {

    private TrainTinyTool() {}

    /** Training data: scene {@code index} of the generator, at the model's image size. */
    public static LongFunction<TrainingExample> scenes(long seed) {
        return scenes(seed, 0);
    }

    /**
     * Training data: scene {@code index} of the generator, at the model's image size, or with probability
     * {@code plainShare} (decided per index, so both calls for one sample agree) the generator's plain scene of
     * the same seed, one solid object on a flat background ({@link SceneGenerator#plain}).
     */
    public static LongFunction<TrainingExample> scenes(long seed, double plainShare) {
        return scenes(seed, plainShare, 1);
    }

    /**
     * As {@link #scenes(long, double)}, the plain scenes holding 1 to {@code plainObjects} solid objects
     * ({@link SceneGenerator#plain(long, int, int, int)}).
     */
    public static LongFunction<TrainingExample> scenes(long seed, double plainShare, int plainObjects) {
        return scenes(seed, plainShare, plainObjects, Double.NaN);
    }

    /**
     * As {@link #scenes(long, double, int)}, a share {@code singleShare} of the plain scenes (decided per index
     * like the plain draw) holding one object and the others 2 to {@code plainObjects}; NaN draws every plain
     * scene's count evenly from 1 to {@code plainObjects}, as {@link #scenes(long, double, int)} does.
     */
    public static LongFunction<TrainingExample> scenes(long seed, double plainShare, int plainObjects, double singleShare) {
        int side = TinyModelSpec.IMAGE_SIZE;
        return index -> {
            long sceneSeed = seed * 1_000_003L + index;
            boolean plain = plainShare > 0 && new SplittableRandom(sceneSeed ^ PLAIN_DRAW_SALT).nextDouble() < plainShare;
            Scene scene;
            if (!plain) {
                scene = SceneGenerator.generate(sceneSeed, side, side);
            } else if (Double.isNaN(singleShare)) {
                scene = SceneGenerator.plain(sceneSeed, side, side, plainObjects);
            } else if (new SplittableRandom(sceneSeed ^ SINGLE_DRAW_SALT).nextDouble() < singleShare) {
                scene = SceneGenerator.plain(sceneSeed, side, side);
            } else {
                scene = SceneGenerator.plain(sceneSeed, side, side, 2, plainObjects);
            }
            return new TrainingExample(scene.render(), scene.prompt());
        };
    }

    /** Mixed into a scene's seed for the draw that makes it plain, so that draw is not the scene's own first one. */
    private static final long PLAIN_DRAW_SALT = 0x5DEECE66DL;
    /** Mixed into a plain scene's seed for the draw that gives it one object, apart from the plain draw. */
    private static final long SINGLE_DRAW_SALT = 0x2545F4914F6CDD1DL;

    /** Held-out scenes for the report (a seed stream training never uses). */
    public static LongFunction<TrainingExample> heldOut() {
        return scenes(-777);
    }

    /** Trains and, when finished, exports, measures and documents the model. */
    public static TinyModelTrainer.Result run(TinyModelTrainer.Options o, EngineRuntime rt,
            TinyModelTrainer.Listener listener) throws IOException {
        TinyModelTrainer.Result r = TinyModelTrainer.run(o, rt, scenes(o.seed(), o.plainSceneShare(), o.plainSceneObjects(),
                o.plainSingleShare()),
                listener);
        if (!r.finished()) {
            return r;
        }
        try (EditModel model = EditModel.load(ModelPath.of(o.out()), rt)) {
            listener.message("measuring the exported model");
            TinyModelReport.Numbers n = TinyModelReport.write(model, o.out(), o.work().resolve("loss.csv"), heldOut(), rt);
            writeCard(o, n);
            listener.message(String.format(Locale.ROOT, "VAE reconstruction %.1f dB, inversion to t=%d and "
                    + "regeneration %.1f dB (PSNR over %d held-out scenes)", n.vaePsnr(), n.dragTimestep(), n.inversionPsnr(),
                    n.scenes()));
        }
        return r;
    }

    /** The UNet's learning-rate schedule in words. */
    static String schedule(TinyModelTrainer.Options o) {
        String decay = o.unetLrDecaySteps() == 0 ? "" : String.format(Locale.ROOT,
                ", falling linearly to nearly 0 over the last %d steps", o.unetLrDecaySteps());
        if (o.initFrom() == null) {
            return String.format(Locale.ROOT, "AdamW lr %.3g (200 warm-up steps%s)", o.unetLr(), decay);
        }
        // the initial model's steps ran under its own run's settings, which this run does not know: its card says
        int k = o.initFrom().unetStep();
        return String.format(Locale.ROOT, "AdamW: steps 1-%d as the initial model was trained (its own card gives "
                + "their learning rate), then steps %d-%d lr %.3g (fresh optimiser moments, 200 warm-up steps%s)", k,
                k + 1, o.unetSteps(), o.unetLr(), decay);
    }

    /** The card's words on stage 1b (decoder fine-tuning), after the VAE bullet; empty without it. */
    static String decoder(TinyModelTrainer.Options o) {
        if (o.decoderSteps() == 0) {
            return "";
        }
        return String.format(Locale.ROOT, """

                - VAE decoder: then %d steps of the decoder alone, the encoder frozen (so the latents, their
                  scaling factor and what the UNet learns stay as they were), batch %d on 32x32 crops, L1,
                  AdamW lr 1e-3 (200 warm-up steps) falling linearly to nearly 0.""", o.decoderSteps(), o.vaeBatch());
    }

    /** The card's words on the UNet's plain scenes, after the data bullet; empty without them. */
    static String plainScenes(TinyModelTrainer.Options o) {
        if (o.plainSceneShare() == 0) {
            return "";
        }
        String objects = o.plainSceneObjects() == 1 ? "one solid object"
                : Double.isNaN(o.plainSingleShare()) ? "1 to " + o.plainSceneObjects() + " solid objects"
                : String.format(Locale.ROOT, "one solid object in %.0f %% of them, 2 to %d in the others,",
                        100 * o.plainSingleShare(), o.plainSceneObjects());
        return String.format(Locale.ROOT, "; for the UNet, %.0f %% of the scenes are plain, %s on a flat "
                + "background (`SceneGenerator.plain`), the rest the full stream", 100 * o.plainSceneShare(), objects);
    }

    /** The card's words on the VAE's scale-equivariance term, after its KL; empty without it. */
    static String equivariance(TinyModelTrainer.Options o) {
        if (o.vaeEquivariance() == 0) {
            return "";
        }
        return String.format(Locale.ROOT, " + %s x EQ-VAE's scale equivariance (the 2x2-pooled latent decoded against "
                + "the 2x2-pooled crop, L1)", o.vaeEquivariance());
    }

    /** The commands that reproduce the run. */
    static String reproduce(TinyModelTrainer.Options o) {
        String shapeFlags = (o.latentFactor() != TinyModelSpec.SHIPPED_LATENT_FACTOR ? " --latent-factor " + o.latentFactor() : "")
                + (o.unetWidth() != TinyModelSpec.SHIPPED_UNET_WIDTH ? " --unet-width " + o.unetWidth() : "")
                + (o.tokenEmbeddingStd() != TinyModelSpec.SHIPPED_TOKEN_EMBEDDING_STD
                        ? " --token-embedding-std " + o.tokenEmbeddingStd() : "")
                + (o.betaEnd() != TinyModelSpec.SHIPPED_BETA_END ? " --beta-end " + o.betaEnd() : "");
        String dataFlags = (o.plainSceneShare() != TinyModelSpec.SHIPPED_PLAIN_SCENE_SHARE
                ? " --plain-scenes " + o.plainSceneShare() : "")
                + (o.plainSceneObjects() != TinyModelSpec.SHIPPED_PLAIN_SCENE_OBJECTS ? " --plain-objects " + o.plainSceneObjects() : "")
                + (Double.isNaN(o.plainSingleShare()) ? "" : " --plain-single " + o.plainSingleShare())
                + (o.trainTextEncoder() != TinyModelSpec.SHIPPED_TRAIN_TEXT_ENCODER
                        ? " --train-text-encoder " + o.trainTextEncoder() : "");
        // the last command's schedule flags: the cool-down, and stage 1b's steps where they are not the default
        String later = (o.unetLrDecaySteps() == 0 ? "" : " --unet-lr-decay " + o.unetLrDecaySteps())
                + (o.decoderSteps() == TinyModelSpec.SHIPPED_DECODER_STEPS ? "" : " --decoder-steps " + o.decoderSteps())
                + dataFlags;
        // The earlier run this one took its VAE (or whole model) from: one that trains a decoder of its own took a
        // VAE whose run had none (the fifth version); one that trains none took the decoder with the VAE (the
        // sixth), so that run had the default stage.
        String earlier = o.initFrom() == null && o.vaeFrom() == null || TinyModelSpec.SHIPPED_DECODER_STEPS == 0
                || o.decoderSteps() == 0 ? "" : " --decoder-steps 0";
        String vaeFlags = o.vaeEquivariance() != TinyModelSpec.SHIPPED_VAE_EQUIVARIANCE
                ? " --vae-equivariance " + o.vaeEquivariance() : "";
        String first = String.format(Locale.ROOT, "`./draglora train-tiny --vae-steps %d --unet-steps %d%s%s%s --out DIR`",
                o.vaeSteps(), o.vaeFrom() != null ? 0 : o.initFrom() == null ? o.unetSteps() : o.initFrom().unetStep(), vaeFlags,
                shapeFlags, earlier);
        if (o.vaeFrom() != null) {
            return first + String.format(Locale.ROOT, " for the VAE, then "
                    + "`./draglora train-tiny --work NEW_DIR --vae-from DIR --unet-steps %d --unet-lr %s%s --out "
                    + "models/shapes-64`", o.unetSteps(), o.unetLr(),
                    (o.minSnrGamma() > 0 ? " --min-snr-gamma " + o.minSnrGamma() : "")
                    + (o.unetLayers() != 1 ? " --unet-layers " + o.unetLayers() : "") + shapeFlags + later);
        }
        if (o.initFrom() == null) {
            return first.replace("--out DIR", String.format(Locale.ROOT, "--unet-lr %s --min-snr-gamma %s --unet-layers %d%s "
                    + "--out models/shapes-64", o.unetLr(), o.minSnrGamma(), o.unetLayers(), later));
        }
        return first + String.format(Locale.ROOT, ", then `./draglora train-tiny --work NEW_DIR --init-from DIR "
                + "--init-step %d --unet-steps %d --unet-lr %s%s --out models/shapes-64`", o.initFrom().unetStep(),
                o.unetSteps(), o.unetLr(), later);
    }

    /** The card's scheduler bullet. */
    static String noiseSchedule(TinyModelTrainer.Options o) {
        if (o.betaEnd() == TinyModelSpec.SD_BETA_END) {
            return "DDIM with SD 1.5's noise schedule (scaled linear 0.00085..0.012, 1000 steps).";
        }
        DdimScheduler schedule = new DdimScheduler(o.schedule());
        double strength = TinyModelSpec.inversionStrength(o.schedule());
        long tDrag = schedule.dragTimestep(50, strength);
        return String.format(Locale.ROOT, """
                DDIM with SD 1.5's scaled linear betas run to %s instead of 0.012 (1000 steps), so that
                  the last step keeps less of the image (cumulative alpha at t = 999 %.2g against SD's 0.0047);
                  `draglora.json` inverts by %s of 50 steps (t = %d, cumulative alpha %.3f), the noise
                  level of SD's drag timestep (t = 681, 0.095).""", o.betaEnd(), schedule.alphaCumprod(999), strength,
                tDrag, schedule.alphaCumprod(tDrag));
    }

    /** The card's VAE and UNet bullets, read from the configurations the run trained. */
    static String architecture(TinyModelTrainer.Options o) {
        AutoencoderKLConfig vae = TinyModelSpec.vae(1.0, o.latentFactor());
        UNet2DConditionConfig unet = TinyModelSpec.unet(o.unetLayers(), o.latentFactor(), o.unetWidth());
        int latent = TinyModelSpec.IMAGE_SIZE / o.latentFactor();
        List<String> attention = new ArrayList<>();
        for (int i = 0; i < unet.downBlockTypes().size(); i++) {
            if (unet.downBlockTypes().get(i).startsWith("CrossAttn")) {
                int side = latent >> i;
                attention.add(side + "x" + side);
            }
        }
        return String.format(Locale.ROOT, """
                - Images 64x64 RGB. VAE (`AutoencoderKL`): %d blocks of %s channels, one resnet per
                  block, %dx down-sampling to %dx%dx4 latents, GroupNorm 16; latent scaling factor from the
                  trained latents' standard deviation (see `vae/config.json`).
                - UNet (`UNet2DConditionModel`): blocks of %s channels, %d resnet(s) per down block,
                  cross-attention transformers at %s (4 heads), GroupNorm 16, text width 64.""",
                vae.blockOutChannels().size(), join(vae.blockOutChannels()), o.latentFactor(), latent, latent,
                join(unet.blockOutChannels()), o.unetLayers(), String.join(" and ", attention)).strip();
    }

    private static String join(List<Integer> values) {
        return values.stream().map(String::valueOf).collect(java.util.stream.Collectors.joining(", "));
    }

    static void writeCard(TinyModelTrainer.Options o, TinyModelReport.Numbers n) throws IOException {
        String card = String.format(Locale.ROOT, """
                # shapes-64: draglora's embedded default model

                A small latent diffusion model with Stable Diffusion 1.5's architecture, trained by
                `draglora train-tiny` on procedurally generated scenes of simple shapes (1-3 discs, squares,
                triangles, rings and stars in solid, striped, checkered or gradient fills on flat, gradient,
                striped or noisy backgrounds; `org.draglora.engine.shapes.SceneGenerator`). It exists so that
                `draglora serve` and `draglora edit` work on any CPU, and so that the ShapeDrag benchmark can
                measure edit quality against exact ground truth. It knows nothing but shapes.

                ## Configuration

                %s
                - Text encoder (`CLIPTextModel`): 2 layers of width 64, 4 heads, %d positions, %s
                  seeded random initialisation (token embeddings of standard deviation %s); CLIP tokenizer of
                  %d tokens: the 512 byte-level symbols, one token per word the scene prompts use (built by
                  byte-pair merges), start and end.
                - Scheduler: %s
                - Weights stored as float16 (widened to float32 exactly when loaded).

                ## Training

                - Data: a fresh generated scene per sample (seed %d), prompts describing the scene, 10 %% empty%s.
                - VAE: %d steps of batch %d on 32x32 crops, AdamW lr 1e-3 (200 warm-up steps), L1 + 1e-6 KL%s%s.%s
                - UNet: %d steps of batch %d, %s, epsilon MSE%s, t ~ U{0..999},
                  EMA with diffusers' warm-up, decay min(0.999, (1 + step) / (10 + step)) (the exported weights).
                - Loss curves: `loss.png` (raw and smoothed%s). Samples: `samples.png`, 16 held-out
                  scenes, each beside a sample from noise with its prompt (DDIM 50 steps, classifier-free
                  guidance %s).

                ## Quality

                Mean PSNR over %d held-out generated scenes: VAE reconstruction %.1f dB; DDIM inversion to
                the drag timestep (t = %d of DDIM's 50 steps) and regeneration with the same prompt %.1f dB (without
                a RecLoRA; the drag pipeline fits one per image, which reconstructs better).

                Reproduce: %s (resumable; `--hours` stops at a checkpoint), then this card is rewritten
                with the new numbers.
                """, architecture(o), TinyModelSpec.MAX_TOKENS,
                o.trainTextEncoder() ? "trained with the UNet (its EMA exported) from its" : "frozen at its", o.tokenEmbeddingStd(), TinyModelSpec.VOCAB, noiseSchedule(o),
                o.seed(), plainScenes(o), o.vaeSteps(), o.vaeBatch(), equivariance(o),
                o.vaeFrom() == null ? "" : " (taken, decoder included, from an earlier run's export, `--vae-from`; the first command below)", decoder(o), o.unetSteps(), o.unetBatch(), schedule(o),
                o.minSnrGamma() > 0 ? String.format(Locale.ROOT, " with Min-SNR weighting (gamma %s)", o.minSnrGamma()) : "",
                o.vaeFrom() == null ? "" : "; this run trained no VAE steps, so the VAE panel says so: the VAE's curve is in the"
                        + " `loss.png` of the model it came from", TinyModelReport.SAMPLE_GUIDANCE, n.scenes(),
                n.vaePsnr(), n.dragTimestep(), n.inversionPsnr(), reproduce(o));
        Files.writeString(o.out().resolve("README.md"), card, StandardCharsets.UTF_8);
    }
}
