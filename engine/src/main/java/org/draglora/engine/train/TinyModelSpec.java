package org.draglora.engine.train;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import org.draglora.engine.clip.CLIPTextConfig;
import org.draglora.engine.drag.IlfaMethod;
import org.draglora.engine.edit.ModelDragDefaults;
import org.draglora.engine.schedule.DdimConfig;
import org.draglora.engine.schedule.DdimScheduler;
import org.draglora.engine.unet.LoraTarget;
import org.draglora.engine.unet.UNet2DConditionConfig;
import org.draglora.engine.vae.AutoencoderKLConfig;

/**
 * The embedded default model's architecture: the SD 1.5 classes at a size a CPU trains in hours
 * and edits with in seconds. 64x64 RGB images; a VAE with a 4x down-sampling to 16x16x4 latents
 * (3 blocks of 32, 64, 64 channels); a UNet on those latents with attention at 16x16 and 8x8 (so the
 * LoRA and the mutual self-attention have layers to live in) and blocks of 64, 128, 128 channels;
 * a small frozen, randomly initialised CLIP text encoder over a byte-level vocabulary with one token per
 * prompt word, so prompts condition the UNet through the same cross-attention as in SD.
 *
 * <p>Why a latent model rather than pixels: the drag pipeline, the loaders and the VAE code are
 * exactly SD's, and the UNet trains on 16x16 instead of 64x64 (measured: about 1.4 s per step of 32
 * latents here, a pixel-space UNet of the same width would cost several times that).
 */
public final class TinyModelSpec {

    /** Image side in pixels. */
    public static final int IMAGE_SIZE = 64;

    /**
     * Tokens per prompt (CLIP's max_position_embeddings here): the longest scene prompt (three
     * textured objects on a textured background) is 19 words, one token each, plus start and end.
     */
    public static final int MAX_TOKENS = 32;

    /** The vocabulary: 512 byte symbols (with and without end-of-word), one per prompt word, start and end. */
    public static final int VOCAB = ShapesTokenizer.vocabularySize();

    private TinyModelSpec() {}

    /** Image side over latent side of the shipped model: 64x64 images, 16x16x4 latents. */
    public static final int SHIPPED_LATENT_FACTOR = 4;

    /** UNet channels at the 16x16 latent level of the shipped model ({@link #unet(int, int, int)}). */
    public static final int SHIPPED_UNET_WIDTH = 64;

    /** The shipped VAE; its scaling factor is set after training from the latents' standard deviation. */
    public static AutoencoderKLConfig vae(double scalingFactor) {
        return vae(scalingFactor, SHIPPED_LATENT_FACTOR);
    }

    /**
     * The VAE with down-sampling {@code latentFactor}: 4 (blocks of 32, 64, 64 channels, 16x16x4
     * latents, the shipped model) or 2 (blocks of 32, 64, 32x32x4 latents: an object covers four
     * times as many latent cells).
     */
    public static AutoencoderKLConfig vae(double scalingFactor, int latentFactor) {
        List<Integer> channels = switch (latentFactor) {
            case 4 -> List.of(32, 64, 64);
            case 2 -> List.of(32, 64);
            default -> throw new IllegalArgumentException("the latent factor must be 2 or 4, got " + latentFactor);
        };
        return new AutoencoderKLConfig(3, 3, java.util.Collections.nCopies(channels.size(), "DownEncoderBlock2D"),
                java.util.Collections.nCopies(channels.size(), "UpDecoderBlock2D"), channels, 1, 4, 16, scalingFactor);
    }

    /**
     * Resnets (and transformers) per down block of the shipped UNet: 2 since the model's second
     * version (the first had 1; the model card's "Version history" compares them).
     */
    public static final int SHIPPED_LAYERS_PER_BLOCK = 2;

    /** The shipped UNet's learning rate after the warm-up (the first version's was {@link TinyModelTrainer#UNET_LR}). */
    public static final double SHIPPED_UNET_LR = 5e-4;

    /** The shipped VAE's steps (stage 1, batch {@link #SHIPPED_VAE_BATCH}). */
    public static final int SHIPPED_VAE_STEPS = 2500;

    /** The shipped VAE's batch of 32x32 crops (stage 1, and the decoder's stage 1b). */
    public static final int SHIPPED_VAE_BATCH = 16;

    /** The shipped UNet's batch of 64x64 scenes. */
    public static final int SHIPPED_UNET_BATCH = 32;

    /**
     * The shipped UNet's steps (the sixth version; the fifth had 5,500, the third stopped at 3,000 at the
     * constant rate): what fitted the 3-hour budget beside the VAE and its decoder on this machine.
     */
    public static final int SHIPPED_UNET_STEPS = 5400;

