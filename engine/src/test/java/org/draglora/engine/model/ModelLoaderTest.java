package org.draglora.engine.model;

import static org.draglora.engine.testing.Tensors.assertMatchesFixture;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import java.nio.file.Files;
import java.nio.file.Path;
import org.draglora.engine.clip.CLIPTextModel;
import org.draglora.engine.clip.CLIPTokenizer;
import org.draglora.engine.runtime.EngineRuntime;
import org.draglora.engine.schedule.DdimScheduler;
import org.draglora.engine.testing.FixtureModels;
import org.draglora.engine.testing.Fixtures;
import org.draglora.engine.testing.Tensors;
import org.draglora.engine.unet.ForwardContext;
import org.draglora.engine.unet.UNet2DConditionModel;
import org.draglora.engine.vae.AutoencoderKL;
import org.draglora.engine.weights.SafetensorsFile;
import org.draglora.engine.weights.SafetensorsWriter;
import org.draglora.engine.weights.WeightLoadException;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Loading from the forms users have: the single-file LDM checkpoint of fixture
 * {@code ldm-single-file} must give the same outputs as the diffusers folders, and a pipeline
 * folder loads every component.
 */
class ModelLoaderTest {

    private static EngineRuntime rt;

    @BeforeAll
    static void start() {
        rt = EngineRuntime.cpu();
    }

    @Test
    void singleFileCheckpointGivesTheFolderOutputs(@TempDir Path dir) throws Exception {
        ModelPath single = ModelPath.of(Fixtures.path("ldm-single-file/model.safetensors"), FixtureModels.tinyConfigRoot(dir));
        try (NDManager m = rt.newManager();
                SafetensorsFile unetIn = Fixtures.open("unet-tiny/inputs.safetensors");
                SafetensorsFile unetOut = Fixtures.open("unet-tiny/expected.safetensors");
                SafetensorsFile vaeIn = Fixtures.open("vae-tiny/inputs.safetensors");
                SafetensorsFile vaeOut = Fixtures.open("vae-tiny/expected.safetensors");
                SafetensorsFile clipIn = Fixtures.open("clip-text-tiny/inputs.safetensors");
                SafetensorsFile clipOut = Fixtures.open("clip-text-tiny/expected.safetensors");
                UNet2DConditionModel unet = ModelLoader.unet(single, rt);
                AutoencoderKL vae = ModelLoader.vae(single, rt);
                CLIPTextModel clip = ModelLoader.textEncoder(single, rt)) {
            var out = unet.forward(Tensors.load(m, unetIn, "sample"), Tensors.loadLongs(m, unetIn, "timesteps"),
                    Tensors.load(m, unetIn, "encoder_hidden_states"), ForwardContext.DEFAULT);
            assertMatchesFixture(unetOut, "eps", out.sample());
            assertMatchesFixture(unetOut, "up_blocks.2", out.upBlocks().get(2));
            assertMatchesFixture(vaeOut, "latent_mean", vae.encode(Tensors.load(m, vaeIn, "image")).mean());
            assertMatchesFixture(vaeOut, "decoded", vae.decode(Tensors.load(m, vaeIn, "latent")));
            assertMatchesFixture(clipOut, "last_hidden_state",
                    clip.forward(Tensors.loadLongs(m, clipIn, "input_ids")).lastHiddenState());
        }
    }

    @Test
    void pipelineFolderLoadsEveryComponentAndTheScheduler(@TempDir Path dir) throws Exception {
        ModelPath folder = ModelPath.of(FixtureModels.tinyPipeline(dir));
        assertEquals(ModelPath.Kind.PIPELINE_FOLDER, folder.kind());
        try (UNet2DConditionModel unet = ModelLoader.unet(folder, rt);
                AutoencoderKL vae = ModelLoader.vae(folder, rt);
                CLIPTextModel clip = ModelLoader.textEncoder(folder, rt)) {
            assertEquals(32, unet.config().crossAttentionDim());
            assertEquals(4, vae.config().latentChannels());
            assertEquals(32, clip.config().hiddenSize());
        }
        DdimScheduler scheduler = ModelLoader.scheduler(folder);
        assertEquals(681, scheduler.dragTimestep(50, 0.7));
    }

    @Test
    void tokenizerComesFromTheFolderOrTheBundledVocabulary(@TempDir Path dir) throws Exception {
        CLIPTokenizer fromFolder = ModelLoader.tokenizer(ModelPath.of(FixtureModels.tinyPipeline(dir.resolve("p"))));
        CLIPTokenizer bundled = ModelLoader.tokenizer(ModelPath.of(Fixtures.path("ldm-single-file/model.safetensors")));
        String prompt = "a photo of an astronaut riding a horse, 4k";
        assertEquals(49408, bundled.vocabularySize());
        assertEquals(java.util.Arrays.toString(fromFolder.tokenize(prompt).inputIds()),
                java.util.Arrays.toString(bundled.tokenize(prompt).inputIds()));
        assertEquals(49407, bundled.padId(), "SD 1.x pads with <|endoftext|>");
    }

    @Test
    void singleFileWithTheWrongConfigListsMisShapedKeys() {
        ModelPath single = ModelPath.of(Fixtures.path("ldm-single-file/model.safetensors"));
        WeightLoadException e = assertThrows(WeightLoadException.class, () -> ModelLoader.unet(single, rt));
        assertTrue(e.report().misShaped().stream().anyMatch(k -> k.startsWith("conv_in.weight: checkpoint 32x4x3x3, model 320x4x3x3")),
                e.getMessage());
    }

    @Test
    void unknownKeysOfASingleFileAreNamedAndKnownExtrasIgnored(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("extra.safetensors");
        SafetensorsWriter w = new SafetensorsWriter();
        try (SafetensorsFile f = Fixtures.open("ldm-single-file/model.safetensors")) {
            for (var info : f.tensors().values()) {
                w.addFloats(info.name(), info.shape(), f.readFloats(info.name()));
            }
        }
        w.addFloats("alphas_cumprod", new long[] {1000}, new float[1000]);
        w.addFloats("model_ema.decay", new long[] {}, new float[] {0.9999f});
        w.addFloats("model.diffusion_model.input_blocks.0.0.extra", new long[] {2}, new float[2]);
        w.write(file);
        ModelPath single = ModelPath.of(file, FixtureModels.tinyConfigRoot(dir.resolve("configs")));
        WeightLoadException e = assertThrows(WeightLoadException.class, () -> ModelLoader.unet(single, rt));
        assertEquals(java.util.List.of("model.diffusion_model.input_blocks.0.0.extra"), e.report().unexpected());
        try (AutoencoderKL vae = ModelLoader.vae(single, rt)) {
            assertEquals(4, vae.config().latentChannels(), "the VAE is unaffected by a UNet key");
        }
    }

    @Test
    void picklesAndStrangePathsAreRejectedClearly(@TempDir Path dir) throws Exception {
        Path ckpt = Files.writeString(dir.resolve("model.ckpt"), "x");
        assertTrue(assertThrows(IllegalArgumentException.class, () -> ModelPath.of(ckpt)).getMessage().contains("pickle"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> ModelPath.of(dir.resolve("nope")))
                .getMessage().contains("does not exist"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> ModelPath.of(dir)).getMessage()
                .contains("model_index.json"));
    }
}
