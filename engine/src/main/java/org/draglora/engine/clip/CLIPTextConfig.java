package org.draglora.engine.clip;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Path;
import org.draglora.engine.weights.ConfigJson;

/**
 * The fields of transformers' {@code CLIPTextConfig} (text_encoder/config.json, transformers 4.38)
 * that the SD 1.5 text encoder uses. Missing fields take transformers' defaults; other activations
 * and model types are rejected with a message naming the value.
 *
 * @param hiddenSize width of the token states (768 in SD 1.5)
 * @param intermediateSize width of the MLP (3072)
 * @param numHiddenLayers number of encoder layers (12)
 * @param numAttentionHeads heads per attention (12)
 * @param maxPositionEmbeddings rows of the position embedding, the longest sequence (77)
 * @param vocabSize rows of the token embedding (49408)
 * @param layerNormEps eps of every LayerNorm (1e-5)
 * @param hiddenAct {@code quick_gelu} (SD 1.5) or {@code gelu} (exact erf form)
 * @param eosTokenId 2 selects the legacy pooling rule (argmax of the ids), anything else the first
 *     position of that id
 */
public record CLIPTextConfig(
        int hiddenSize,
        int intermediateSize,
        int numHiddenLayers,
        int numAttentionHeads,
        int maxPositionEmbeddings,
        int vocabSize,
        double layerNormEps,
        String hiddenAct,
        long eosTokenId) {

    static final String QUICK_GELU = "quick_gelu";
    static final String GELU = "gelu";

    /**
     * The eos id of old configs (SD 1.5 has it), for which transformers pools at argmax(input_ids):
     * {@code CLIPTextTransformer.forward}, modeling_clip.py, transformers 4.38.
     */
    static final long LEGACY_EOS_TOKEN_ID = 2;

    public CLIPTextConfig {
        if (hiddenSize < 1 || intermediateSize < 1 || numHiddenLayers < 1 || numAttentionHeads < 1
                || maxPositionEmbeddings < 1 || vocabSize < 1) {
            throw new IllegalArgumentException("hidden_size " + hiddenSize + ", intermediate_size " + intermediateSize
                    + ", num_hidden_layers " + numHiddenLayers + ", num_attention_heads " + numAttentionHeads
                    + ", max_position_embeddings " + maxPositionEmbeddings + " and vocab_size " + vocabSize
                    + " must be positive");
        }
        if (hiddenSize % numAttentionHeads != 0) {
            throw new IllegalArgumentException("hidden_size " + hiddenSize + " is not divisible into "
                    + numAttentionHeads + " heads");
        }
        if (!hiddenAct.equals(QUICK_GELU) && !hiddenAct.equals(GELU)) {
            throw new IllegalArgumentException("hidden_act = '" + hiddenAct + "' is not supported (SD 1.5 has '"
                    + QUICK_GELU + "'; '" + GELU + "' is also accepted)");
        }
    }

    /** Channels per head. */
    public int headDim() {
        return hiddenSize / numAttentionHeads;
    }

    /** Stable Diffusion 1.5's text encoder, CLIP ViT-L/14 (runwayml/stable-diffusion-v1-5 text_encoder/config.json). */
    public static CLIPTextConfig sd15() {
        return new CLIPTextConfig(768, 3072, 12, 12, 77, 49408, 1e-5, QUICK_GELU, LEGACY_EOS_TOKEN_ID);
    }

    /** Reads and validates {@code config.json}. */
    public static CLIPTextConfig load(Path configJson) throws IOException {
        return ConfigJson.load(configJson, CLIPTextConfig::fromJson);
    }

    /** Parses a transformers CLIPTextConfig object. */
    public static CLIPTextConfig fromJson(JsonNode c) {
        String type = c.path("model_type").asText("clip_text_model");
        if (!type.equals("clip_text_model")) {
            throw new IllegalArgumentException("model_type is '" + type + "', expected clip_text_model");
        }
        // defaults: CLIPTextConfig.__init__, configuration_clip.py, transformers 4.38
        return new CLIPTextConfig(
                c.path("hidden_size").asInt(512),
                c.path("intermediate_size").asInt(2048),
                c.path("num_hidden_layers").asInt(12),
                c.path("num_attention_heads").asInt(8),
                c.path("max_position_embeddings").asInt(77),
                c.path("vocab_size").asInt(49408),
                c.path("layer_norm_eps").asDouble(1e-5),
                c.path("hidden_act").asText(QUICK_GELU),
                c.path("eos_token_id").asLong(49407));
    }
}
