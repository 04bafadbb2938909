package org.draglora.engine.weights;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * A single-file SD 1.x checkpoint (LDM/CompVis naming, as A1111 and most downloads use) seen as
 * three sources with diffusers/transformers key names: the UNet ({@code model.diffusion_model.*}),
 * the VAE ({@code first_stage_model.*}) and the CLIP text encoder
 * ({@code cond_stage_model.transformer.*}, giving {@code text_model.*}).
 *
 * <p>The renaming ports diffusers' {@code convert_ldm_unet_checkpoint},
 * {@code convert_ldm_vae_checkpoint} and {@code convert_ldm_clip_checkpoint}
 * (loaders/single_file_utils.py, diffusers 0.27.2) as a key translation: no tensor is copied; the
 * VAE mid-block attention projections, 1x1 conv kernels {@code [C, C, 1, 1]} in LDM, are viewed as
 * Linear weights {@code [C, C]}. The translation is rule-based on each key, with block indices
 * derived from an {@link LdmLayout}; names inside a transformer are the same in both conventions.
 *
 * <p>Keys that are known not to be weights of these three models (the DDPM schedule buffers,
 * {@code model_ema.*}, the text encoder's {@code position_ids}) are listed by {@link #ignoredKeys()};
 * every other key that translates to nothing is listed by {@link #unmappedKeys()}, for the strict
 * loader to report.
 */
public final class LdmCheckpoint {

    /** Prefix of the UNet keys. */
    public static final String UNET_PREFIX = "model.diffusion_model.";
    /** Prefix of the VAE keys. */
    public static final String VAE_PREFIX = "first_stage_model.";
    /** Prefix of the CLIP text encoder keys (followed by transformers' {@code text_model.}). */
    public static final String TEXT_PREFIX = "cond_stage_model.transformer.";

    /**
     * The DDPM buffers LDM's {@code register_schedule} stores next to the models
     * (CompVis ldm/models/diffusion/ddpm.py), besides the {@code sqrt_*} and {@code posterior_*} ones.
     */
    private static final Set<String> DDPM_BUFFERS = Set.of(
            "betas", "alphas_cumprod", "alphas_cumprod_prev", "log_one_minus_alphas_cumprod", "lvlb_weights",
            "logvar");

    private final WeightSource source;
    private final LdmLayout layout;
    private final MappedSource unet;
    private final MappedSource vae;
    private final MappedSource textEncoder;
    private final Set<String> ignored;
    private final List<String> unmapped;

    private LdmCheckpoint(WeightSource source, LdmLayout layout) {
        this.source = source;
        this.layout = layout;
        Map<String, MappedSource.Mapping> unetMap = new LinkedHashMap<>();
        Map<String, MappedSource.Mapping> vaeMap = new LinkedHashMap<>();
        Map<String, MappedSource.Mapping> textMap = new LinkedHashMap<>();
        Set<String> ignoredKeys = new LinkedHashSet<>();
        List<String> unmappedKeys = new ArrayList<>();
        for (TensorInfo info : source.infos().values()) {
            String key = info.name();
            String name;
            if (isIgnored(key)) {
                ignoredKeys.add(key);
            } else if ((name = unetName(key)) != null) {
                put(unetMap, name, new MappedSource.Mapping(key, null));
            } else if ((name = vaeName(key)) != null) {
                put(vaeMap, name, new MappedSource.Mapping(key, vaeShape(name, info)));
            } else if ((name = textName(key)) != null) {
                put(textMap, name, new MappedSource.Mapping(key, null));
            } else {
                unmappedKeys.add(key);
            }
        }
        String origin = source.describe();
        this.unet = new MappedSource(origin + " [UNet, LDM names as diffusers]", source, unetMap);
        this.vae = new MappedSource(origin + " [VAE, LDM names as diffusers]", source, vaeMap);
        this.textEncoder = new MappedSource(origin + " [text encoder, LDM names as transformers]", source, textMap);
        this.ignored = Collections.unmodifiableSet(ignoredKeys);
        this.unmapped = List.copyOf(unmappedKeys);
    }

    /** Translates the keys of a single-file checkpoint with the given layout. */
    public static LdmCheckpoint of(WeightSource source, LdmLayout layout) {
        return new LdmCheckpoint(Objects.requireNonNull(source, "source"), Objects.requireNonNull(layout, "layout"));
    }

    /** Translates the keys of an SD 1.x single-file checkpoint ({@link LdmLayout#sd15()}). */
    public static LdmCheckpoint of(WeightSource source) {
        return of(source, LdmLayout.sd15());
    }

    /** Whether a source looks like an LDM single file (it has {@code model.diffusion_model.*} keys). */
    public static boolean isSingleFile(WeightSource source) {
        return source.infos().keySet().stream().anyMatch(k -> k.startsWith(UNET_PREFIX));
    }

    /** The checkpoint as read. */
    public WeightSource source() {
        return source;
    }

    /** The layout the block indices were derived from. */
    public LdmLayout layout() {
        return layout;
    }

    /** The UNet with diffusers {@code UNet2DConditionModel} key names. */
    public MappedSource unet() {
        return unet;
    }

    /** The VAE with diffusers {@code AutoencoderKL} key names (current attention names). */
    public MappedSource vae() {
        return vae;
    }

    /** The text encoder with transformers {@code CLIPTextModel} key names ({@code text_model.*}). */
    public MappedSource textEncoder() {
        return textEncoder;
    }

    /** Keys deliberately skipped: DDPM buffers, EMA copies, {@code position_ids}. */
    public Set<String> ignoredKeys() {
        return ignored;
    }

    /** Keys that belong to none of the three models and are not known extras: a strict load reports them. */
    public List<String> unmappedKeys() {
        return unmapped;
    }

    private static void put(Map<String, MappedSource.Mapping> map, String name, MappedSource.Mapping mapping) {
        MappedSource.Mapping previous = map.put(name, mapping);
        if (previous != null) {
            throw new IllegalArgumentException("checkpoint keys '" + previous.baseKey() + "' and '"
                    + mapping.baseKey() + "' both translate to '" + name + "'");
        }
    }

    // ------------------------------------------------------------------ ignored keys

    private static boolean isIgnored(String key) {
        if (key.indexOf('.') < 0) {
            return DDPM_BUFFERS.contains(key) || key.startsWith("sqrt_") || key.startsWith("posterior_");
        }
        return key.startsWith("model_ema.")
                // a buffer, not a weight (transformers drops it since v4.31)
                || key.equals(TEXT_PREFIX + "text_model.embeddings.position_ids")
                || key.equals(TEXT_PREFIX + "embeddings.position_ids");
    }

    // ------------------------------------------------------------------ UNet

    /**
     * The diffusers name of a {@code model.diffusion_model.*} key, or null.
     * Numbering (single_file_utils.py convert_ldm_unet_checkpoint), with L = layers_per_block:
     * {@code input_blocks.0} is conv_in; {@code input_blocks.k}, k >= 1, is down block
     * {@code (k-1) / (L+1)}, layer {@code (k-1) % (L+1)}, where layer L is the downsampler;
     * {@code output_blocks.k} is up block {@code k / (L+1)}, layer {@code k % (L+1)}; inside an
     * entry, {@code .0} is the resnet, {@code .1} the transformer, and the upsampler comes last
     * ({@code .1} in a block without transformers, else {@code .2}).
     */
    private String unetName(String key) {
        if (!key.startsWith(UNET_PREFIX)) {
            return null;
        }
        String[] p = key.substring(UNET_PREFIX.length()).split("\\.", -1);
        if (p.length < 3) {
            return null;
        }
        return switch (p[0]) {
            case "time_embed" -> p[1].equals("0") ? leaf("time_embedding.linear_1", p, 2)
                    : p[1].equals("2") ? leaf("time_embedding.linear_2", p, 2) : null;
            case "out" -> p[1].equals("0") ? leaf("conv_norm_out", p, 2) : p[1].equals("2") ? leaf("conv_out", p, 2) : null;
            case "input_blocks" -> inputBlock(p);
            case "middle_block" -> switch (p[1]) {
                case "0" -> resnet("mid_block.resnets.0", p, 2);
                case "1" -> tail("mid_block.attentions.0", p, 2);
                case "2" -> resnet("mid_block.resnets.1", p, 2);
                default -> null;
            };
            case "output_blocks" -> outputBlock(p);
            default -> null;
        };
    }

    /** {@code input_blocks.k.s.*}: conv_in, a down block's resnet or transformer, or its downsampler. */
    private String inputBlock(String[] p) {
        int k = index(p, 1);
        if (k < 0 || p.length < 4) {
            return null;
        }
        if (k == 0) {
            return p[2].equals("0") ? leaf("conv_in", p, 3) : null;
        }
        int per = layout.unetLayersPerBlock() + 1; // LDM entries per block: L layers + the downsampler
        int i = (k - 1) / per;
        int j = (k - 1) % per;
        if (i >= layout.unetBlocks()) {
            return null;
        }
        String block = "down_blocks." + i + ".";
        if (j < per - 1) {
            if (p[2].equals("0")) {
                return resnet(block + "resnets." + j, p, 3);
            }
            return p[2].equals("1") && layout.unetDownAttention().get(i) ? tail(block + "attentions." + j, p, 3) : null;
        }
        // the downsampler: input_blocks.{(L+1)(i+1)}.0.op -> downsamplers.0.conv (not in the last block)
        boolean hasDownsampler = i < layout.unetBlocks() - 1;
        return hasDownsampler && p[2].equals("0") && p[3].equals("op") ? leaf(block + "downsamplers.0.conv", p, 4) : null;
    }

    /** {@code output_blocks.k.s.*}: an up block's resnet or transformer, or its upsampler. */
    private String outputBlock(String[] p) {
        int k = index(p, 1);
        if (k < 0 || p.length < 4) {
            return null;
        }
        int per = layout.unetLayersPerBlock() + 1; // LDM entries per block: L + 1 layers, the last with the upsampler
        int i = k / per;
        int j = k % per;
        if (i >= layout.unetBlocks()) {
            return null;
        }
        String block = "up_blocks." + i + ".";
        boolean attention = layout.unetUpAttention().get(i);
        if (p[2].equals("0")) {
            return resnet(block + "resnets." + j, p, 3);
        }
        if (p[2].equals("1") && attention) {
            return tail(block + "attentions." + j, p, 3);
        }
        // the upsampler follows the resnet (and the transformer) of the block's last entry
        boolean hasUpsampler = i < layout.unetBlocks() - 1 && j == per - 1;
        String upsamplerEntry = attention ? "2" : "1";
        return hasUpsampler && p[2].equals(upsamplerEntry) && p[3].equals("conv")
                ? leaf(block + "upsamplers.0.conv", p, 4) : null;
    }

    /** ResnetBlock2D sub-layers: LDM ResBlock name -> diffusers name. */
    private static String resnet(String prefix, String[] p, int from) {
        String layer;
        int next = from + 2;
        String a = p[from];
        String b = p.length > from + 1 ? p[from + 1] : "";
        if (a.equals("in_layers") && b.equals("0")) {
            layer = "norm1";
        } else if (a.equals("in_layers") && b.equals("2")) {
            layer = "conv1";
        } else if (a.equals("emb_layers") && b.equals("1")) {
            layer = "time_emb_proj";
        } else if (a.equals("out_layers") && b.equals("0")) {
            layer = "norm2";
        } else if (a.equals("out_layers") && b.equals("3")) {
            layer = "conv2";
        } else if (a.equals("skip_connection")) {
            layer = "conv_shortcut";
            next = from + 1;
        } else {
            return null;
        }
        return leaf(prefix + "." + layer, p, next);
    }

    // ------------------------------------------------------------------ VAE

    /**
     * The diffusers name of a {@code first_stage_model.*} key, or null
     * (single_file_utils.py convert_ldm_vae_checkpoint): {@code down.i.block.j} ->
     * {@code down_blocks.i.resnets.j}; decoder {@code up.k} -> {@code up_blocks.(n-1-k)} (LDM
     * numbers the decoder from the bottom); {@code mid.block_1/2} -> {@code mid_block.resnets.0/1};
     * {@code mid.attn_1.{norm,q,k,v,proj_out}} -> {@code mid_block.attentions.0.{group_norm,to_q,
     * to_k,to_v,to_out.0}}; {@code nin_shortcut} -> {@code conv_shortcut}; {@code norm_out} ->
     * {@code conv_norm_out}.
     */
    private String vaeName(String key) {
        if (!key.startsWith(VAE_PREFIX)) {
            return null;
        }
        String[] p = key.substring(VAE_PREFIX.length()).split("\\.", -1);
        if (p[0].equals("quant_conv") || p[0].equals("post_quant_conv")) {
            return leaf(p[0], p, 1);
        }
        if ((!p[0].equals("encoder") && !p[0].equals("decoder")) || p.length < 3) {
            return null;
        }
        String coder = p[0] + ".";
        return switch (p[1]) {
            case "conv_in", "conv_out" -> leaf(coder + p[1], p, 2);
            case "norm_out" -> leaf(coder + "conv_norm_out", p, 2);
            case "mid" -> vaeMid(coder + "mid_block.", p);
            case "down", "up" -> vaeBlock(p);
            default -> null;
        };
    }

    /**
     * {@code encoder.down.i.*} or {@code decoder.up.k.*}: a resnet ({@code block.j}) or the
     * down/upsampler; the decoder's {@code up.k} is diffusers' {@code up_blocks.(n-1-k)}.
     */
    private String vaeBlock(String[] p) {
        boolean encoder = p[0].equals("encoder");
        if (encoder != p[1].equals("down") || p.length < 5) {
            return null; // encoder.up / decoder.down do not exist
        }
        int blocks = layout.vaeBlocks();
        int k = index(p, 2);
        if (k < 0 || k >= blocks) {
            return null;
        }
        int i = encoder ? k : blocks - 1 - k;
        String block = p[0] + (encoder ? ".down_blocks." : ".up_blocks.") + i + ".";
        if (p[3].equals("block")) {
            int j = index(p, 4);
            int layers = layout.vaeLayersPerBlock() + (encoder ? 0 : 1);
            return j >= 0 && j < layers && p.length > 5 ? vaeResnet(block + "resnets." + j, p, 5) : null;
        }
        boolean hasSampler = i < blocks - 1; // none in the last encoder / decoder block
        if (hasSampler && p[3].equals(encoder ? "downsample" : "upsample") && p[4].equals("conv")) {
            return leaf(block + (encoder ? "downsamplers" : "upsamplers") + ".0.conv", p, 5);
        }
        return null;
    }

    private static String vaeMid(String prefix, String[] p) {
        if (p.length < 4) {
            return null;
        }
        String attention = prefix + "attentions.0.";
        return switch (p[2]) {
            case "block_1" -> vaeResnet(prefix + "resnets.0", p, 3);
            case "block_2" -> vaeResnet(prefix + "resnets.1", p, 3);
            case "attn_1" -> switch (p[3]) {
                case "norm" -> leaf(attention + "group_norm", p, 4);
                case "q" -> leaf(attention + "to_q", p, 4);
                case "k" -> leaf(attention + "to_k", p, 4);
                case "v" -> leaf(attention + "to_v", p, 4);
                case "proj_out" -> leaf(attention + "to_out.0", p, 4);
                default -> null;
            };
            default -> null;
        };
    }

    /** VAE ResnetBlock2D: the names match except the shortcut. */
    private static String vaeResnet(String prefix, String[] p, int from) {
        return switch (p[from]) {
            case "norm1", "conv1", "norm2", "conv2" -> leaf(prefix + "." + p[from], p, from + 1);
            case "nin_shortcut" -> leaf(prefix + ".conv_shortcut", p, from + 1);
            default -> null;
        };
    }

    /**
     * The shape the diffusers VAE expects: the mid-block attention projections are 1x1 conv kernels
     * {@code [C, C, 1, 1]} in LDM and Linear weights {@code [C, C]} in diffusers (single_file_utils.py
     * conv_attn_to_linear); null keeps the stored shape.
     */
    private static long[] vaeShape(String name, TensorInfo info) {
        boolean projection = name.contains(".mid_block.attentions.0.to_") && name.endsWith(".weight");
        long[] s = info.shape();
        if (projection && s.length == 4 && s[2] == 1 && s[3] == 1) {
            return new long[] {s[0], s[1]}; // (C, C, 1, 1) -> (C, C)
        }
        return null;
    }

    // ------------------------------------------------------------------ text encoder

    /**
     * The transformers name of a {@code cond_stage_model.transformer.*} key, or null. Current files carry {@code text_model.*}; files saved with transformers before 4.x
     * lack that level (A1111 sd_models.py checkpoint_dict_replacements_sd1 adds it).
     */
    private static String textName(String key) {
        if (!key.startsWith(TEXT_PREFIX)) {
            return null;
        }
        String rest = key.substring(TEXT_PREFIX.length());
        if (rest.startsWith("text_model.")) {
            return rest;
        }
        if (rest.startsWith("embeddings.") || rest.startsWith("encoder.") || rest.startsWith("final_layer_norm.")) {
            return "text_model." + rest;
        }
        return null;
    }

    // ------------------------------------------------------------------ helpers

    /** {@code prefix.weight} or {@code prefix.bias} when {@code p[from]} is the last part, else null. */
    private static String leaf(String prefix, String[] p, int from) {
        if (p.length != from + 1 || !(p[from].equals("weight") || p[from].equals("bias"))) {
            return null;
        }
        return prefix + "." + p[from];
    }

    /** {@code prefix} followed by the parts from {@code from} on, unchanged (names inside transformers). */
    private static String tail(String prefix, String[] p, int from) {
        if (p.length <= from) {
            return null;
        }
        StringBuilder b = new StringBuilder(prefix);
        for (int i = from; i < p.length; i++) {
            if (p[i].isEmpty()) {
                return null;
            }
            b.append('.').append(p[i]);
        }
        return b.toString();
    }

    /** The non-negative integer {@code p[i]}, or -1. */
    private static int index(String[] p, int i) {
        if (p.length <= i || p[i].isEmpty() || p[i].length() > 6) {
            return -1;
        }
        for (int c = 0; c < p[i].length(); c++) {
            if (p[i].charAt(c) < '0' || p[i].charAt(c) > '9') {
                return -1;
            }
        }
        return Integer.parseInt(p[i]);
    }
}
