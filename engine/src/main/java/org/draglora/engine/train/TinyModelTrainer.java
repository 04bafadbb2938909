package org.draglora.engine.train;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.function.IntToDoubleFunction;
import java.util.function.LongFunction;
import org.draglora.engine.clip.CLIPTextModel;
import org.draglora.engine.clip.CLIPTokenizer;
import org.draglora.engine.edit.RandomStream;
import org.draglora.engine.io.ImageTensors;
import org.draglora.engine.io.RgbImage;
import org.draglora.engine.nn.Ops;
import org.draglora.engine.optim.AdamW;
import org.draglora.engine.runtime.EngineRuntime;
import org.draglora.engine.runtime.ExitGuard;
import org.draglora.engine.runtime.NoGrad;
import org.draglora.engine.schedule.DdimConfig;
import org.draglora.engine.schedule.DdimScheduler;
import org.draglora.engine.unet.ForwardContext;
import org.draglora.engine.unet.UNet2DConditionModel;
import org.draglora.engine.vae.AutoencoderKL;
import org.draglora.engine.vae.LatentDistribution;
import org.draglora.engine.weights.DType;
import org.draglora.engine.weights.SafetensorsWriter;
import org.draglora.engine.weights.WeightScope;

/**
 * {@code draglora train-tiny}: trains the embedded model in stages on generated images and
 * exports it as a diffusers folder. Stage 1 fits the VAE (L1 reconstruction plus a small KL term,
 * on 32x32 crops: the VAE is convolutional, crops cost a quarter). Stage 1b, when asked for,
 * fine-tunes its decoder alone ({@link #trainDecoder}). The scaling factor is then set to
 * 1 / std of the latents, as SD's 0.18215 was. Stage 2 trains the UNet on the latents with SD's
 * epsilon objective and noise schedule, prompts through the text encoder (10 % empty; its token
 * embeddings drawn with a chosen spread, {@link #initialiseTokenEmbeddings}; frozen at that random start, or
 * training with the UNet, {@link Options#trainTextEncoder()}), and an exponential moving average of the
 * weights, which is what gets exported.
 *
 * <p>Every stage checkpoints to the work folder and resumes from it, so training can run in
 * several sittings ({@code --hours} stops at a checkpoint). The data stream is a function of the
 * seed and the step, so a resumed run sees the same data as an uninterrupted one.
 */
public final class TinyModelTrainer {

