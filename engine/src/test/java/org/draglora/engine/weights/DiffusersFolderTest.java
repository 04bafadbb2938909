package org.draglora.engine.weights;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.draglora.engine.schedule.DdimConfig;
import org.draglora.engine.testing.Fixtures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link DiffusersFolder} and {@link ShardedSource} on folders assembled from the fixtures in a temporary directory. */
class DiffusersFolderTest {

    /** The SD 1.5 model_index.json (runwayml/stable-diffusion-v1-5), without the safety checker. */
    private static final String MODEL_INDEX = """
            {
              "_class_name": "StableDiffusionPipeline",
              "_diffusers_version": "0.6.0",
              "feature_extractor": ["transformers", "CLIPImageProcessor"],
              "safety_checker": [null, null],
              "scheduler": ["diffusers", "PNDMScheduler"],
              "text_encoder": ["transformers", "CLIPTextModel"],
              "tokenizer": ["transformers", "CLIPTokenizer"],
              "unet": ["diffusers", "UNet2DConditionModel"],
              "vae": ["diffusers", "AutoencoderKL"]
            }
            """;

    private static void copy(String fixture, Path target) throws IOException {
        Files.createDirectories(target.getParent());
        Files.copy(Fixtures.path(fixture), target);
    }

    /** A complete tiny pipeline folder. */
    private static Path pipeline(Path root) throws IOException {
        Files.writeString(root.resolve("model_index.json"), MODEL_INDEX);
        copy("unet-tiny/config.json", root.resolve("unet/config.json"));
        copy("unet-tiny/diffusion_pytorch_model.safetensors", root.resolve("unet/diffusion_pytorch_model.safetensors"));
        copy("vae-tiny/config.json", root.resolve("vae/config.json"));
        copy("vae-tiny/diffusion_pytorch_model.safetensors", root.resolve("vae/diffusion_pytorch_model.safetensors"));
        copy("clip-text-tiny/config.json", root.resolve("text_encoder/config.json"));
        copy("clip-text-tiny/model.safetensors", root.resolve("text_encoder/model.safetensors"));
        for (String f : List.of("vocab.json", "merges.txt", "special_tokens_map.json", "tokenizer_config.json")) {
            copy("clip-tokenizer/tokenizer/" + f, root.resolve("tokenizer/" + f));
        }
        copy("ddim/scheduler_config.json", root.resolve("scheduler/scheduler_config.json"));
        return root;
    }

    @Test
    void readsAPipelineFolder(@TempDir Path tmp) throws IOException {
        DiffusersFolder folder = DiffusersFolder.open(pipeline(tmp));
        assertEquals("StableDiffusionPipeline", folder.pipelineClass());
        assertEquals("UNet2DConditionModel", folder.unet().className());
        assertEquals(tmp.resolve("unet/config.json"), folder.unet().config());
        assertEquals(tmp.resolve("unet/diffusion_pytorch_model.safetensors"), folder.unet().weights());
        assertEquals("AutoencoderKL", folder.vae().className());
        assertEquals("CLIPTextModel", folder.textEncoder().className());
        assertEquals(tmp.resolve("text_encoder/model.safetensors"), folder.textEncoder().weights());
        assertEquals(tmp.resolve("tokenizer"), folder.tokenizerDir());
        assertEquals(DdimConfig.sd15(), DdimConfig.load(folder.schedulerConfig()));
        assertFalse(folder.unet().sharded());
        assertFalse(folder.unet().fp16Variant());
        try (ShardedSource unet = folder.unet().openWeights();
                ShardedSource vae = folder.vae().openWeights();
                ShardedSource text = folder.textEncoder().openWeights()) {
            assertEquals(684, unet.infos().size());
            assertEquals(244, vae.infos().size());
            assertEquals(36, text.infos().size());
        }
    }