    /**
     * The shipped UNet's cool-down: the learning rate falls linearly over its last 1,800 steps, after
     * 3,600 at the constant rate (the sixth version; the fourth introduced the cool-down, 2,500 after
     * 3,000, and its noise-prediction error over 32 held-out scenes was 12-20 % lower at every noise
     * level).
     */
    public static final int SHIPPED_UNET_LR_DECAY_STEPS = 1800;

    /**
     * The cool-down for a run of {@code unetSteps} UNet steps: the shipped model's share of its run
     * ({@link #SHIPPED_UNET_LR_DECAY_STEPS} of {@link #SHIPPED_UNET_STEPS}), so a shorter run cools
     * down over the same fraction of its steps.
     */
    public static int lrDecaySteps(int unetSteps) {
        return (int) Math.round((double) unetSteps * SHIPPED_UNET_LR_DECAY_STEPS / SHIPPED_UNET_STEPS);
    }

    /** The shipped UNet's Min-SNR gamma (the first version trained with plain MSE, gamma 0). */
    public static final double SHIPPED_MIN_SNR_GAMMA = 5;

    /**
     * The shipped model's decoder fine-tuning steps (stage 1b, {@code train-tiny --decoder-steps}): 12,000
     * steps of batch 16 took 20 minutes here and halved the decoder's L1 error (0.034 to 0.017).
     */
    public static final int SHIPPED_DECODER_STEPS = 12000;

    /** The shipped VAE's scale-equivariance weight ({@code train-tiny --vae-equivariance}; 0: none). */
    public static final double SHIPPED_VAE_EQUIVARIANCE = 0;

    /**
     * The shipped UNet's share of plain training scenes, one solid object on a flat background
     * ({@code train-tiny --plain-scenes}; 0: the generator's full stream alone, as up to the fifth
     * version). Half turned most of the sixth version's samples of solid objects into their shapes
     * (docs/shapedrag-experiments.md, "Upright objects and plain scenes: a sixth version").
     */
    public static final double SHIPPED_PLAIN_SCENE_SHARE = 0.5;

    /**
     * The most objects a plain training scene of the shipped UNet holds ({@code train-tiny
     * --plain-objects}; {@link org.draglora.engine.shapes.SceneGenerator#plain(long, int, int, int)}): 1, one
     * solid object per plain scene, as in the sixth version.
     */
    public static final int SHIPPED_PLAIN_SCENE_OBJECTS = 1;

    /**
     * Whether the shipped model's text encoder trained with its UNet ({@code train-tiny
     * --train-text-encoder}); false: frozen at its seeded random initialisation, as up to the sixth version.
     */
    public static final boolean SHIPPED_TRAIN_TEXT_ENCODER = false;

    /**
     * Standard deviation of the random token embeddings a text encoder of width 64 is drawn with
     * ({@code WeightScope.random}: 1 / sqrt(fan-in)); versions 1 and 2 kept it.
     */
    public static final double FAN_IN_TOKEN_EMBEDDING_STD = 0.125;

    /** The shipped text encoder's token embedding spread ({@code TinyModelTrainer.initialiseTokenEmbeddings}). */
    public static final double SHIPPED_TOKEN_EMBEDDING_STD = 1.0;

    /**
     * SD 1.5's last beta (scaled linear from 0.00085; ALGORITHM.md §2, as {@link DdimConfig#sd15()};
     * a compile-time constant so the CLI can name it as a default).
     */
    public static final double SD_BETA_END = 0.012;

    /** The shipped model's noise schedule's last beta ({@link #scheduler(double)}). */
    public static final double SHIPPED_BETA_END = SD_BETA_END;

    /** DDIM steps of an edit, and the fraction of them SD's drag inverts (t = 681; ALGORITHM.md §2). */
    private static final int EDIT_STEPS = 50;
    private static final double SD_INVERSION_STRENGTH = 0.7;

    /**
     * SD 1.5's scheduler with the betas running (scaled linear, 1000 steps) from 0.00085 to
     * {@code betaEnd} instead of 0.012. A larger end leaves less of the image at the last step: the
     * cumulative alpha at t = 999 is 0.0047 with SD's 0.012 and 0.00023 with 0.02.
     */
    public static DdimConfig scheduler(double betaEnd) {
        DdimConfig sd = DdimConfig.sd15();
        return new DdimConfig(sd.numTrainTimesteps(), sd.betaStart(), betaEnd, sd.betaSchedule(), sd.clipSample(),
                sd.setAlphaToOne(), sd.stepsOffset(), sd.predictionType(), sd.timestepSpacing());
    }