    /**
     * @param out the diffusers folder to export to
     * @param work checkpoints, the loss log and the text encoder's random start
     * @param maxHours stop (after a checkpoint) once this much wall time has passed; 0 = no limit
     * @param vaeFrom an exported model (a diffusers folder this trainer wrote) whose VAE to take as
     *     stage 1 when the work folder has no VAE checkpoint, or null; the text encoder and the UNet
     *     start fresh (so a new text encoder or UNet configuration trains on a proven VAE)
     * @param minSnrGamma Min-SNR loss weighting of the epsilon objective, {@code min(SNR(t), gamma) / SNR(t)}
     *     per sample (Hang et al. 2023, "Efficient Diffusion Training via Min-SNR Weighting Strategy", eq. 6
     *     for epsilon prediction; 5 in the paper), or 0 for the plain mean squared error
     * @param unetLayers resnets per UNet down block ({@link TinyModelSpec#unet(int)}; the shipped model has 2)
     * @param latentFactor image side over latent side, 4 (16x16 latents, the shipped model) or 2 (32x32;
     *     {@link TinyModelSpec#vae(double, int)}, {@link TinyModelSpec#unet(int, int)})
     * @param unetWidth the UNet's channels at the 16x16 latent level ({@link TinyModelSpec#unet(int, int, int)};
     *     the shipped model has 64)
     * @param tokenEmbeddingStd standard deviation of the text encoder's random token embeddings
     *     ({@link #initialiseTokenEmbeddings}; {@link TinyModelSpec#SHIPPED_TOKEN_EMBEDDING_STD})
     * @param betaEnd the noise schedule's last beta ({@link TinyModelSpec#scheduler(double)}; SD's
     *     {@link TinyModelSpec#SD_BETA_END} or the shipped {@link TinyModelSpec#SHIPPED_BETA_END})
     * @param unetLrDecaySteps over the last this many UNet steps the learning rate falls linearly to
     *     nearly 0 ({@link #learningRateFactor}); 0 keeps it constant after the warm-up
     * @param decoderSteps steps of stage 1b, which fine-tunes the VAE's decoder alone once the VAE is
     *     trained ({@link #trainDecoder}); 0 skips it
     * @param vaeEquivariance weight of the VAE stage's scale-equivariance term ({@link #equivarianceLoss}), 0 for none
     * @param plainSceneShare the share of the UNet's training scenes that are plain, one solid object on a flat
     *     background ({@link org.draglora.engine.shapes.SceneGenerator#plain}), in [0, 1): the data function
     *     the caller passes draws them ({@link org.draglora.engine.tools.TrainTinyTool#scenes(long, double)});
     *     the trainer records it in the UNet checkpoint and refuses to resume with another
     * @param plainSceneObjects the most solid objects a plain scene holds, 1 to 3
     *     ({@link org.draglora.engine.shapes.SceneGenerator#plain(long, int, int, int)}); drawn by the data
     *     function too, recorded and checked like the share
     * @param plainSingleShare the share of the plain scenes that hold a single object, the others holding 2 to
     *     {@code plainSceneObjects} ({@link org.draglora.engine.tools.TrainTinyTool#scenes(long, double, int, double)});
     *     NaN (the default) draws every plain scene's count evenly from 1 to {@code plainSceneObjects}. Needs
     *     plain scenes of up to 2 or 3 objects; recorded and checked like the share
     * @param trainTextEncoder whether the text encoder trains with the UNet (same optimiser, learning rate
     *     and EMA; its trained weights live in the UNet checkpoint and the export takes their average), so
     *     that a shape word can learn which colour word it belongs to; false keeps it frozen at its seeded
     *     random initialisation. Recorded in the UNet checkpoint; a resume with the other setting is refused
     */
    public record Options(Path out, Path work, int vaeSteps, int unetSteps, int vaeBatch, int unetBatch, long seed,
            double maxHours, int checkpointEvery, double unetLr, InitFrom initFrom, Path vaeFrom, double minSnrGamma,
            int unetLayers, int latentFactor, int unetWidth, double tokenEmbeddingStd, double betaEnd, int unetLrDecaySteps,
            int decoderSteps, double vaeEquivariance, double plainSceneShare, int plainSceneObjects,
            double plainSingleShare, boolean trainTextEncoder) {
        public Options {
            if (!Double.isNaN(plainSingleShare)) {
                if (!(plainSingleShare >= 0 && plainSingleShare <= 1)) {
                    throw new IllegalArgumentException("the share of single-object plain scenes must be in [0, 1], got "
                            + plainSingleShare);
                }
                if (plainSceneShare == 0 || plainSceneObjects == 1) {
                    throw new IllegalArgumentException("--plain-single splits the plain scenes of up to 2 or 3 objects; "
                            + "pass --plain-scenes above 0 and --plain-objects 2 or 3 with it");
                }
            }
            if (plainSceneObjects < 1 || plainSceneObjects > 3) {
                throw new IllegalArgumentException("plain scenes hold at most 1 to 3 objects, got " + plainSceneObjects);
            }
            if (trainTextEncoder && initFrom != null) {
                throw new IllegalArgumentException("--train-text-encoder trains a text encoder from its random start with "
                        + "a fresh UNet; it cannot continue an exported model (--init-from)");
            }
            if (!(plainSceneShare >= 0 && plainSceneShare < 1)) {
                throw new IllegalArgumentException("the share of plain scenes must be in [0, 1), got " + plainSceneShare);
            }
            if (!(vaeEquivariance >= 0 && vaeEquivariance <= 10)) {
                throw new IllegalArgumentException("the VAE's equivariance weight must be in [0, 10], got " + vaeEquivariance);
            }
            if (decoderSteps < 0) {
                throw new IllegalArgumentException("decoder fine-tuning steps must be >= 0, got " + decoderSteps);
            }
            if (unetLrDecaySteps < 0 || unetLrDecaySteps > unetSteps) {
                throw new IllegalArgumentException("the learning rate's decay must last 0 to " + unetSteps
                        + " UNet steps (all of them), got " + unetLrDecaySteps);
            }
            if (!(betaEnd >= MIN_BETA_END && betaEnd <= MAX_BETA_END)) {
                throw new IllegalArgumentException("the noise schedule's last beta must be in [" + MIN_BETA_END + ", "
                        + MAX_BETA_END + "], got " + betaEnd);
            }
            if (!(tokenEmbeddingStd > 0 && tokenEmbeddingStd <= 100)) {
                throw new IllegalArgumentException("the token embeddings' standard deviation must be in (0, 100], got "
                        + tokenEmbeddingStd);
            }
            if (vaeSteps < 0 || unetSteps < 0 || vaeBatch < 1 || unetBatch < 1 || maxHours < 0 || checkpointEvery < 1
                    || !(unetLr > 0 && unetLr < 1) || !(minSnrGamma >= 0) || unetLayers < 1 || unetLayers > 4
                    || (latentFactor != 2 && latentFactor != 4)) {
                throw new IllegalArgumentException("invalid training options: " + vaeSteps + " VAE steps, " + unetSteps
                        + " UNet steps, batches " + vaeBatch + "/" + unetBatch + ", " + maxHours + " h, checkpoint every "
                        + checkpointEvery + ", UNet lr " + unetLr + ", min-SNR gamma " + minSnrGamma + ", " + unetLayers
                        + " UNet layers per block, latent factor " + latentFactor + " (2 or 4)");
            }
            TinyModelSpec.unet(unetLayers, latentFactor, unetWidth); // rejects a width the UNet cannot have
            if (initFrom != null && vaeFrom != null) {
                throw new IllegalArgumentException("continue from one model (--init-from) or take the VAE of one "
                        + "(--vae-from), not both");
            }
            if (initFrom != null && initFrom.unetStep() > unetSteps) {
                throw new IllegalArgumentException("the model to continue from has " + initFrom.unetStep()
                        + " UNet steps, more than the " + unetSteps + " asked for");
            }
        }

        /**
         * A builder for a run that exports to {@code out} and checkpoints to {@code work}, every other
         * setting at the shipped model's value ({@code train-tiny}'s defaults) until set.
         */
        public static Builder builder(Path out, Path work) {
            return new Builder(out, work);
        }

        /** The noise schedule the UNet trains on. */
        public DdimConfig schedule() {
            return TinyModelSpec.scheduler(betaEnd);
        }
    }

    /**
     * Builds {@link Options} by name. Every setting starts at the shipped model's value; the
     * learning-rate cool-down, unless set, lasts the shipped share of the UNet steps
     * ({@link TinyModelSpec#lrDecaySteps}). {@link #build} validates (the record's constructor).
     */
    public static final class Builder {
        /** The data and initialisation seed the shipped model was trained with. */
        public static final long DEFAULT_SEED = 1;
        /** Steps between checkpoints. */
        public static final int DEFAULT_CHECKPOINT_EVERY = 200;

        private final Path out;
        private final Path work;
        private int vaeSteps = TinyModelSpec.SHIPPED_VAE_STEPS;
        private int unetSteps = TinyModelSpec.SHIPPED_UNET_STEPS;
        private int vaeBatch = TinyModelSpec.SHIPPED_VAE_BATCH;
        private int unetBatch = TinyModelSpec.SHIPPED_UNET_BATCH;
        private long seed = DEFAULT_SEED;
        private double maxHours;
        private int checkpointEvery = DEFAULT_CHECKPOINT_EVERY;
        private double unetLr = TinyModelSpec.SHIPPED_UNET_LR;
        private InitFrom initFrom;
        private Path vaeFrom;
        private double minSnrGamma = TinyModelSpec.SHIPPED_MIN_SNR_GAMMA;
        private int unetLayers = TinyModelSpec.SHIPPED_LAYERS_PER_BLOCK;
        private int latentFactor = TinyModelSpec.SHIPPED_LATENT_FACTOR;
        private int unetWidth = TinyModelSpec.SHIPPED_UNET_WIDTH;
        private double tokenEmbeddingStd = TinyModelSpec.SHIPPED_TOKEN_EMBEDDING_STD;
        private double betaEnd = TinyModelSpec.SHIPPED_BETA_END;
        private Integer unetLrDecaySteps;
        private int decoderSteps = TinyModelSpec.SHIPPED_DECODER_STEPS;
        private double vaeEquivariance = TinyModelSpec.SHIPPED_VAE_EQUIVARIANCE;
        private double plainSceneShare = TinyModelSpec.SHIPPED_PLAIN_SCENE_SHARE;
        private int plainSceneObjects = TinyModelSpec.SHIPPED_PLAIN_SCENE_OBJECTS;
        private double plainSingleShare = Double.NaN;
        private boolean trainTextEncoder = TinyModelSpec.SHIPPED_TRAIN_TEXT_ENCODER;

