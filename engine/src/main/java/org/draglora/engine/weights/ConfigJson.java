package org.draglora.engine.weights;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/** Readers for the fields of diffusers/transformers {@code config.json} files, naming the key on error. */
public final class ConfigJson {

    private ConfigJson() {}

    /**
     * Reads a config file and parses it with {@code parse}; a parse error is prefixed with the
     * file's path.
     */
    public static <T> T load(java.nio.file.Path configJson, java.util.function.Function<JsonNode, T> parse)
            throws java.io.IOException {
        JsonNode root = new com.fasterxml.jackson.databind.ObjectMapper().readTree(configJson.toFile());
        try {
            return parse.apply(root);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(configJson + ": " + e.getMessage(), e);
        }
    }

    /** A non-empty list of integers. */
    public static List<Integer> intList(JsonNode c, String key) {
        JsonNode n = c.get(key);
        if (n == null || !n.isArray() || n.isEmpty()) {
            throw new IllegalArgumentException(key + " must be a non-empty list");
        }
        List<Integer> out = new ArrayList<>();
        n.forEach(x -> out.add(x.asInt()));
        return out;
    }

    /** A list of strings. */
    public static List<String> stringList(JsonNode c, String key) {
        JsonNode n = c.get(key);
        if (n == null || !n.isArray()) {
            throw new IllegalArgumentException(key + " must be a list");
        }
        List<String> out = new ArrayList<>();
        n.forEach(x -> out.add(x.asText()));
        return out;
    }

    /** Rejects a present, non-null value other than {@code expected} (SD 1.5's value). */
    public static void requireValue(JsonNode c, String key, String expected) {
        JsonNode n = c.get(key);
        if (n != null && !n.isNull() && !Objects.equals(n.asText(), expected)) {
            throw new IllegalArgumentException(key + " = '" + n.asText() + "' is not supported (SD 1.5 has '"
                    + expected + "')");
        }
    }

    /** Rejects {@code key = true}. */
    public static void requireFalse(JsonNode c, String key) {
        JsonNode n = c.get(key);
        if (n != null && n.asBoolean(false)) {
            throw new IllegalArgumentException(key + " = true is not supported (SD 1.5 has false)");
        }
    }
}