    /**
     * The inversion strength (of 50 DDIM steps) whose drag timestep under {@code schedule} has the
     * noise level nearest (in log signal-to-noise ratio) SD's drag timestep, t = 681 (cumulative
     * alpha 0.0946): 0.7 for SD's schedule, 0.6 (t = 581, 0.0874) for the betas ending at 0.02. The
     * drag settings were measured at that noise level.
     */
    public static double inversionStrength(DdimConfig schedule) {
        DdimScheduler sd = new DdimScheduler(DdimConfig.sd15());
        DdimScheduler other = new DdimScheduler(schedule);
        double target = logSnr(sd.alphaCumprod(sd.dragTimestep(EDIT_STEPS, SD_INVERSION_STRENGTH)));
        int best = 0;
        double bestGap = Double.POSITIVE_INFINITY;
        for (int k = 1; k <= EDIT_STEPS; k++) {
            double gap = Math.abs(logSnr(other.alphaCumprod(other.dragTimestep(EDIT_STEPS, k / (double) EDIT_STEPS))) - target);
            if (gap < bestGap) {
                best = k;
                bestGap = gap;
            }
        }
        return best / (double) EDIT_STEPS;
    }

    private static double logSnr(double alphaCumprod) {
        return Math.log(alphaCumprod / (1 - alphaCumprod));
    }

    /** The shipped UNet on 16x16x4 latents ({@link #SHIPPED_LAYERS_PER_BLOCK} resnets per down block). */
    public static UNet2DConditionConfig unet() {
        return unet(SHIPPED_LAYERS_PER_BLOCK);
    }

    /**
     * The UNet on 16x16x4 latents with {@code layersPerBlock} resnets (and transformers) per down
     * block (one more per up block, as in SD): depth at the same resolutions, about linear in cost.
     */
    public static UNet2DConditionConfig unet(int layersPerBlock) {
        return unet(layersPerBlock, SHIPPED_LATENT_FACTOR);
    }

    /**
     * The UNet on the latents of the VAE with down-sampling {@code latentFactor}. For 4 (16x16x4):
     * blocks of 64, 128, 128 channels with attention at 16x16 and 8x8. For 2 (32x32x4): blocks of
     * 32, 64, 128 channels at 32x32, 16x16 and 8x8 with attention at 16x16 and 8x8 (none over the
     * 1024 positions of 32x32): each level does about the arithmetic of the 16x16 UNet's (a 3x3 conv
     * costs positions x channels^2: 1024 x 32^2 = 256 x 64^2), so the finer grid costs little more.
     */
    public static UNet2DConditionConfig unet(int layersPerBlock, int latentFactor) {
        return unet(layersPerBlock, latentFactor, SHIPPED_UNET_WIDTH);
    }

    /**
     * {@link #unet(int, int)} with {@code width} channels at the 16x16 level (the shipped 64) and
     * half of them at 32x32 (latent factor 2); the coarser levels keep 128 or {@code width} if that
     * is more. The 16x16 level is where the objects' shapes live, and its cost grows with width^2.
     */
    public static UNet2DConditionConfig unet(int layersPerBlock, int latentFactor, int width) {
        if (layersPerBlock < 1 || layersPerBlock > 4) {
            throw new IllegalArgumentException("layers per block must be 1 to 4, got " + layersPerBlock);
        }
        // GroupNorm(16) and 4 attention heads need channel counts that 16 divides, at both levels
        if (width < 32 || width > 256 || width % 32 != 0) {
            throw new IllegalArgumentException("the UNet width must be a multiple of 32 from 32 to 256, got " + width);
        }
        int coarse = Math.max(128, width);
        return switch (latentFactor) {
            case 4 -> new UNet2DConditionConfig(IMAGE_SIZE / 4, 4, 4,
                    List.of("CrossAttnDownBlock2D", "CrossAttnDownBlock2D", "DownBlock2D"),
                    List.of("UpBlock2D", "CrossAttnUpBlock2D", "CrossAttnUpBlock2D"), List.of(width, coarse, coarse),
                    layersPerBlock, 64, List.of(4, 4, 4), 16, 1e-5, true, 0, 1, 1);
            case 2 -> new UNet2DConditionConfig(IMAGE_SIZE / 2, 4, 4,
                    List.of("DownBlock2D", "CrossAttnDownBlock2D", "CrossAttnDownBlock2D"),
                    List.of("CrossAttnUpBlock2D", "CrossAttnUpBlock2D", "UpBlock2D"), List.of(width / 2, width, coarse),
                    layersPerBlock, 64, List.of(4, 4, 4), 16, 1e-5, true, 0, 1, 1);
            default -> throw new IllegalArgumentException("the latent factor must be 2 or 4, got " + latentFactor);
        };
    }