        private Builder(Path out, Path work) {
            this.out = out;
            this.work = work;
        }

        public Builder vaeSteps(int v) {
            vaeSteps = v;
            return this;
        }

        public Builder unetSteps(int v) {
            unetSteps = v;
            return this;
        }

        /** The VAE's batch (its stage and the decoder's) and the UNet's. */
        public Builder batches(int vae, int unet) {
            vaeBatch = vae;
            unetBatch = unet;
            return this;
        }

        public Builder seed(long v) {
            seed = v;
            return this;
        }

        /** Stop at a checkpoint after this much wall time; 0 (the default) runs to the end. */
        public Builder maxHours(double v) {
            maxHours = v;
            return this;
        }

        public Builder checkpointEvery(int v) {
            checkpointEvery = v;
            return this;
        }

        public Builder unetLr(double v) {
            unetLr = v;
            return this;
        }

        public Builder initFrom(InitFrom v) {
            initFrom = v;
            return this;
        }

        public Builder vaeFrom(Path v) {
            vaeFrom = v;
            return this;
        }

        public Builder minSnrGamma(double v) {
            minSnrGamma = v;
            return this;
        }

        public Builder unetLayers(int v) {
            unetLayers = v;
            return this;
        }

        public Builder latentFactor(int v) {
            latentFactor = v;
            return this;
        }

        public Builder unetWidth(int v) {
            unetWidth = v;
            return this;
        }

        public Builder tokenEmbeddingStd(double v) {
            tokenEmbeddingStd = v;
            return this;
        }

        public Builder betaEnd(double v) {
            betaEnd = v;
            return this;
        }

        public Builder unetLrDecaySteps(int v) {
            unetLrDecaySteps = v;
            return this;
        }

        public Builder decoderSteps(int v) {
            decoderSteps = v;
            return this;
        }

        public Builder vaeEquivariance(double v) {
            vaeEquivariance = v;
            return this;
        }

        public Builder plainSceneShare(double v) {
            plainSceneShare = v;
            return this;
        }

        public Builder plainSceneObjects(int v) {
            plainSceneObjects = v;
            return this;
        }

        /** The share of plain scenes holding one object; NaN (the default) draws the count evenly. */
        public Builder plainSingleShare(double v) {
            plainSingleShare = v;
            return this;
        }

        public Builder trainTextEncoder(boolean v) {
            trainTextEncoder = v;
            return this;
        }

        public Options build() {
            return new Options(out, work, vaeSteps, unetSteps, vaeBatch, unetBatch, seed, maxHours, checkpointEvery, unetLr,
                    initFrom, vaeFrom, minSnrGamma, unetLayers, latentFactor, unetWidth, tokenEmbeddingStd, betaEnd,
                    unetLrDecaySteps != null ? unetLrDecaySteps : TinyModelSpec.lrDecaySteps(unetSteps), decoderSteps,
                    vaeEquivariance, plainSceneShare, plainSceneObjects, plainSingleShare, trainTextEncoder);
        }
    }

    /**
     * Continue from an exported model (a diffusers folder this trainer wrote) instead of from
     * scratch, when the work folder has no checkpoints: its text encoder and VAE are taken as they
     * are (stage 1 counts as done), its UNet weights start both the trained and the EMA weights at
     * step {@code unetStep}, with fresh optimiser moments (so the learning rate warms up again).
     *
     * @param model the exported model's folder
     * @param unetStep how many UNet steps that model was trained for
     */
    public record InitFrom(Path model, int unetStep) {
        public InitFrom {
            if (unetStep < 0) {
                throw new IllegalArgumentException("unetStep must be >= 0, got " + unetStep);
            }
        }
    }

    /** Receives progress. */
    public interface Listener {
        void step(String stage, int step, int total, double loss);

        void message(String line);
    }

    /** How far training got. */
    public record Result(boolean finished, int vaeStep, int decoderStep, int unetStep) {}

    static final String TEXT_FILE = "text_encoder.safetensors";
    /** Text encoder metadata (work folder and export): the token embeddings' standard deviation at initialisation. */
    static final String TOKEN_EMBEDDING_STD_KEY = "token_embedding_std";
    /** VAE checkpoint metadata: the weight of the scale-equivariance term ({@link Options#vaeEquivariance()}). */
    static final String EQUIVARIANCE_KEY = "equivariance";
    /** UNet checkpoint metadata: the noise schedule's last beta. */
    static final String BETA_END_KEY = "beta_end";
    /** UNet checkpoint metadata: the share of plain scenes in its data ({@link Options#plainSceneShare()}). */
    static final String PLAIN_SCENE_SHARE_KEY = "plain_scene_share";
    /** UNet checkpoint metadata: the most objects of a plain scene ({@link Options#plainSceneObjects()}). */
    static final String PLAIN_SCENE_OBJECTS_KEY = "plain_scene_objects";
    /**
     * UNet checkpoint metadata: the share of single-object plain scenes ({@link Options#plainSingleShare()}),
     * {@value #EVEN_OBJECT_COUNTS} where the counts are drawn evenly.
     */
    static final String PLAIN_SINGLE_SHARE_KEY = "plain_single_share";
    /**
     * {@link #PLAIN_SINGLE_SHARE_KEY}'s value for evenly drawn counts, what checkpoints written before it held, and
     * the word {@code train-tiny --plain-single} takes for them (a refused resume names it).
     */
    public static final String EVEN_OBJECT_COUNTS = "even";
    /** UNet checkpoint metadata: whether it holds a text encoder training with it ({@link Options#trainTextEncoder()}). */
    static final String TEXT_ENCODER_TRAINED_KEY = "text_encoder_trained";
    /**
     * The range of {@link Options#betaEnd()}: above the first beta (0.00085) up to 0.05, where t = 999
     * keeps about 4e-9 of the signal's power (cumulative alpha).
     */
    static final double MIN_BETA_END = 0.001;
    static final double MAX_BETA_END = 0.05;
    static final String VAE_FILE = "vae.safetensors";
    /** Stage 1b's checkpoint: the decoder's weights (keys as in the VAE) and their optimiser. */
    static final String DECODER_FILE = "vae-decoder.safetensors";
    static final String UNET_FILE = "unet.safetensors";
    static final String LOSS_LOG = "loss.csv";
    private static final double KL_WEIGHT = 1e-6;
    /** The decoder stage's data indices start here, past any VAE stage's (and below the UNet's 1,000,000). */
    private static final int DECODER_DATA_OFFSET = 500_000;
    private static final double VAE_LR = 1e-3;
    /**
     * The first shipped UNet's learning rate (AdamW, after {@link #WARMUP} warm-up steps; the shipped
     * one is {@link TinyModelSpec#SHIPPED_UNET_LR}); also the nominal rate of the fresh optimiser written into
     * a checkpoint seeded from an exported model (every step sets its own rate).
     */
    public static final double UNET_LR = 2e-4;
    private static final int WARMUP = 200;
    private static final double EMA_DECAY = 0.999;

