package org.draglora.engine.weights;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.draglora.engine.testing.Fixtures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link LdmCheckpoint} and {@link LegacyVaeNames} against fixture {@code ldm-single-file/} (written
 * by diffusers' convert_diffusers_to_original_stable_diffusion.py from the tiny UNet, VAE and text
 * encoder; {@code key_map.json} lists every diffusers key with its LDM key) and the full-size
 * SD 1.5 key lists of {@code sd15-keys/}.
 */
class LdmCheckpointTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void tinyCheckpointMapsToTheFolderFixtures() throws IOException {
        JsonNode keyMap = JSON.readTree(Fixtures.path("ldm-single-file/key_map.json").toFile());
        try (SafetensorsFile single = SafetensorsFile.open(Fixtures.path("ldm-single-file/model.safetensors"));
                SafetensorsFile unet = SafetensorsFile.open(Fixtures.path("unet-tiny/diffusion_pytorch_model.safetensors"));
                SafetensorsFile vae = SafetensorsFile.open(Fixtures.path("vae-tiny/diffusion_pytorch_model.safetensors"));
                SafetensorsFile text = SafetensorsFile.open(Fixtures.path("clip-text-tiny/model.safetensors"))) {
            assertTrue(LdmCheckpoint.isSingleFile(single));
            LdmCheckpoint ckpt = LdmCheckpoint.of(single, LdmLayout.sd15());
            assertEquals(List.of(), ckpt.unmappedKeys());
            assertEquals(Set.of(), ckpt.ignoredKeys());
            assertSameAsFolder("unet", keyMap.get("unet"), ckpt.unet(), unet);
            assertSameAsFolder("vae", keyMap.get("vae"), ckpt.vae(), vae);
            assertSameAsFolder("text_encoder", keyMap.get("text_encoder"), ckpt.textEncoder(), text);
            assertEquals(684, ckpt.unet().infos().size());
            assertEquals(244, ckpt.vae().infos().size());
            assertEquals(36, ckpt.textEncoder().infos().size());
        }
    }

    private static void assertSameAsFolder(String what, JsonNode expectedMap, MappedSource mapped, SafetensorsFile folder)
            throws IOException {
        Map<String, String> expected = new TreeMap<>();
        expectedMap.fields().forEachRemaining(e -> expected.put(e.getKey(), e.getValue().asText()));
        assertEquals(expected.keySet(), new TreeMap<>(mapped.infos()).keySet(), what + ": key set vs key_map.json");
        assertEquals(folder.infos().keySet(), new TreeMap<>(mapped.infos()).keySet(), what + ": key set vs folder");
        for (Map.Entry<String, String> e : expected.entrySet()) {
            String key = e.getKey();
            assertEquals(e.getValue(), mapped.baseKey(key), what + ": LDM key of " + key);
            assertArrayEquals(folder.info(key).shape(), mapped.infos().get(key).shape(), what + ": shape of " + key);
            ByteBuffer got = mapped.readFloat32(key).order(ByteOrder.LITTLE_ENDIAN);
            ByteBuffer want = folder.readFloat32(key).order(ByteOrder.LITTLE_ENDIAN);
            assertEquals(want, got, what + ": bytes of " + key);
        }
    }

    @Test
    void fullSizeKeySetsAndShapes() throws IOException {
        LdmCheckpoint ckpt = LdmCheckpoint.of(ShapeOnlySource.read(Fixtures.path("sd15-keys/sd15.ldm.tsv")));
        assertEquals(List.of(), ckpt.unmappedKeys());
        assertEquals(Set.of(), ckpt.ignoredKeys());
        assertShapes("sd15-keys/unet.diffusers.tsv", ckpt.unet());
        assertShapes("sd15-keys/vae.diffusers.tsv", ckpt.vae());
        assertShapes("sd15-keys/text_encoder.transformers.tsv", ckpt.textEncoder());
    }

    private static void assertShapes(String tsv, MappedSource mapped) throws IOException {
        Map<String, String> expected = new TreeMap<>();
        ShapeOnlySource.read(Fixtures.path(tsv)).infos().forEach((k, v) -> expected.put(k, v.shapeText()));
        Map<String, String> got = new TreeMap<>();
        mapped.infos().forEach((k, v) -> got.put(k, v.shapeText()));
        assertEquals(expected, got, tsv);
    }

    @Test
    void knownExtrasAreIgnoredAndStrangersReported() throws IOException {
        Map<String, long[]> shapes = new LinkedHashMap<>();
        ShapeOnlySource.read(Fixtures.path("sd15-keys/sd15.ldm.tsv")).infos().forEach((k, v) -> shapes.put(k, v.shape()));
        // what real SD 1.x single files carry besides the three models (sd15-keys/README.md)
        List<String> buffers = List.of("betas", "alphas_cumprod", "alphas_cumprod_prev", "sqrt_alphas_cumprod",
                "sqrt_one_minus_alphas_cumprod", "log_one_minus_alphas_cumprod", "sqrt_recip_alphas_cumprod",
                "sqrt_recipm1_alphas_cumprod", "posterior_variance", "posterior_log_variance_clipped",
                "posterior_mean_coef1", "posterior_mean_coef2");
        buffers.forEach(k -> shapes.put(k, new long[] {1000}));
        shapes.put("model_ema.decay", new long[0]);
        shapes.put("model_ema.num_updates", new long[0]);
        shapes.put("model_ema.diffusion_modelinput_blocks00weight", new long[] {320, 4, 3, 3});
        shapes.put("cond_stage_model.transformer.text_model.embeddings.position_ids", new long[] {1, 77});
        List<String> bogus = List.of("model.diffusion_model.input_blocks.12.0.in_layers.0.weight",
                "model.diffusion_model.label_emb.0.0.weight", "model.diffusion_model.output_blocks.0.1.conv.weight",
                "first_stage_model.encoder.down.3.downsample.conv.weight", "first_stage_model.loss.logvar",
                "cond_stage_model.model.token_embedding.weight", "lora_unet_down_blocks_0.alpha");
        bogus.forEach(k -> shapes.put(k, new long[] {4}));

        LdmCheckpoint ckpt = LdmCheckpoint.of(new ShapeOnlySource("sd15 + extras", shapes));
        Set<String> ignored = new TreeSet<>(buffers);
        ignored.addAll(List.of("model_ema.decay", "model_ema.num_updates", "model_ema.diffusion_modelinput_blocks00weight",
                "cond_stage_model.transformer.text_model.embeddings.position_ids"));
        assertEquals(ignored, new TreeSet<>(ckpt.ignoredKeys()));
        assertEquals(bogus, ckpt.unmappedKeys());
        assertEquals(686, ckpt.unet().infos().size());
        assertEquals(248, ckpt.vae().infos().size());
        assertEquals(196, ckpt.textEncoder().infos().size());
    }

    @Test
    void strictLoadOverTheMappedUnetSeesEveryKey() throws IOException {
        LdmCheckpoint ckpt = LdmCheckpoint.of(ShapeOnlySource.read(Fixtures.path("sd15-keys/sd15.ldm.tsv")));
        WeightScope scope = WeightScope.shapesOnly(ckpt.unet());
        ShapeOnlySource.read(Fixtures.path("sd15-keys/unet.diffusers.tsv")).infos().forEach((k, v) -> scope.get(k, v.shape()));
        scope.verify();
    }

    @Test
    void textEncoderWithoutTheTextModelLevel() {
        Map<String, long[]> shapes = new LinkedHashMap<>();
        shapes.put("cond_stage_model.transformer.embeddings.token_embedding.weight", new long[] {10, 4});
        shapes.put("cond_stage_model.transformer.embeddings.position_ids", new long[] {1, 77});
        shapes.put("cond_stage_model.transformer.encoder.layers.0.mlp.fc1.bias", new long[] {8});
        shapes.put("cond_stage_model.transformer.final_layer_norm.weight", new long[] {4});
        LdmCheckpoint ckpt = LdmCheckpoint.of(new ShapeOnlySource("old transformers", shapes));
        assertEquals(Set.of("text_model.embeddings.token_embedding.weight", "text_model.encoder.layers.0.mlp.fc1.bias",
                "text_model.final_layer_norm.weight"), ckpt.textEncoder().infos().keySet());
        assertEquals(Set.of("cond_stage_model.transformer.embeddings.position_ids"), ckpt.ignoredKeys());

        shapes.put("cond_stage_model.transformer.text_model.final_layer_norm.weight", new long[] {4});
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> LdmCheckpoint.of(new ShapeOnlySource("both spellings", shapes)));
        assertTrue(e.getMessage().contains("text_model.final_layer_norm.weight"), e.getMessage());
    }

    @Test
    void layoutFromBlockTypes() {
        assertEquals(List.of(true, true, true, false), LdmLayout.sd15().unetDownAttention());
        assertEquals(List.of(false, true, true, true), LdmLayout.sd15().unetUpAttention());
        assertThrows(IllegalArgumentException.class, () -> LdmLayout.fromBlockTypes(
                List.of("SimpleCrossAttnDownBlock2D"), List.of("UpBlock2D"), 2, 4, 2));
        assertThrows(IllegalArgumentException.class,
                () -> new LdmLayout(4, 2, List.of(true), List.of(true), 4, 2));
    }

    @Test
    void legacyVaeNamesOfAFolderVae(@TempDir Path tmp) throws IOException {
        Path legacyFile = tmp.resolve("diffusion_pytorch_model.safetensors");
        try (SafetensorsFile vae = SafetensorsFile.open(Fixtures.path("vae-tiny/diffusion_pytorch_model.safetensors"))) {
            assertFalse(LegacyVaeNames.usesLegacyNames(vae));
            SafetensorsWriter writer = new SafetensorsWriter();
            for (TensorInfo info : vae.infos().values()) {
                writer.add(legacyName(info.name()), info.dtype(), info.shape(), vae.raw(info.name()));
            }
            writer.write(legacyFile);
            try (SafetensorsFile legacy = SafetensorsFile.open(legacyFile)) {
                assertTrue(legacy.infos().containsKey("encoder.mid_block.attentions.0.proj_attn.weight"));
                assertTrue(LegacyVaeNames.usesLegacyNames(legacy));
                MappedSource renamed = LegacyVaeNames.rename(legacy);
                assertEquals(new TreeMap<>(vae.infos()).keySet(), new TreeMap<>(renamed.infos()).keySet());
                for (String key : vae.infos().keySet()) {
                    assertArrayEquals(vae.info(key).shape(), renamed.infos().get(key).shape(), key);
                    assertEquals(vae.readFloat32(key), renamed.readFloat32(key), key);
                }
            }
        }
        assertEquals("decoder.mid_block.attentions.0.to_out.0.bias",
                LegacyVaeNames.currentName("decoder.mid_block.attentions.0.proj_attn.bias"));
        assertEquals("decoder.mid_block.attentions.0.group_norm.weight",
                LegacyVaeNames.currentName("decoder.mid_block.attentions.0.group_norm.weight"));
    }

    private static String legacyName(String key) {
        return key.replace(".to_q.", ".query.").replace(".to_k.", ".key.").replace(".to_v.", ".value.")
                .replace(".to_out.0.", ".proj_attn.");
    }

    @Test
    void legacyConvKernelsAreViewedAsLinear() {
        Map<String, long[]> shapes = new LinkedHashMap<>();
        shapes.put("decoder.mid_block.attentions.0.query.weight", new long[] {8, 8, 1, 1});
        shapes.put("decoder.mid_block.attentions.0.query.bias", new long[] {8});
        MappedSource renamed = LegacyVaeNames.rename(new ShapeOnlySource("old vae", shapes));
        assertArrayEquals(new long[] {8, 8}, renamed.infos().get("decoder.mid_block.attentions.0.to_q.weight").shape());
        assertArrayEquals(new long[] {8}, renamed.infos().get("decoder.mid_block.attentions.0.to_q.bias").shape());
    }
}
