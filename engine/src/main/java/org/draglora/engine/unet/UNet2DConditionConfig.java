package org.draglora.engine.unet;

import static org.draglora.engine.weights.ConfigJson.requireValue;
import static org.draglora.engine.weights.ConfigJson.requireFalse;
import static org.draglora.engine.weights.ConfigJson.intList;
import static org.draglora.engine.weights.ConfigJson.stringList;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.draglora.engine.weights.ConfigJson;

/**
 * The fields of diffusers' {@code UNet2DConditionModel} config (unet/config.json) that the SD 1.5
 * path uses, parsed with snake_case -> camelCase mapping. Everything outside that path (class or
 * addition embeddings, linear projections, other block types, ...) is rejected with a message that
 * names the value, rather than ignored.
 *
 * @param attentionHeads number of heads per down block; diffusers reads {@code num_attention_heads},
 *     or, when that is null (SD 1.5), {@code attention_head_dim}, which then means the number of heads
 */
public record UNet2DConditionConfig(
        int sampleSize,
        int inChannels,
        int outChannels,
        List<String> downBlockTypes,
        List<String> upBlockTypes,
        List<Integer> blockOutChannels,
        int layersPerBlock,
        int crossAttentionDim,
        List<Integer> attentionHeads,
        int normNumGroups,
        double normEps,
        boolean flipSinToCos,
        int freqShift,
        int downsamplePadding,
        int transformerLayersPerBlock) {

    static final String CROSS_DOWN = "CrossAttnDownBlock2D";
    static final String DOWN = "DownBlock2D";
    static final String CROSS_UP = "CrossAttnUpBlock2D";
    static final String UP = "UpBlock2D";

    public UNet2DConditionConfig {
        downBlockTypes = List.copyOf(downBlockTypes);
        upBlockTypes = List.copyOf(upBlockTypes);
        blockOutChannels = List.copyOf(blockOutChannels);
        attentionHeads = List.copyOf(attentionHeads);
        int n = blockOutChannels.size();
        if (downBlockTypes.size() != n || upBlockTypes.size() != n) {
            throw new IllegalArgumentException("block_out_channels has " + n + " entries but down_block_types has "
                    + downBlockTypes.size() + " and up_block_types " + upBlockTypes.size());
        }
        if (attentionHeads.size() != n) {
            throw new IllegalArgumentException("attention heads list has " + attentionHeads.size()
                    + " entries for " + n + " blocks");
        }
        for (String t : downBlockTypes) {
            if (!t.equals(CROSS_DOWN) && !t.equals(DOWN)) {
                throw new IllegalArgumentException("unsupported down block type '" + t + "' (SD 1.5 uses "
                        + CROSS_DOWN + " and " + DOWN + ")");
            }
        }
        for (String t : upBlockTypes) {
            if (!t.equals(CROSS_UP) && !t.equals(UP)) {
                throw new IllegalArgumentException("unsupported up block type '" + t + "' (SD 1.5 uses "
                        + CROSS_UP + " and " + UP + ")");
            }
        }
        for (int i = 0; i < n; i++) {
            int c = blockOutChannels.get(i);
            if (c <= 0 || c % normNumGroups != 0) {
                throw new IllegalArgumentException("block_out_channels[" + i + "] = " + c
                        + " is not a positive multiple of norm_num_groups " + normNumGroups);
            }
            if (c % attentionHeads.get(i) != 0) {
                throw new IllegalArgumentException("block_out_channels[" + i + "] = " + c + " is not divisible by "
                        + attentionHeads.get(i) + " attention heads");
            }
        }
        if (layersPerBlock < 1 || transformerLayersPerBlock < 1) {
            throw new IllegalArgumentException("layers_per_block " + layersPerBlock + " and transformer_layers_per_block "
                    + transformerLayersPerBlock + " must be at least 1");
        }
        if (inChannels < 1 || outChannels < 1 || crossAttentionDim < 1) {
            throw new IllegalArgumentException("in_channels " + inChannels + ", out_channels " + outChannels
                    + " and cross_attention_dim " + crossAttentionDim + " must be positive");
        }
        if (blockOutChannels.get(0) % 2 != 0) {
            throw new IllegalArgumentException("block_out_channels[0] = " + blockOutChannels.get(0)
                    + " must be even (it is the sinusoidal embedding size)");
        }
    }

    /** Number of down (and up) blocks. */
    public int blockCount() {
        return blockOutChannels.size();
    }

    /** Channels of the time embedding, 4 * block_out_channels[0]. */
    public int timeEmbedDim() {
        return blockOutChannels.get(0) * 4;
    }

    /** Stable Diffusion 1.5 (runwayml/stable-diffusion-v1-5 unet/config.json). */
    public static UNet2DConditionConfig sd15() {
        return new UNet2DConditionConfig(64, 4, 4,
                List.of(CROSS_DOWN, CROSS_DOWN, CROSS_DOWN, DOWN), List.of(UP, CROSS_UP, CROSS_UP, CROSS_UP),
                List.of(320, 640, 1280, 1280), 2, 768, List.of(8, 8, 8, 8), 32, 1e-5, true, 0, 1, 1);
    }

    /** Reads and validates {@code config.json}. */
    public static UNet2DConditionConfig load(Path configJson) throws IOException {
        return ConfigJson.load(configJson, UNet2DConditionConfig::fromJson);
    }

    /** Parses a diffusers UNet config object. */
    public static UNet2DConditionConfig fromJson(JsonNode c) {
        String cls = c.path("_class_name").asText("UNet2DConditionModel");
        if (!cls.equals("UNet2DConditionModel")) {
            throw new IllegalArgumentException("_class_name is '" + cls + "', expected UNet2DConditionModel");
        }
        requireValue(c, "act_fn", "silu");
        requireValue(c, "time_embedding_type", "positional");
        requireValue(c, "resnet_time_scale_shift", "default");
        requireValue(c, "mid_block_type", "UNetMidBlock2DCrossAttn");
        requireFalse(c, "use_linear_projection");
        requireFalse(c, "upcast_attention");
        requireFalse(c, "dual_cross_attention");
        requireFalse(c, "only_cross_attention");
        requireFalse(c, "center_input_sample");
        requireFalse(c, "class_embeddings_concat");
        for (String key : List.of("class_embed_type", "addition_embed_type", "encoder_hid_dim", "time_cond_proj_dim",
                "num_class_embeds", "time_embedding_dim", "timestep_post_act", "time_embedding_act_fn",
                "cross_attention_norm", "projection_class_embeddings_input_dim")) {
            if (c.hasNonNull(key)) {
                throw new IllegalArgumentException(key + " = " + c.get(key) + " is not supported (SD 1.5 has null)");
            }
        }
        for (String key : List.of("conv_in_kernel", "conv_out_kernel")) {
            if (c.hasNonNull(key) && c.get(key).asInt() != 3) {
                throw new IllegalArgumentException(key + " = " + c.get(key) + " is not supported (SD 1.5 has 3)");
            }
        }
        if (c.hasNonNull("mid_block_scale_factor") && c.get("mid_block_scale_factor").asDouble() != 1.0) {
            throw new IllegalArgumentException("mid_block_scale_factor = " + c.get("mid_block_scale_factor")
                    + " is not supported (SD 1.5 has 1)");
        }
        List<Integer> channels = intList(c, "block_out_channels");
        JsonNode heads = c.hasNonNull("num_attention_heads") ? c.get("num_attention_heads") : c.get("attention_head_dim");
        List<Integer> headList = new ArrayList<>();
        if (heads == null || heads.isNull()) {
            channels.forEach(x -> headList.add(8));
        } else if (heads.isArray()) {
            heads.forEach(h -> headList.add(h.asInt()));
        } else {
            channels.forEach(x -> headList.add(heads.asInt()));
        }
        JsonNode tl = c.get("transformer_layers_per_block");
        if (tl != null && !tl.isNull() && !tl.isInt()) {
            throw new IllegalArgumentException("transformer_layers_per_block = " + tl + ": only one number is supported");
        }
        return new UNet2DConditionConfig(
                c.path("sample_size").asInt(64),
                c.path("in_channels").asInt(4),
                c.path("out_channels").asInt(4),
                stringList(c, "down_block_types"),
                stringList(c, "up_block_types"),
                channels,
                c.path("layers_per_block").asInt(2),
                crossAttentionDim(c),
                headList,
                c.path("norm_num_groups").asInt(32),
                c.path("norm_eps").asDouble(1e-5),
                c.path("flip_sin_to_cos").asBoolean(true),
                c.path("freq_shift").asInt(0),
                c.path("downsample_padding").asInt(1),
                tl == null || tl.isNull() ? 1 : tl.asInt());
    }

    private static int crossAttentionDim(JsonNode c) {
        JsonNode n = c.get("cross_attention_dim");
        if (n == null || n.isNull()) {
            return 1280;
        }
        if (!n.isInt()) {
            throw new IllegalArgumentException("cross_attention_dim = " + n + ": only one number is supported");
        }
        return n.asInt();
    }
}