    /**
     * The Min-SNR weight of the epsilon loss at a noise level with cumulative alpha {@code alphaCumprod}:
     * {@code min(SNR, gamma) / SNR} with {@code SNR = abar / (1 - abar)} (Hang et al. 2023, eq. 6 for
     * epsilon prediction), 1 where {@code gamma} is 0. It leaves the noisy steps (SNR below gamma)
     * at 1 and turns down the nearly clean ones, whose noise is hard to see and whose gradients
     * otherwise dominate.
     */
    static double minSnrWeight(double alphaCumprod, double gamma) {
        if (gamma == 0) {
            return 1;
        }
        double snr = alphaCumprod / (1 - alphaCumprod);
        return Math.min(snr, gamma) / snr;
    }

    /** The linear warm-up's factor on a stage's learning rate after {@code steps} optimiser steps: 1 from {@link #WARMUP} on. */
    static double warmUpFactor(int steps) {
        return Math.min(1.0, (steps + 1.0) / WARMUP);
    }

    /**
     * The factor on the UNet's learning rate at (0-based) step {@code step} of {@code steps}: 1, and
     * over the last {@code decaySteps} steps a linear fall to {@code 1 / decaySteps} at the last step
     * (a constant rate then a linear cool-down, so the run ends in the minimum its noisy steps
     * circle around rather than wherever the last step lands).
     */
    static double learningRateFactor(int step, int steps, int decaySteps) {
        if (decaySteps == 0) {
            return 1;
        }
        return Math.min(1.0, (steps - step) / (double) decaySteps);
    }

    /**
     * The EMA's decay after {@code step} steps: diffusers' warm-up rule {@code min(0.999, (1 + step) /
     * (10 + step))} (diffusers.training_utils.EMAModel.get_decay), so the average forgets the first,
     * poor weights quickly (a constant 0.999 from step 200 still held 11 % of the step-200 weights
     * at step 2,400) and averages over about the last 1,000 steps only in long runs.
     */
    static double emaDecay(int step) {
        return Math.min(EMA_DECAY, (1.0 + step) / (10.0 + step));
    }

    private final Options o;
    private final EngineRuntime rt;
    private final LongFunction<TrainingExample> data;
    private final Listener listener;
    private final long deadline;

    private TinyModelTrainer(Options o, EngineRuntime rt, LongFunction<TrainingExample> data, Listener listener) {
        this.o = o;
        this.rt = rt;
        this.data = data;
        this.listener = listener;
        this.deadline = o.maxHours() == 0 ? Long.MAX_VALUE : System.nanoTime() + (long) (o.maxHours() * 3.6e12);
    }

    /** Runs (or resumes) training and, when every step is done, exports the model. */
    public static Result run(Options o, EngineRuntime rt, LongFunction<TrainingExample> data, Listener listener)
            throws IOException {
        Files.createDirectories(o.work());
        return new TinyModelTrainer(o, rt, data, listener).run();
    }

    private Result run() throws IOException {
        try (NDManager m = rt.newManager()) {
            WeightScope textScope = WeightScope.random(m, DataType.FLOAT32);
            rt.seed(o.seed());
            CLIPTextModel text = new CLIPTextModel(textScope, TinyModelSpec.text());
            initialiseTokenEmbeddings(textScope, o.tokenEmbeddingStd());
            ParameterSet textParams = new ParameterSet(textScope.arrays());
            Path textFile = o.work().resolve(TEXT_FILE);
            if (o.initFrom() != null && !Files.exists(textFile)) {
                Files.copy(o.initFrom().model().resolve("text_encoder/model.safetensors"), textFile);
            }
            String spread = Double.toString(o.tokenEmbeddingStd());
            if (Files.isRegularFile(textFile)) {
                try (var f = org.draglora.engine.weights.SafetensorsFile.open(textFile)) {
                    // files written before the spread was recorded had the fan-in draw
                    String found = f.metadata().getOrDefault(TOKEN_EMBEDDING_STD_KEY,
                            Double.toString(TinyModelSpec.FAN_IN_TOKEN_EMBEDDING_STD));
                    requireRecorded(found, spread, "the text encoder in " + textFile + " has token embeddings of "
                            + "standard deviation", "--token-embedding-std");
                    textParams.read(f, "");
                }
            } else {
                SafetensorsWriter w = new SafetensorsWriter().metadata("format", "pt")
                        .metadata(TOKEN_EMBEDDING_STD_KEY, spread);
                textParams.write(w, "", DType.F32);
                w.write(textFile);
            }
            Path tokDir = o.work().resolve("tokenizer");
            ShapesTokenizer.write(tokDir, TinyModelSpec.MAX_TOKENS);
            CLIPTokenizer tokenizer = CLIPTokenizer.load(tokDir);

            WeightScope vaeScope = WeightScope.random(m, DataType.FLOAT32);
            AutoencoderKL vae = new AutoencoderKL(vaeScope, TinyModelSpec.vae(1.0, o.latentFactor()));
            ParameterSet vaeParams = new ParameterSet(vaeScope.arrays());
            Path vaeSource = o.vaeFrom() != null ? o.vaeFrom() : o.initFrom() != null ? o.initFrom().model() : null;
            seedCheckpoint(m, vaeSource, vaeParams, null, "vae/diffusion_pytorch_model.safetensors", VAE_FILE, o.vaeSteps(),
                    Map.of("stage", "vae"));
            int vaeStep = trainVae(m, vae, vaeParams);
            if (vaeStep < o.vaeSteps()) {
                return new Result(false, vaeStep, 0, 0);
            }
            int decoderStep = trainDecoder(m, vae, vaeParams);
            if (decoderStep < o.decoderSteps()) {
                return new Result(false, vaeStep, decoderStep, 0);
            }
            double scaling = scalingFactor(m, vae);
            listener.message(String.format(Locale.ROOT, "VAE latent scaling factor %.5f", scaling));

            WeightScope unetScope = WeightScope.random(m, DataType.FLOAT32);
            UNet2DConditionModel unet = new UNet2DConditionModel(unetScope, TinyModelSpec.unet(o.unetLayers(), o.latentFactor(), o.unetWidth()));
            ParameterSet unetParams = new ParameterSet(unetScope.arrays());
            ParameterSet ema = unetParams.copy();
            if (o.initFrom() != null) {
                // the model's own schedule, so that continuing it on another is refused (trainUnet)
                double modelBetaEnd = DdimConfig.load(o.initFrom().model().resolve("scheduler/scheduler_config.json")).betaEnd();
                seedCheckpoint(m, o.initFrom().model(), unetParams, ema, "unet/diffusion_pytorch_model.safetensors", UNET_FILE,
                        o.initFrom().unetStep(), Map.of("stage", "unet", BETA_END_KEY, Double.toString(modelBetaEnd)));
            }
            // a text encoder training with the UNet shares its checkpoint, optimiser and EMA (keys text_model.*)
            ParameterSet textEma = o.trainTextEncoder() ? textParams.copy() : null;
            ParameterSet trained = textEma == null ? unetParams : unetParams.with(textParams);
            ParameterSet trainedEma = textEma == null ? ema : ema.with(textEma);
            int unetStep = trainUnet(m, unet, trained, trainedEma, vae, scaling, text, tokenizer);
            if (unetStep < o.unetSteps()) {
                return new Result(false, vaeStep, decoderStep, unetStep);
            }
            export(scaling, ema, vaeParams, textEma == null ? textParams : textEma);
            return new Result(true, vaeStep, decoderStep, unetStep);
        }
    }