    /**
     * The same UNet on 64x64x3 pixels, which the embedded model does not use: {@code bench unet
     * --preset shapes-pixel} measures what a pixel-space model of this shape would cost (its
     * attentions run over 16 times as many positions).
     */
    public static UNet2DConditionConfig pixelUnet() {
        UNet2DConditionConfig latent = unet();
        return new UNet2DConditionConfig(IMAGE_SIZE, 3, 3, latent.downBlockTypes(), latent.upBlockTypes(),
                latent.blockOutChannels(), latent.layersPerBlock(), latent.crossAttentionDim(), latent.attentionHeads(),
                latent.normNumGroups(), latent.normEps(), latent.flipSinToCos(), latent.freqShift(),
                latent.downsamplePadding(), latent.transformerLayersPerBlock());
    }

    /** The frozen text encoder. */
    public static CLIPTextConfig text() {
        return new CLIPTextConfig(64, 128, 2, 4, MAX_TOKENS, VOCAB, 1e-5, "quick_gelu", VOCAB - 1);
    }

    /** Writes the diffusers config.json of each component and the tokenizer files under {@code root}. */
    public static void writeConfigs(Path root, double scalingFactor) throws IOException {
        writeConfigs(root, vae(scalingFactor), unet(), scheduler(SHIPPED_BETA_END));
    }

    /**
     * Writes the configs with VAE configuration {@code v}, UNet configuration {@code u} and noise
     * schedule {@code schedule}, and the drag settings for them ({@link #dragDefaults(DdimConfig)}).
     */
    public static void writeConfigs(Path root, AutoencoderKLConfig v, UNet2DConditionConfig u, DdimConfig schedule)
            throws IOException {
        ObjectMapper json = new ObjectMapper();
        ObjectNode index = json.createObjectNode();
        index.put("_class_name", "StableDiffusionPipeline");
        index.put("_diffusers_version", "0.27.2");
        index.putArray("unet").add("diffusers").add("UNet2DConditionModel");
        index.putArray("vae").add("diffusers").add("AutoencoderKL");
        index.putArray("text_encoder").add("transformers").add("CLIPTextModel");
        index.putArray("tokenizer").add("transformers").add("CLIPTokenizer");
        index.putArray("scheduler").add("diffusers").add("DDIMScheduler");
        write(json, root.resolve("model_index.json"), index);

        ObjectNode unet = json.createObjectNode();
        unet.put("_class_name", "UNet2DConditionModel");
        unet.put("sample_size", u.sampleSize());
        unet.put("in_channels", u.inChannels());
        unet.put("out_channels", u.outChannels());
        strings(unet.putArray("down_block_types"), u.downBlockTypes());
        strings(unet.putArray("up_block_types"), u.upBlockTypes());
        ints(unet.putArray("block_out_channels"), u.blockOutChannels());
        unet.put("layers_per_block", u.layersPerBlock());
        unet.put("cross_attention_dim", u.crossAttentionDim());
        ints(unet.putArray("attention_head_dim"), u.attentionHeads());
        unet.put("norm_num_groups", u.normNumGroups());
        unet.put("norm_eps", u.normEps());
        unet.put("flip_sin_to_cos", u.flipSinToCos());
        unet.put("freq_shift", u.freqShift());
        unet.put("downsample_padding", u.downsamplePadding());
        unet.put("act_fn", "silu");
        write(json, root.resolve("unet/config.json"), unet);

        ObjectNode vae = json.createObjectNode();
        vae.put("_class_name", "AutoencoderKL");
        vae.put("in_channels", v.inChannels());
        vae.put("out_channels", v.outChannels());
        strings(vae.putArray("down_block_types"), v.downBlockTypes());
        strings(vae.putArray("up_block_types"), v.upBlockTypes());
        ints(vae.putArray("block_out_channels"), v.blockOutChannels());
        vae.put("layers_per_block", v.layersPerBlock());
        vae.put("latent_channels", v.latentChannels());
        vae.put("norm_num_groups", v.normNumGroups());
        vae.put("sample_size", IMAGE_SIZE);
        vae.put("scaling_factor", v.scalingFactor());
        vae.put("act_fn", "silu");
        write(json, root.resolve("vae/config.json"), vae);

        CLIPTextConfig t = text();
        ObjectNode text = json.createObjectNode();
        text.putArray("architectures").add("CLIPTextModel");
        text.put("model_type", "clip_text_model");
        text.put("hidden_size", t.hiddenSize());
        text.put("intermediate_size", t.intermediateSize());
        text.put("num_hidden_layers", t.numHiddenLayers());
        text.put("num_attention_heads", t.numAttentionHeads());
        text.put("max_position_embeddings", t.maxPositionEmbeddings());
        text.put("vocab_size", t.vocabSize());
        text.put("layer_norm_eps", t.layerNormEps());
        text.put("hidden_act", t.hiddenAct());
        text.put("bos_token_id", VOCAB - 2);
        text.put("eos_token_id", t.eosTokenId());
        text.put("pad_token_id", t.eosTokenId());
        write(json, root.resolve("text_encoder/config.json"), text);

        write(json, root.resolve("scheduler/scheduler_config.json"), schedule.toJson());

        ShapesTokenizer.write(root.resolve("tokenizer"), MAX_TOKENS);
        dragDefaults(schedule).write(root);
    }

