package org.draglora.http.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Iterator;
import java.util.Map;

/**
 * A diffusers folder holding the engine's tiny fixture models (UNet, VAE, CLIP with a 1000-token
 * vocabulary) and a tokenizer that fits that vocabulary: the 512 byte-level symbols of CLIP's
 * vocabulary, no merges, and the start/end tokens at 998/999 (the ids the CLIP fixture uses for
 * them). Random weights: the pictures mean nothing, the plumbing is real.
 */
final class TinyPipeline {

    static final Path FIXTURES = Path.of("..", "engine", "src", "test", "resources", "fixtures");

    private TinyPipeline() {}

    static Path create(Path dir) throws IOException {
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("model_index.json"), """
                {"_class_name": "StableDiffusionPipeline", "unet": ["diffusers", "UNet2DConditionModel"],
                 "vae": ["diffusers", "AutoencoderKL"], "text_encoder": ["transformers", "CLIPTextModel"],
                 "tokenizer": ["transformers", "CLIPTokenizer"], "scheduler": ["diffusers", "DDIMScheduler"]}
                """);
        copy("unet-tiny/config.json", dir.resolve("unet/config.json"));
        copy("unet-tiny/diffusion_pytorch_model.safetensors", dir.resolve("unet/diffusion_pytorch_model.safetensors"));
        copy("vae-tiny/config.json", dir.resolve("vae/config.json"));
        copy("vae-tiny/diffusion_pytorch_model.safetensors", dir.resolve("vae/diffusion_pytorch_model.safetensors"));
        copy("clip-text-tiny/config.json", dir.resolve("text_encoder/config.json"));
        copy("clip-text-tiny/model.safetensors", dir.resolve("text_encoder/model.safetensors"));
        copy("ddim/scheduler_config.json", dir.resolve("scheduler/scheduler_config.json"));
        ObjectMapper json = new ObjectMapper();
        JsonNode full = json.readTree(FIXTURES.resolve("clip-tokenizer/tokenizer/vocab.json").toFile());
        ObjectNode vocab = json.createObjectNode();
        for (Iterator<Map.Entry<String, JsonNode>> it = full.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (e.getValue().asInt() < 512) {
                vocab.put(e.getKey(), e.getValue().asInt());
            }
        }
        vocab.put("<|startoftext|>", 998);
        vocab.put("<|endoftext|>", 999);
        Path tok = Files.createDirectories(dir.resolve("tokenizer"));
        json.writeValue(tok.resolve("vocab.json").toFile(), vocab);
        Files.writeString(tok.resolve("merges.txt"), "#version: 0.2\n");
        copy("clip-tokenizer/tokenizer/special_tokens_map.json", tok.resolve("special_tokens_map.json"));
        copy("clip-tokenizer/tokenizer/tokenizer_config.json", tok.resolve("tokenizer_config.json"));
        return dir;
    }

    private static void copy(String fixture, Path to) throws IOException {
        Files.createDirectories(to.getParent());
        Files.copy(FIXTURES.resolve(fixture), to, StandardCopyOption.REPLACE_EXISTING);
    }
}