    /**
     * With an exported model {@code model} to start from and no checkpoint {@code file} yet, writes one
     * at {@code step} holding that model's weights {@code weights} (as the EMA too, when there is one)
     * and a fresh optimiser, with {@code metadata} (its "stage" at least).
     */
    private void seedCheckpoint(NDManager m, Path model, ParameterSet params, ParameterSet ema, String weights, String file,
            int step, Map<String, String> metadata) throws IOException {
        Path checkpoint = o.work().resolve(file);
        if (model == null || Files.exists(checkpoint)) {
            return;
        }
        Path source = model.resolve(weights);
        try (var f = org.draglora.engine.weights.SafetensorsFile.open(source)) {
            params.read(f, "");
        }
        if (ema != null) {
            ema.assign(params);
        }
        try (NDManager s = m.newSubManager()) {
            AdamW fresh = new AdamW(params.list(), AdamW.Settings.of(UNET_LR, 0), s);
            Map<String, String> all = new HashMap<>(metadata);
            all.put("init_from", source.toString());
            TrainingCheckpoint.save(checkpoint, params, ema, fresh, step, all);
        }
        listener.message("continuing from " + source + " at " + metadata.get("stage") + " step " + step);
    }

    /**
     * As {@link #requireRecorded(String, String, String, String)} for the value a checkpoint's metadata
     * {@code saved} records under {@code key} ({@code legacy} for checkpoints written before it was recorded);
     * no checkpoint yet passes.
     */
    private static void requireRecorded(Optional<Map<String, String>> saved, String key, String legacy, String asked,
            String what, String flag) {
        requireRecorded(saved.map(md -> md.getOrDefault(key, legacy)).orElse(asked), asked, what, flag);
    }

    /**
     * Refuses to continue a work folder with an option other than the one it {@code recorded}: the
     * message is {@code what}, the recorded value, what this run {@code asked}, and the {@code flag}
     * that continues it.
     */
    private static void requireRecorded(String recorded, String asked, String what, String flag) {
        if (!recorded.equals(asked)) {
            throw new IllegalArgumentException(what + " " + recorded + ", this run asks for " + asked + ": pass " + flag + " "
                    + recorded + " to continue it, or use another --work folder");
        }
    }

    /**
     * Rescales the randomly drawn token embeddings of a text encoder built on {@code scope} (drawn with
     * the fan-in spread, 1 / sqrt(width)) to standard deviation {@code std}. The frozen encoder's two
     * random layers mix every token with the ones before it and its final layer norm rescales them,
     * so with the fan-in spread two prompts that differ in one word differ little at that word's
     * position (cosine 0.81 between "black" and "yellow" in the same sentence); at std 1 the word
     * dominates its position (0.46) while some of it still reaches the next word, which binds
     * colours to shapes (docs/shapedrag-experiments.md, "Prompts the UNet can read: the third version").
     */
    static void initialiseTokenEmbeddings(WeightScope scope, double std) {
        NDArray embeddings = scope.arrays().get("text_model.embeddings.token_embedding.weight");
        // (vocab, width): drawn with std 1 / sqrt(width)
        double drawn = 1.0 / Math.sqrt(embeddings.getShape().get(1));
        try (NoGrad ignored = NoGrad.open()) {
            embeddings.muli((float) (std / drawn));
        }
    }

    // ---- stage 1: the VAE --------------------------------------------------------------------

    private int trainVae(NDManager m, AutoencoderKL vae, ParameterSet params) throws IOException {
        params.setRequiresGradient(true);
        AdamW opt = new AdamW(params.list(), AdamW.Settings.of(VAE_LR, 0), m);
        Path file = o.work().resolve(VAE_FILE);
        String equivariance = Double.toString(o.vaeEquivariance());
        Optional<Map<String, String>> saved = TrainingCheckpoint.load(file, params, null, opt);
        // checkpoints written before the term existed trained without it
        requireRecorded(saved, EQUIVARIANCE_KEY, "0.0", equivariance,
                "the VAE checkpoint in " + file + " trained with an equivariance weight of", "--vae-equivariance");
        int step = resumedStep(saved, "VAE");
        RandomStream random = new RandomStream(o.seed());
        Stage stage = new Stage("vae", "VAE", o.vaeSteps(), file, params, null,
                Map.of("stage", "vae", EQUIVARIANCE_KEY, equivariance));
        step = runStage(m, stage, step, opt, k -> VAE_LR * warmUpFactor(k), (s, k) -> {
            NDArray x = crops(s, k, o.vaeBatch(), 32);
            LatentDistribution d = vae.encode(x);
            NDArray eps = random.gaussian(s, d.mean().getShape(), RandomStream.Purpose.RECLORA_POSTERIOR, k);
            NDArray z = d.sample(eps);
            NDArray l1 = vae.decode(z).sub(x).abs().mean();
            // KL(q || N(0, 1)) summed over latent elements, averaged over the batch
            NDArray kl = d.mean().square().add(d.std().square()).sub(1f).sub(d.logvar()).sum();
            NDArray total = l1.add(Ops.scale(kl, 0.5 * KL_WEIGHT / o.vaeBatch()));
            if (o.vaeEquivariance() > 0) {
                total = total.add(Ops.scale(equivarianceLoss(vae, z, x), o.vaeEquivariance()));
            }
            return new StepLoss(total, total.getFloat());
        });
        params.setRequiresGradient(false);
        return step;
    }