    /**
     * The drag settings this architecture needs. The supervised features are up_blocks.1's output
     * (index 2: 128 channels at 16x16, after its upsampler), not the last up block's (index 3, 64
     * channels): on the first seven ShapeDrag cases DragLoRA's handle error summed to 72.5 px with
     * index 2 against 116.1 px with index 3 (initial distances 96.0 px; README, "The embedded
     * model"). The final denoising injects K/V into the self-attention of the last two up blocks
     * (layers 3..6 of 7), as SD's start layer 10 does for its last two. The LoRAs adapt the resnet
     * 3x3 convolutions as well as the attention projections: in this UNet the image is held by the
     * convolutions (docs/shapedrag-experiments.md, "Why DragLoRA loses the objects"; {@code bench ilfa}), and on the first 16
     * ShapeDrag cases that took DragLoRA from 0.97 to 0.84 of the initial distance and
     * DragDiffusion from 0.55 to 0.49. The x0 prediction joins the supervised features with weight
     * 100 (4 latent channels beside 128 feature channels in an L1 mean), so that the drag moves what
     * the decoder shows: on 50 ShapeDrag cases DragLoRA went from 0.88 to 0.68 of the initial
     * distance (README, "The embedded model"). The drag LoRA learns at 1e-3 (reference 1e-4): with
     * the x0 features that took DragLoRA from 0.68 to 0.55 on 50 cases (experiment driver; the
     * README's table is the benchmark's own run). The final denoising keeps the source trajectory's
     * latent outside the edit mask: the drag LoRA on the convolutions otherwise repaints unmasked
     * backgrounds (stripes turn flat); on 16 ShapeDrag cases background PSNR went from 32.2 to 36.3
     * dB for DragLoRA and from 33.1 to 38.6 dB for DragDiffusion, handle errors unchanged
     * (docs/shapedrag-experiments.md, "Where the drag stops short, and keeping the unmasked latent").
     * DragLoRA's ILFA moves the latent with the tracked handles ({@link IlfaMethod#SHIFT}) instead of
     * re-noising it, and points live on a grid of the image's size (the reference's half grid has
     * 2-px cells at 64x64, so its 2-cell reach check stops 4 px short, 6 % of the side against 0.8 %
     * at 512): on 50 ShapeDrag cases DragLoRA went from 0.50 to 0.20 of the initial distance (0.42
     * with the reference ILFA on the same grid) and DragDiffusion, on the same grid, from 0.47 to 0.48
     * (README, "ShapeDrag"; docs/shapedrag-experiments.md, "The latent follows the tracked handles").
     */
    public static ModelDragDefaults dragDefaults() {
        return dragDefaults(scheduler(SHIPPED_BETA_END));
    }

    /**
     * {@link #dragDefaults()} for a model trained on {@code schedule}: with another schedule than
     * SD's, the inversion strength that drags at SD's noise level ({@link #inversionStrength}).
     */
    public static ModelDragDefaults dragDefaults(DdimConfig schedule) {
        double strength = inversionStrength(schedule);
        return new ModelDragDefaults(List.of(2), 3, 1e-3, EnumSet.allOf(LoraTarget.class), 100.0, true, IlfaMethod.SHIFT,
                1.0, strength == SD_INVERSION_STRENGTH ? null : strength);
    }

    private static void strings(ArrayNode a, List<String> values) {
        values.forEach(a::add);
    }

    private static void ints(ArrayNode a, List<Integer> values) {
        values.forEach(a::add);
    }

    private static void write(ObjectMapper json, Path file, ObjectNode node) throws IOException {
        Files.createDirectories(file.getParent());
        json.writerWithDefaultPrettyPrinter().writeValue(file.toFile(), node);
    }
}
