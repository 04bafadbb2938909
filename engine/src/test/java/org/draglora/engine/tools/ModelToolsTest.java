package org.draglora.engine.tools;

import static org.draglora.engine.testing.Tensors.assertMatchesFixture;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import java.nio.file.Files;
import java.nio.file.Path;
import org.draglora.engine.model.ModelComponent;
import org.draglora.engine.model.ModelPath;
import org.draglora.engine.runtime.EngineRuntime;
import org.draglora.engine.testing.FixtureModels;
import org.draglora.engine.testing.Fixtures;
import org.draglora.engine.testing.Tensors;
import org.draglora.engine.weights.SafetensorsFile;
import org.draglora.engine.weights.SafetensorsWriter;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code model forward} and {@code model inspect} on the fixtures, including bad input. */
class ModelToolsTest {

    private static EngineRuntime rt;

    @BeforeAll
    static void start() {
        rt = EngineRuntime.cpu();
    }

    private static void assertOutputs(Path out, String expectedFixture, String... names) throws Exception {
        try (NDManager m = rt.newManager(); SafetensorsFile o = SafetensorsFile.open(out);
                SafetensorsFile e = Fixtures.open(expectedFixture)) {
            for (String name : names) {
                String[] pair = name.split("=");
                assertMatchesFixture(e, pair[pair.length - 1], Tensors.load(m, o, pair[0]));
            }
        }
    }

    @Test
    void unetFolderForwardWritesEpsAndFeatures(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("out.safetensors");
        ModelForward.Summary s = ModelForward.run(ModelPath.of(Fixtures.path("unet-tiny")), null, null,
                Fixtures.path("unet-tiny/inputs.safetensors"), out, rt);
        assertEquals(ModelComponent.UNET, s.component());
        assertEquals(6, s.outputs().size());
        assertOutputs(out, "unet-tiny/expected.safetensors", "eps", "mid_block", "up_blocks.0", "up_blocks.1",
                "up_blocks.2", "up_blocks.3");
    }

    @Test
    void unetForwardWithALoraFile(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("out.safetensors");
        ModelForward.run(ModelPath.of(Fixtures.path("unet-tiny")), null, Fixtures.path("unet-tiny-lora/lora_peft.safetensors"),
                Fixtures.path("unet-tiny-lora/inputs.safetensors"), out, rt);
        assertOutputs(out, "unet-tiny-lora/expected.safetensors", "eps=eps_lora", "up_blocks.2");
    }

    @Test
    void vaeAndTextEncoderOfASingleFileCheckpoint(@TempDir Path dir) throws Exception {
        ModelPath single = ModelPath.of(Fixtures.path("ldm-single-file/model.safetensors"),
                FixtureModels.tinyConfigRoot(dir.resolve("configs")));
        Path vaeOut = dir.resolve("vae.safetensors");
        ModelForward.run(single, ModelComponent.VAE, null, Fixtures.path("vae-tiny/inputs.safetensors"), vaeOut, rt);
        assertOutputs(vaeOut, "vae-tiny/expected.safetensors", "latent_mean", "decoded");
        Path textOut = dir.resolve("text.safetensors");
        ModelForward.run(single, ModelComponent.TEXT_ENCODER, null, Fixtures.path("clip-text-tiny/inputs.safetensors"),
                textOut, rt);
        assertOutputs(textOut, "clip-text-tiny/expected.safetensors", "last_hidden_state");
    }

    @Test
    void badInputsGiveOneLineErrors(@TempDir Path dir) throws Exception {
        ModelPath unet = ModelPath.of(Fixtures.path("unet-tiny"));
        Path out = dir.resolve("out.safetensors");
        Path noText = dir.resolve("no-text.safetensors");
        new SafetensorsWriter().addFloats("sample", new long[] {1, 4, 16, 16}, new float[1024])
                .addLongs("timesteps", new long[] {1}, new long[] {10}).write(noText);
        assertError("lacks the tensor 'encoder_hidden_states'", () -> ModelForward.run(unet, null, null, noText, out, rt));
        Path wrongChannels = dir.resolve("wrong.safetensors");
        new SafetensorsWriter().addFloats("sample", new long[] {1, 3, 16, 16}, new float[768])
                .addLongs("timesteps", new long[] {1}, new long[] {10})
                .addFloats("encoder_hidden_states", new long[] {1, 7, 32}, new float[224]).write(wrongChannels);
        assertError("dimension 1 must be 4", () -> ModelForward.run(unet, null, null, wrongChannels, out, rt));
        Path badTime = dir.resolve("time.safetensors");
        new SafetensorsWriter().addFloats("sample", new long[] {1, 4, 16, 16}, new float[1024])
                .addLongs("timesteps", new long[] {1}, new long[] {1000})
                .addFloats("encoder_hidden_states", new long[] {1, 7, 32}, new float[224]).write(badTime);
        assertError("outside 0..999", () -> ModelForward.run(unet, null, null, badTime, out, rt));
        assertError("neither 'image' nor 'latent'", () -> ModelForward.run(ModelPath.of(Fixtures.path("vae-tiny")), null, null,
                Fixtures.path("unet-tiny/inputs.safetensors"), out, rt));
        assertError("--lora applies to a UNet", () -> ModelForward.run(ModelPath.of(Fixtures.path("vae-tiny")), null,
                Fixtures.path("unet-tiny-lora/lora_peft.safetensors"), Fixtures.path("vae-tiny/inputs.safetensors"), out, rt));
        Path weird = Files.createDirectories(dir.resolve("weird"));
        Files.writeString(weird.resolve("config.json"), "{\"_class_name\": \"UNet2DModel\"}");
        Files.copy(Fixtures.path("unet-tiny/diffusion_pytorch_model.safetensors"),
                weird.resolve("diffusion_pytorch_model.safetensors"));
        assertError("UNet2DModel", () -> ModelForward.run(ModelPath.of(weird), null, null,
                Fixtures.path("unet-tiny/inputs.safetensors"), out, rt));
        assertTrue(Files.notExists(out), "no output is written on failure");
    }

    private static void assertError(String fragment, org.junit.jupiter.api.function.Executable call) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
        assertTrue(e.getMessage().contains(fragment), e.getMessage());
        assertTrue(!e.getMessage().contains("\n"), "one line: " + e.getMessage());
    }

    @Test
    void inspectReportsClassParametersDtypesAndKeys(@TempDir Path dir) throws Exception {
        String unet = ModelInspector.inspect(ModelPath.of(Fixtures.path("unet-tiny")));
        assertTrue(unet.contains("UNet2DConditionModel, 2,446,788 parameters in 684 tensors, dtypes F32 x684"), unet);
        assertTrue(unet.contains("keys: OK"), unet);

        String single = ModelInspector.inspect(ModelPath.of(Fixtures.path("ldm-single-file/model.safetensors"),
                FixtureModels.tinyConfigRoot(dir)));
        assertTrue(single.contains("single-file (LDM/A1111) checkpoint, 964 tensors"), single);
        assertEquals(3, single.split("keys: OK", -1).length - 1, single);

        String preset = ModelInspector.inspect(ModelPath.of(Fixtures.path("ldm-single-file/model.safetensors")));
        assertTrue(preset.contains("mis-shaped"), preset);

        String lora = ModelInspector.inspect(ModelPath.of(Fixtures.path("unet-tiny-lora/lora_peft.safetensors")));
        assertTrue(lora.contains("UNet LoRA, PEFT naming (lora_A/lora_B), rank 4, 128 layers, 43,520 parameters"), lora);
    }
}