    /**
     * EQ-VAE's scale-equivariance term (Kouzelis et al., "EQ-VAE: Equivariance Regularized Latent Space
     * for Improved Generative Image Modeling", ICML 2025, arXiv 2502.09509, eq. 4 with the 2x
     * down-scaling): the L1 distance between the decoded half-size latent and the half-size image,
     * both halved by 2x2 mean pooling. Plain L1 and a small KL leave this VAE's latents edge maps,
     * outlines with halos that a UNet must draw as exact double contours; a decoder that must also
     * draw a shrunken image from a shrunken latent needs each latent cell to say what lies there, so
     * the latents become filled, halo-free small images (docs/shapedrag-experiments.md, "Is it the
     * data, or the latent space?").
     *
     * @param z posterior samples, (B, 4, h, w)
     * @param x the images they encode, (B, 3, h * f, w * f)
     */
    static NDArray equivarianceLoss(AutoencoderKL vae, NDArray z, NDArray x) {
        return vae.decode(Ops.averagePool2x(z)).sub(Ops.averagePool2x(x)).abs().mean();
    }

    // ---- stage 1b: the decoder alone ----------------------------------------------------------

    /**
     * Fine-tunes the VAE's decoder (post_quant_conv and decoder) with the encoder frozen, for
     * {@link Options#decoderSteps()} steps: L1 reconstruction of 32x32 crops from posterior samples,
     * AdamW at the VAE's rate after a warm-up, falling linearly to nearly 0 over the stage. Frozen, the
     * encoder keeps the latent space (and the scaling factor) the UNet learns, so a decoder can be
     * sharpened after the UNet has trained, as Stability AI's sd-vae-ft-mse did for SD's decoder. The
     * VAE stage's 2,500 joint steps at a constant rate leave the decoder blurring corners, thin rings
     * and striped fills (docs/shapedrag-experiments.md, "A sharper decoder: the fifth version").
     */
    private int trainDecoder(NDManager m, AutoencoderKL vae, ParameterSet vaeParams) throws IOException {
        if (o.decoderSteps() == 0) {
            return 0;
        }
        Map<String, NDArray> decoderArrays = new LinkedHashMap<>();
        vaeParams.arrays().forEach((k, v) -> {
            if (k.startsWith("decoder.") || k.startsWith("post_quant_conv.")) {
                decoderArrays.put(k, v);
            }
        });
        ParameterSet params = new ParameterSet(decoderArrays);
        params.setRequiresGradient(true);
        AdamW opt = new AdamW(params.list(), AdamW.Settings.of(VAE_LR, 0), m);
        Path file = o.work().resolve(DECODER_FILE);
        int step = resumedStep(TrainingCheckpoint.load(file, params, null, opt), "decoder");
        RandomStream random = new RandomStream(o.seed() + 2);
        Stage stage = new Stage("decoder", "decoder", o.decoderSteps(), file, params, null, Map.of("stage", "decoder"));
        step = runStage(m, stage, step, opt,
                k -> VAE_LR * warmUpFactor(opt.steps()) * learningRateFactor(k, o.decoderSteps(), o.decoderSteps()), (s, k) -> {
                    // scenes the VAE stage never saw (its batches are 0 .. vaeSteps - 1)
                    NDArray x = crops(s, DECODER_DATA_OFFSET + k, o.vaeBatch(), 32);
                    NDArray z;
                    try (NoGrad ignored = NoGrad.open()) {
                        LatentDistribution d = vae.encode(x);
                        z = d.sample(random.gaussian(s, d.mean().getShape(), RandomStream.Purpose.RECLORA_POSTERIOR, k));
                    }
                    NDArray l1 = vae.decode(z).sub(x).abs().mean();
                    return new StepLoss(l1, l1.getFloat());
                });
        params.setRequiresGradient(false);
        return step;
    }

    /**
     * The step a stage's checkpoint had reached, from its {@code saved} metadata ({@link TrainingCheckpoint#load}),
     * 0 without one; a resume is said, with the stage's {@code name}.
     */
    private int resumedStep(Optional<Map<String, String>> saved, String name) {
        int step = saved.map(md -> Integer.parseInt(md.get("step"))).orElse(0);
        if (step > 0) {
            listener.message("resuming the " + name + " at step " + step);
        }
        return step;
    }

    /** A batch of random square crops (aligned to the VAE's latent grid), (B, 3, size, size). */
    private NDArray crops(NDManager s, int step, int batch, int size) {
        NDList parts = new NDList();
        SplittableRandom r = new SplittableRandom(o.seed() * 31 + step);
        int cell = o.latentFactor(); // pixels per latent cell
        for (int b = 0; b < batch; b++) {
            RgbImage img = data.apply(((long) step << 8) + b).image();
            int top = cell * r.nextInt((img.height() - size) / cell + 1);
            int left = cell * r.nextInt((img.width() - size) / cell + 1);
            parts.add(ImageTensors.toTensor(img, s).get(":, :, {}:{}, {}:{}", top, top + size, left, left + size));
        }
        return NDArrays.concat(parts, 0);
    }

    /** 1 / std of the posterior means of 256 training images (SD's 0.18215 was found this way). */
    private double scalingFactor(NDManager m, AutoencoderKL vae) {
        try (NDManager s = m.newSubManager(); NoGrad ignored = NoGrad.open()) {
            NDList means = new NDList();
            for (int i = 0; i < 8; i++) {
                means.add(vae.encode(images(s, -1 - i, 32)).mean());
            }
            NDArray all = NDArrays.concat(means, 0);
            double mean = all.mean().getFloat();
            double var = all.sub((float) mean).square().mean().getFloat();
            return 1.0 / Math.sqrt(var);
        }
    }