    @Test
    void singleComponentFolders() throws IOException {
        DiffusersFolder.Component unet = DiffusersFolder.component(Fixtures.path("unet-tiny"));
        assertEquals("unet-tiny", unet.name());
        assertEquals("UNet2DConditionModel", unet.className());
        assertEquals("diffusion_pytorch_model.safetensors", unet.weights().getFileName().toString());
        DiffusersFolder.Component text = DiffusersFolder.component(Fixtures.path("clip-text-tiny"));
        assertEquals("CLIPTextModel", text.className()); // transformers: architectures[0]
        assertEquals("model.safetensors", text.weights().getFileName().toString());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> DiffusersFolder.open(Fixtures.path("unet-tiny")));
        assertTrue(e.getMessage().contains("model_index.json") && e.getMessage().contains("component"), e.getMessage());
    }

    @Test
    void fp16VariantIsAcceptedAndFullPrecisionPreferred(@TempDir Path tmp) throws IOException {
        Path vae = tmp.resolve("vae");
        copy("vae-tiny/config.json", vae.resolve("config.json"));
        copy("vae-tiny/diffusion_pytorch_model.safetensors", vae.resolve("diffusion_pytorch_model.fp16.safetensors"));
        DiffusersFolder.Component c = DiffusersFolder.component(vae);
        assertTrue(c.fp16Variant());
        assertEquals("diffusion_pytorch_model.fp16.safetensors", c.weights().getFileName().toString());
        copy("vae-tiny/diffusion_pytorch_model.safetensors", vae.resolve("diffusion_pytorch_model.safetensors"));
        assertEquals("diffusion_pytorch_model.safetensors", DiffusersFolder.component(vae).weights().getFileName().toString());
    }

    @Test
    void shardedWeightsAreMerged(@TempDir Path tmp) throws IOException {
        Path unet = tmp.resolve("unet");
        copy("unet-tiny/config.json", unet.resolve("config.json"));
        Map<String, String> weightMap = writeShards(unet, "diffusion_pytorch_model", null);
        Files.writeString(unet.resolve("diffusion_pytorch_model.safetensors.index.json"), indexJson(weightMap));
        DiffusersFolder.Component c = DiffusersFolder.component(unet);
        assertTrue(c.sharded());
        try (ShardedSource merged = c.openWeights();
                SafetensorsFile original = Fixtures.open("unet-tiny/diffusion_pytorch_model.safetensors")) {
            assertEquals(2, merged.files().size());
            assertEquals(new TreeMap<>(original.infos()).keySet(), new TreeMap<>(merged.infos()).keySet());
            for (String key : original.infos().keySet()) {
                assertEquals(original.readFloat32(key), merged.readFloat32(key), key);
            }
        }
    }

    /** Splits the tiny UNet into two shards; returns the weight map (key -> shard file name). */
    private static Map<String, String> writeShards(Path dir, String base, String dropKey) throws IOException {
        Map<String, String> weightMap = new LinkedHashMap<>();
        try (SafetensorsFile f = Fixtures.open("unet-tiny/diffusion_pytorch_model.safetensors")) {
            List<String> keys = new ArrayList<>(f.infos().keySet());
            SafetensorsWriter[] writers = {new SafetensorsWriter(), new SafetensorsWriter()};
            for (int i = 0; i < keys.size(); i++) {
                String key = keys.get(i);
                int shard = i < keys.size() / 2 ? 0 : 1;
                TensorInfo info = f.info(key);
                if (!key.equals(dropKey)) {
                    writers[shard].add(key, info.dtype(), info.shape(), f.raw(key));
                }
                weightMap.put(key, base + "-0000" + (shard + 1) + "-of-00002.safetensors");
            }
            for (int s = 0; s < 2; s++) {
                writers[s].write(dir.resolve(base + "-0000" + (s + 1) + "-of-00002.safetensors"));
            }
        }
        return weightMap;
    }

    private static String indexJson(Map<String, String> weightMap) {
        StringBuilder b = new StringBuilder("{\"metadata\": {\"total_size\": 0}, \"weight_map\": {");
        String sep = "";
        for (Map.Entry<String, String> e : weightMap.entrySet()) {
            b.append(sep).append('"').append(e.getKey()).append("\": \"").append(e.getValue()).append('"');
            sep = ", ";
        }
        return b.append("}}").toString();
    }

    @Test
    void shardIndexDisagreementsAreErrors(@TempDir Path tmp) throws IOException {
        Map<String, String> weightMap = writeShards(tmp, "model", "conv_in.bias");
        Path index = tmp.resolve("model.safetensors.index.json");
        Files.writeString(index, indexJson(weightMap));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ShardedSource.open(index));
        assertTrue(e.getMessage().contains("conv_in.bias") && e.getMessage().contains("no shard holds it"), e.getMessage());

        weightMap.put("conv_in.bias", "../elsewhere.safetensors");
        Files.writeString(index, indexJson(weightMap));
        e = assertThrows(IllegalArgumentException.class, () -> ShardedSource.open(index));
        assertTrue(e.getMessage().contains("not a file next to the index"), e.getMessage());

        weightMap.put("conv_in.bias", "model-00003-of-00002.safetensors");
        Files.writeString(index, indexJson(weightMap));
        e = assertThrows(IllegalArgumentException.class, () -> ShardedSource.open(index));
        assertTrue(e.getMessage().contains("model-00003-of-00002.safetensors") && e.getMessage().contains("missing"),
                e.getMessage());
    }

    @Test
    void pickleWeightsAreRefused(@TempDir Path tmp) throws IOException {
        Path unet = tmp.resolve("unet");
        copy("unet-tiny/config.json", unet.resolve("config.json"));
        Files.write(unet.resolve("diffusion_pytorch_model.bin"), new byte[] {(byte) 0x80, 2});
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> DiffusersFolder.component(unet));
        assertTrue(e.getMessage().contains("pickle") && e.getMessage().contains("diffusion_pytorch_model.bin")
                && e.getMessage().contains("safetensors"), e.getMessage());
    }

    @Test
    void missingPiecesAreNamed(@TempDir Path tmp) throws IOException {
        Path root = pipeline(tmp);
        Files.delete(root.resolve("unet/diffusion_pytorch_model.safetensors"));
        Files.delete(root.resolve("vae/config.json"));
        Files.delete(root.resolve("tokenizer/merges.txt"));
        Files.delete(root.resolve("scheduler/scheduler_config.json"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> DiffusersFolder.open(root));
        String m = e.getMessage();
        assertTrue(m.contains("has no weights file") && m.contains("diffusion_pytorch_model.safetensors"), m);
        assertTrue(m.contains("vae/config.json is missing"), m);
        assertTrue(m.contains("tokenizer/merges.txt is missing"), m);
        assertTrue(m.contains("scheduler/scheduler_config.json is missing"), m);

        Path empty = Files.createDirectory(tmp.resolve("empty"));
        e = assertThrows(IllegalArgumentException.class, () -> DiffusersFolder.open(empty));
        assertTrue(e.getMessage().contains("no model_index.json"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> DiffusersFolder.component(empty));
        assertTrue(e.getMessage().contains("no config.json"), e.getMessage());
    }

    @Test
    void unsupportedOrAbsentComponentsAreRejected(@TempDir Path tmp) throws IOException {
        Path root = pipeline(tmp);
        Files.writeString(root.resolve("model_index.json"), MODEL_INDEX
                .replace("\"UNet2DConditionModel\"", "\"UNet2DModel\"")
                .replace("\"vae\": [\"diffusers\", \"AutoencoderKL\"]", "\"vae\": [null, null]"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> DiffusersFolder.open(root));
        assertTrue(e.getMessage().contains("UNet2DModel") && e.getMessage().contains("UNet2DConditionModel"), e.getMessage());
        assertTrue(e.getMessage().contains("'vae'"), e.getMessage());
    }
}
