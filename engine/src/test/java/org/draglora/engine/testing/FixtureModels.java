package org.draglora.engine.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/** Model folders assembled from the tiny fixtures, in the layouts users have on disk. */
public final class FixtureModels {

    private FixtureModels() {}

    /** The tiny UNet of fixture {@code unet-tiny}, loaded strictly; the caller closes it. */
    public static org.draglora.engine.unet.UNet2DConditionModel tinyUnet(org.draglora.engine.runtime.EngineRuntime rt)
            throws IOException {
        try (org.draglora.engine.weights.SafetensorsFile weights =
                Fixtures.open("unet-tiny/diffusion_pytorch_model.safetensors")) {
            return org.draglora.engine.unet.UNet2DConditionModel.load(weights, rt.newManager(),
                    ai.djl.ndarray.types.DataType.FLOAT32,
                    org.draglora.engine.unet.UNet2DConditionConfig.load(Fixtures.path("unet-tiny/config.json")));
        }
    }

    /** The tiny VAE of fixture {@code vae-tiny}, loaded strictly; the caller closes it. */
    public static org.draglora.engine.vae.AutoencoderKL tinyVae(org.draglora.engine.runtime.EngineRuntime rt)
            throws IOException {
        try (org.draglora.engine.weights.SafetensorsFile weights =
                Fixtures.open("vae-tiny/diffusion_pytorch_model.safetensors")) {
            return org.draglora.engine.vae.AutoencoderKL.load(weights, rt.newManager(),
                    org.draglora.engine.vae.AutoencoderKLConfig.load(Fixtures.path("vae-tiny/config.json")));
        }
    }

    /**
     * The tiny UNet and VAE as an edit model without a text encoder (callers pass prompt
     * embeddings of width 32 themselves) and SD 1.5's DDIM schedule.
     */
    public static org.draglora.engine.edit.EditModel tinyEditModel(org.draglora.engine.runtime.EngineRuntime rt)
            throws IOException {
        return new org.draglora.engine.edit.EditModel(tinyUnet(rt), tinyVae(rt), null, null,
                new org.draglora.engine.schedule.DdimScheduler(org.draglora.engine.schedule.DdimConfig.sd15()), "tiny-fixtures");
    }

    /**
     * A config folder for the tiny single-file checkpoint: {@code unet/}, {@code vae/} and
     * {@code text_encoder/} with the tiny fixtures' {@code config.json}.
     */
    public static Path tinyConfigRoot(Path dir) throws IOException {
        copy("unet-tiny/config.json", dir.resolve("unet/config.json"));
        copy("vae-tiny/config.json", dir.resolve("vae/config.json"));
        copy("clip-text-tiny/config.json", dir.resolve("text_encoder/config.json"));
        return dir;
    }

    /** A diffusers pipeline folder holding the tiny UNet, VAE, text encoder, tokenizer and scheduler. */
    public static Path tinyPipeline(Path dir) throws IOException {
        Files.writeString(Files.createDirectories(dir).resolve("model_index.json"), """
                {"_class_name": "StableDiffusionPipeline", "_diffusers_version": "0.27.2",
                 "unet": ["diffusers", "UNet2DConditionModel"], "vae": ["diffusers", "AutoencoderKL"],
                 "text_encoder": ["transformers", "CLIPTextModel"], "tokenizer": ["transformers", "CLIPTokenizer"],
                 "scheduler": ["diffusers", "DDIMScheduler"]}
                """);
        copy("unet-tiny/config.json", dir.resolve("unet/config.json"));
        copy("unet-tiny/diffusion_pytorch_model.safetensors", dir.resolve("unet/diffusion_pytorch_model.safetensors"));
        copy("vae-tiny/config.json", dir.resolve("vae/config.json"));
        copy("vae-tiny/diffusion_pytorch_model.safetensors", dir.resolve("vae/diffusion_pytorch_model.safetensors"));
        copy("clip-text-tiny/config.json", dir.resolve("text_encoder/config.json"));
        copy("clip-text-tiny/model.safetensors", dir.resolve("text_encoder/model.safetensors"));
        for (String f : new String[] {"vocab.json", "merges.txt", "special_tokens_map.json", "tokenizer_config.json"}) {
            copy("clip-tokenizer/tokenizer/" + f, dir.resolve("tokenizer/" + f));
        }
        copy("ddim/scheduler_config.json", dir.resolve("scheduler/scheduler_config.json"));
        return dir;
    }

    private static void copy(String fixture, Path to) throws IOException {
        Files.createDirectories(to.getParent());
        Files.copy(Fixtures.path(fixture), to, StandardCopyOption.REPLACE_EXISTING);
    }
}