    private NDArray images(NDManager s, long batchIndex, int batch) {
        NDList parts = new NDList();
        for (int b = 0; b < batch; b++) {
            parts.add(ImageTensors.toTensor(data.apply((batchIndex << 8) + b).image(), s));
        }
        return NDArrays.concat(parts, 0);
    }

    // ---- stage 2: the UNet -------------------------------------------------------------------

    private int trainUnet(NDManager m, UNet2DConditionModel unet, ParameterSet params, ParameterSet ema,
            AutoencoderKL vae, double scaling, CLIPTextModel text, CLIPTokenizer tokenizer) throws IOException {
        params.setRequiresGradient(true);
        AdamW opt = new AdamW(params.list(), AdamW.Settings.of(o.unetLr(), 0), m);
        Path file = o.work().resolve(UNET_FILE);
        String betaEnd = Double.toString(o.betaEnd());
        String plainShare = Double.toString(o.plainSceneShare());
        String plainObjects = Integer.toString(o.plainSceneObjects());
        String plainSingle = Double.isNaN(o.plainSingleShare()) ? EVEN_OBJECT_COUNTS : Double.toString(o.plainSingleShare());
        String textTrained = Boolean.toString(o.trainTextEncoder());
        // checked before loading: a checkpoint without the text encoder's keys cannot load into a set with them
        requireRecorded(TrainingCheckpoint.metadata(file), TEXT_ENCODER_TRAINED_KEY, "false", textTrained,
                "the UNet checkpoint in " + file + " has a text encoder training with it:", "--train-text-encoder");
        Optional<Map<String, String>> saved = TrainingCheckpoint.load(file, params, ema, opt);
        // checkpoints written before the schedule was recorded trained on SD's
        requireRecorded(saved, BETA_END_KEY, Double.toString(TinyModelSpec.SD_BETA_END), betaEnd,
                "the UNet checkpoint in " + file + " trained on a noise schedule ending at beta", "--beta-end");
        // checkpoints written before the share was recorded trained on the full stream alone
        requireRecorded(saved, PLAIN_SCENE_SHARE_KEY, "0.0", plainShare,
                "the UNet checkpoint in " + file + " trained with a share of plain scenes of", "--plain-scenes");
        requireRecorded(saved, PLAIN_SCENE_OBJECTS_KEY, "1", plainObjects,
                "the UNet checkpoint in " + file + " trained on plain scenes of at most this many objects:", "--plain-objects");
        requireRecorded(saved, PLAIN_SINGLE_SHARE_KEY, EVEN_OBJECT_COUNTS, plainSingle,
                "the UNet checkpoint in " + file + " trained with a share of single-object plain scenes of", "--plain-single");
        int step = resumedStep(saved, "UNet");
        if (step == 0) {
            ema.assign(params);
        }
        DdimScheduler schedule = new DdimScheduler(o.schedule());
        RandomStream random = new RandomStream(o.seed() + 1);
        int batch = o.unetBatch();
        Stage stage = new Stage("unet", "UNet", o.unetSteps(), file, params, ema,
                Map.of("stage", "unet", "scaling_factor", Double.toString(scaling), BETA_END_KEY, betaEnd,
                        PLAIN_SCENE_SHARE_KEY, plainShare, PLAIN_SCENE_OBJECTS_KEY, plainObjects, PLAIN_SINGLE_SHARE_KEY,
                        plainSingle, TEXT_ENCODER_TRAINED_KEY, textTrained));
        // the warm-up counts the optimiser's own steps, so it restarts with fresh moments (InitFrom)
        step = runStage(m, stage, step, opt,
                k -> o.unetLr() * warmUpFactor(opt.steps()) * learningRateFactor(k, o.unetSteps(), o.unetLrDecaySteps()), (s, k) -> {
                    long batchIndex = 1_000_000L + k;
                    NDArray z0;
                    try (NoGrad ignored = NoGrad.open()) {
                        LatentDistribution d = vae.encode(images(s, batchIndex, batch));
                        NDArray eps = random.gaussian(s, d.mean().getShape(), RandomStream.Purpose.RECLORA_POSTERIOR, k);
                        z0 = Ops.scale(d.sample(eps), scaling);
                    }
                    NDArray cond;
                    // a text encoder that trains keeps its graph (a null resource is skipped)
                    try (NoGrad ignored = o.trainTextEncoder() ? null : NoGrad.open()) {
                        cond = prompts(s, batchIndex, batch, k, text, tokenizer, random);
                    }
                    long[] t = new long[batch];
                    float[] sa = new float[batch];
                    float[] s1 = new float[batch];
                    float[] weight = new float[batch];
                    for (int b = 0; b < batch; b++) {
                        t[b] = random.uniformInt(RandomStream.Purpose.RECLORA_TIMESTEP, (long) k * batch + b, 1000);
                        double a = schedule.alphaCumprod(t[b]);
                        sa[b] = (float) Math.sqrt(a);
                        s1[b] = (float) Math.sqrt(1 - a);
                        weight[b] = (float) minSnrWeight(a, o.minSnrGamma());
                    }
                    NDArray noise = random.gaussian(s, z0.getShape(), RandomStream.Purpose.RECLORA_NOISE, k);
                    // z_t = sqrt(abar) z0 + sqrt(1 - abar) eps, one t per sample: (B) -> (B, 1, 1, 1)
                    NDArray zt = z0.mul(Ops.owned(s.create(sa, new Shape(batch, 1, 1, 1))))
                            .add(noise.mul(Ops.owned(s.create(s1, new Shape(batch, 1, 1, 1)))));
                    NDArray pred = unet.forward(zt, Ops.owned(s.create(t)), cond, ForwardContext.DEFAULT).sample();
                    // per-sample squared error: (B, C, H, W) -> (B, C*H*W) -> (B), weighted, then the batch mean
                    NDArray perSample = pred.sub(noise).square().reshape(batch, -1).mean(new int[] {1});
                    // the plain MSE is what the loss log shows
                    return new StepLoss(perSample.mul(Ops.owned(s.create(weight))).mean(), perSample.mean().getFloat());
                });
        params.setRequiresGradient(false);
        return step;
    }

