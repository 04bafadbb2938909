package org.draglora.engine.vae;

import static org.draglora.engine.weights.ConfigJson.intList;
import static org.draglora.engine.weights.ConfigJson.stringList;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.draglora.engine.weights.ConfigJson;

/**
 * The fields of diffusers' {@code AutoencoderKL} config (vae/config.json, v0.27) that the SD 1.5
 * path uses. Anything outside that path (other block types, other activations, a shift factor,
 * disabled quant convs or mid-block attention) is rejected with a message naming the value.
 *
 * @param inChannels image channels into the encoder (3)
 * @param outChannels image channels out of the decoder (3)
 * @param downBlockTypes one {@code DownEncoderBlock2D} per entry of blockOutChannels
 * @param upBlockTypes one {@code UpDecoderBlock2D} per entry of blockOutChannels
 * @param blockOutChannels channels per encoder block; the decoder uses them reversed
 * @param layersPerBlock resnets per encoder block; decoder blocks have one more
 * @param latentChannels channels of the latent (4)
 * @param normNumGroups GroupNorm groups everywhere in the VAE
 * @param scalingFactor what the SD pipeline multiplies latents by after encoding (0.18215)
 */
public record AutoencoderKLConfig(
        int inChannels,
        int outChannels,
        List<String> downBlockTypes,
        List<String> upBlockTypes,
        List<Integer> blockOutChannels,
        int layersPerBlock,
        int latentChannels,
        int normNumGroups,
        double scalingFactor) {

    static final String DOWN = "DownEncoderBlock2D";
    static final String UP = "UpDecoderBlock2D";

    /** diffusers {@code AutoencoderKL.__init__} default (models/autoencoders/autoencoder_kl.py, v0.27). */
    static final double DEFAULT_SCALING_FACTOR = 0.18215;

    public AutoencoderKLConfig {
        downBlockTypes = List.copyOf(downBlockTypes);
        upBlockTypes = List.copyOf(upBlockTypes);
        blockOutChannels = List.copyOf(blockOutChannels);
        int n = blockOutChannels.size();
        if (n == 0) {
            throw new IllegalArgumentException("block_out_channels must not be empty");
        }
        if (downBlockTypes.size() != n || upBlockTypes.size() != n) {
            throw new IllegalArgumentException("block_out_channels has " + n + " entries but down_block_types has "
                    + downBlockTypes.size() + " and up_block_types " + upBlockTypes.size());
        }
        for (String t : downBlockTypes) {
            if (!t.equals(DOWN)) {
                throw new IllegalArgumentException("unsupported down block type '" + t + "' (SD 1.5 uses "
                        + DOWN + ")");
            }
        }
        for (String t : upBlockTypes) {
            if (!t.equals(UP)) {
                throw new IllegalArgumentException("unsupported up block type '" + t + "' (SD 1.5 uses " + UP + ")");
            }
        }
        for (int i = 0; i < n; i++) {
            int c = blockOutChannels.get(i);
            if (c <= 0 || c % normNumGroups != 0) {
                throw new IllegalArgumentException("block_out_channels[" + i + "] = " + c
                        + " is not a positive multiple of norm_num_groups " + normNumGroups);
            }
        }
        if (inChannels < 1 || outChannels < 1 || latentChannels < 1 || layersPerBlock < 1) {
            throw new IllegalArgumentException("in_channels " + inChannels + ", out_channels " + outChannels
                    + ", latent_channels " + latentChannels + " and layers_per_block " + layersPerBlock
                    + " must be positive");
        }
        if (!(scalingFactor > 0)) {
            throw new IllegalArgumentException("scaling_factor = " + scalingFactor + " must be positive");
        }
    }

    /** Number of encoder (and decoder) blocks. */
    public int blockCount() {
        return blockOutChannels.size();
    }

    /** Stable Diffusion 1.5 (runwayml/stable-diffusion-v1-5 vae/config.json). */
    public static AutoencoderKLConfig sd15() {
        return new AutoencoderKLConfig(3, 3, List.of(DOWN, DOWN, DOWN, DOWN), List.of(UP, UP, UP, UP),
                List.of(128, 256, 512, 512), 2, 4, 32, DEFAULT_SCALING_FACTOR);
    }

    /** Reads and validates {@code config.json}. */
    public static AutoencoderKLConfig load(Path configJson) throws IOException {
        return ConfigJson.load(configJson, AutoencoderKLConfig::fromJson);
    }

    /** Parses a diffusers AutoencoderKL config object; missing fields take diffusers' defaults. */
    public static AutoencoderKLConfig fromJson(JsonNode c) {
        String cls = c.path("_class_name").asText("AutoencoderKL");
        if (!cls.equals("AutoencoderKL")) {
            throw new IllegalArgumentException("_class_name is '" + cls + "', expected AutoencoderKL");
        }
        String act = c.path("act_fn").asText("silu");
        if (!act.equals("silu")) {
            throw new IllegalArgumentException("act_fn = '" + act + "' is not supported (SD 1.5 has 'silu')");
        }
        if (c.hasNonNull("shift_factor")) {
            throw new IllegalArgumentException("shift_factor = " + c.get("shift_factor")
                    + " is not supported (SD 1.5 has none)");
        }
        for (String key : List.of("use_quant_conv", "use_post_quant_conv", "mid_block_add_attention")) {
            if (c.hasNonNull(key) && !c.get(key).asBoolean()) {
                throw new IllegalArgumentException(key + " = false is not supported (SD 1.5 has true)");
            }
        }
        // defaults: diffusers AutoencoderKL.__init__ (v0.27), except the block lists, which SD 1.5 always states
        return new AutoencoderKLConfig(
                c.path("in_channels").asInt(3),
                c.path("out_channels").asInt(3),
                stringList(c, "down_block_types"),
                stringList(c, "up_block_types"),
                intList(c, "block_out_channels"),
                c.path("layers_per_block").asInt(1),
                c.path("latent_channels").asInt(4),
                c.path("norm_num_groups").asInt(32),
                c.path("scaling_factor").asDouble(DEFAULT_SCALING_FACTOR));
    }
}
