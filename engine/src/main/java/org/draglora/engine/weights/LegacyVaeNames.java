package org.draglora.engine.weights;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Renames the legacy attention keys of a diffusers VAE folder ({@code query}, {@code key},
 * {@code value}, {@code proj_attn}, written by diffusers before 0.14's {@code Attention} class;
 * possibly the SD 1.5 {@code vae/} folder) to the current names {@code to_q}, {@code to_k},
 * {@code to_v}, {@code to_out.0}, as diffusers does on load
 * (modeling_utils.py {@code _convert_deprecated_attention_blocks}, diffusers 0.27.2).
 * {@code group_norm} is the same in both. Every other key passes through unchanged.
 */
public final class LegacyVaeNames {

    /** {@code <...>.attentions.<n>.<legacy name>.<weight|bias>}. */
    private static final Pattern LEGACY =
            Pattern.compile("(.*\\.attentions\\.\\d+\\.)(query|key|value|proj_attn)\\.(weight|bias)");

    private LegacyVaeNames() {}

    /** Whether the source uses at least one legacy attention name. */
    public static boolean usesLegacyNames(WeightSource source) {
        return source.infos().keySet().stream().anyMatch(k -> LEGACY.matcher(k).matches());
    }

    /** The current name of a key (the key itself when it is not a legacy attention key). */
    public static String currentName(String key) {
        Matcher m = LEGACY.matcher(key);
        if (!m.matches()) {
            return key;
        }
        String layer = switch (m.group(2)) {
            case "query" -> "to_q";
            case "key" -> "to_k";
            case "value" -> "to_v";
            default -> "to_out.0"; // proj_attn
        };
        return m.group(1) + layer + "." + m.group(3);
    }

    /**
     * A view of a folder VAE with current attention names. Weights stored as 1x1 conv kernels
     * {@code [C, C, 1, 1]} (seen in some hand-converted files) are viewed as Linear {@code [C, C]}.
     * Two keys with the same current name (a file with both spellings) are an error.
     */
    public static MappedSource rename(WeightSource folderVae) {
        Map<String, MappedSource.Mapping> mappings = new LinkedHashMap<>();
        for (TensorInfo info : folderVae.infos().values()) {
            String name = currentName(info.name());
            long[] shape = null;
            long[] s = info.shape();
            if (!name.equals(info.name()) && name.endsWith(".weight") && s.length == 4 && s[2] == 1 && s[3] == 1) {
                shape = new long[] {s[0], s[1]}; // (C, C, 1, 1) -> (C, C)
            }
            MappedSource.Mapping previous = mappings.put(name, new MappedSource.Mapping(info.name(), shape));
            if (previous != null) {
                throw new IllegalArgumentException(folderVae.describe() + ": keys '" + previous.baseKey() + "' and '"
                        + info.name() + "' both name '" + name + "'");
            }
        }
        return new MappedSource(folderVae.describe() + " [legacy VAE attention names renamed]", folderVae, mappings);
    }
}