    /** Prompt embeddings of a batch, (B, MAX_TOKENS, 64); 10 % of the prompts are empty. */
    private NDArray prompts(NDManager s, long batchIndex, int batch, int step, CLIPTextModel text,
            CLIPTokenizer tokenizer, RandomStream random) {
        long[] ids = new long[batch * TinyModelSpec.MAX_TOKENS];
        for (int b = 0; b < batch; b++) {
            boolean empty = random.uniformInt(RandomStream.Purpose.DDS_TIMESTEP, (long) step * batch + b, 10) == 0;
            String prompt = empty ? "" : data.apply((batchIndex << 8) + b).prompt();
            System.arraycopy(tokenizer.tokenize(prompt).inputIds(), 0, ids, b * TinyModelSpec.MAX_TOKENS,
                    TinyModelSpec.MAX_TOKENS);
        }
        return text.forward(Ops.owned(s.create(ids, new Shape(batch, TinyModelSpec.MAX_TOKENS)))).lastHiddenState();
    }

    // ---- export ------------------------------------------------------------------------------

    private void export(double scaling, ParameterSet unet, ParameterSet vae, ParameterSet text) throws IOException {
        Path out = o.out();
        TinyModelSpec.writeConfigs(out, TinyModelSpec.vae(scaling, o.latentFactor()),
                TinyModelSpec.unet(o.unetLayers(), o.latentFactor(), o.unetWidth()), o.schedule());
        // float16 on disk keeps the folder well under 30 MB; loading widens to float32 exactly
        saveWeights(unet, out.resolve("unet/diffusion_pytorch_model.safetensors"), DType.F16, Map.of());
        saveWeights(vae, out.resolve("vae/diffusion_pytorch_model.safetensors"), DType.F16, Map.of());
        saveWeights(text, out.resolve("text_encoder/model.safetensors"), DType.F32,
                Map.of(TOKEN_EMBEDDING_STD_KEY, Double.toString(o.tokenEmbeddingStd())));
        listener.message("exported the model to " + out);
    }

    private static void saveWeights(ParameterSet params, Path file, DType storeAs, Map<String, String> metadata)
            throws IOException {
        SafetensorsWriter w = new SafetensorsWriter().metadata("format", "pt").metadata("producer", "draglora train-tiny");
        metadata.forEach(w::metadata);
        params.write(w, "", storeAs);
        Files.createDirectories(file.getParent());
        w.write(file);
    }

    // ---- helpers -----------------------------------------------------------------------------

    /**
     * The bookkeeping after optimiser step {@code step} (1-based) of a stage's {@code steps}: the loss
     * log (as {@code stage}), the progress, and a checkpoint of {@code params} (and {@code ema}, when
     * there is one) with {@code metadata} every {@link Options#checkpointEvery()} steps, at the last
     * step and once past the deadline. True when the stage must stop here: the deadline has passed
     * with steps left ({@code name} says which stage, in the message).
     */
    /**
     * A training stage: its key in the loss log and progress ({@code key}), its {@code name} in
     * messages, its total {@code steps}, and what its checkpoint {@code file} holds: the trained
     * {@code params}, their {@code ema} (null where the stage keeps none) and {@code metadata}.
     */
    private record Stage(String key, String name, int steps, Path file, ParameterSet params, ParameterSet ema,
            Map<String, String> metadata) {
    }

    /** What a stage's step minimises ({@code objective}, backpropagated) and the loss its log shows ({@code logged}). */
    private record StepLoss(NDArray objective, double logged) {}

    /**
     * The loss of step {@code step} of a stage, built on the scoped manager {@code s} while gradients
     * are recorded (work that needs none opens {@link NoGrad} itself).
     */
    @FunctionalInterface
    private interface StepBody {
        StepLoss run(NDManager s, int step) throws IOException;
    }

    /**
     * Runs {@code stage} from {@code step} until its last step or the time budget: each step sets the
     * optimiser's rate to {@code learningRate} of the step, builds {@code body}'s loss on a sub-manager
     * of {@code m} under a gradient collector, refuses a loss that is not finite, backpropagates the
     * objective, steps the optimiser, moves the stage's EMA (where it keeps one) and logs the loss; every {@link Options#checkpointEvery()} steps, at the end, and
     * when the budget is spent a checkpoint is written. Each step is an {@link ExitGuard} span, so
     * that an exit waits for the step and its checkpoint. Returns the step reached.
     */
    private int runStage(NDManager m, Stage stage, int step, AdamW opt, IntToDoubleFunction learningRate, StepBody body)
            throws IOException {
        try (BufferedWriter log = lossLog()) {
            while (step < stage.steps()) {
                try (ExitGuard.Span exitSpan = ExitGuard.process().enter()) {
                    opt.setLearningRate(learningRate.applyAsDouble(step));
                    double loss;
                    try (NDManager s = m.newSubManager()) {
                        try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                            StepLoss l = body.run(s, step);
                            loss = l.logged();
                            requireFinite(loss, stage.name(), step);
                            gc.backward(l.objective());
                        }
                        opt.step();
                        if (stage.ema() != null) {
                            stage.ema().blend(stage.params(), emaDecay(step + 1));
                        }
                    }
                    step++;
                    logLoss(log, stage.key(), step, loss, opt);
                    listener.step(stage.key(), step, stage.steps(), loss);
                    if (step % o.checkpointEvery() == 0 || step == stage.steps() || pastDeadline()) {
                        TrainingCheckpoint.save(stage.file(), stage.params(), stage.ema(), opt, step, stage.metadata());
                        if (pastDeadline() && step < stage.steps()) {
                            listener.message("time budget reached at " + stage.name() + " step " + step + "; run again to resume");
                            return step;
                        }
                    }
                }
            }
        }
        return step;
    }

    private boolean pastDeadline() {
        return System.nanoTime() > deadline;
    }

    private BufferedWriter lossLog() throws IOException {
        Path f = o.work().resolve(LOSS_LOG);
        boolean fresh = !Files.exists(f);
        BufferedWriter w = Files.newBufferedWriter(f, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                StandardOpenOption.APPEND);
        if (fresh) {
            w.write("stage,step,loss,lr");
            w.newLine();
        }
        return w;
    }

    private static void logLoss(BufferedWriter log, String stage, int step, double loss, AdamW opt) throws IOException {
        log.write(String.format(Locale.ROOT, "%s,%d,%.6f,%.3g", stage, step, loss, opt.learningRate()));
        log.newLine();
        if (step % 50 == 0) {
            log.flush();
        }
    }

    private static void requireFinite(double loss, String stage, int step) {
        if (!Double.isFinite(loss)) {
            throw new IllegalStateException("the " + stage + " loss became " + loss + " at step " + step
                    + "; the last checkpoint is intact");
        }
    }
}
