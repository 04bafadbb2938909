package org.draglora.engine.edit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.draglora.engine.drag.DragSettings;
import org.draglora.engine.drag.IlfaMethod;
import org.draglora.engine.model.EmbeddedModel;
import org.draglora.engine.model.ModelFingerprint;
import org.draglora.engine.model.ModelPath;
import org.draglora.engine.train.TinyModelSpec;
import org.draglora.engine.unet.LoraTarget;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A model's draglora.json: what it overrides, how it round-trips, what it rejects. */
class ModelDragDefaultsTest {

    private static ModelPath folder(Path dir, String json) throws IOException {
        Files.writeString(dir.resolve("model_index.json"), "{}");
        if (json != null) {
            Files.writeString(dir.resolve(ModelDragDefaults.FILE), json);
        }
        return ModelPath.of(dir);
    }

    @Test
    void tuningTheFileKeepsTheModelFingerprintAndSoTheCachedRecLoras(@TempDir Path dir) throws Exception {
        Files.createDirectories(dir.resolve("unet"));
        Files.writeString(dir.resolve("unet/config.json"), "{\"sample_size\": 16}");
        ModelPath mp = folder(dir, "{\"feature_idx\": [2]}");
        String before = ModelFingerprint.of(mp);
        Files.writeString(dir.resolve(ModelDragDefaults.FILE), "{\"feature_idx\": [3], \"x0_feature_weight\": 100}");
        assertEquals(before, ModelFingerprint.of(mp), "drag settings do not change the weights");
        Files.writeString(dir.resolve("unet/config.json"), "{\"sample_size\": 32}");
        assertNotEquals(before, ModelFingerprint.of(mp), "a config does");
    }

    @Test
    void theEmbeddedModelShipsTheTrainersDefaults() throws Exception {
        ModelDragDefaults shipped = ModelDragDefaults.read(ModelPath.of(EmbeddedModel.require()));
        assertEquals(TinyModelSpec.dragDefaults(), shipped);
        assertEquals(IlfaMethod.SHIFT, shipped.apply(DragSettings.dragLora()).ilfa());
    }

    @Test
    void aFolderWithoutTheFileKeepsTheReferenceSettings(@TempDir Path dir) throws Exception {
        ModelDragDefaults d = ModelDragDefaults.read(folder(dir, null));
        assertSame(ModelDragDefaults.NONE, d);
        assertEquals(DragSettings.dragLora(), d.apply(DragSettings.dragLora()));
        assertEquals(Set.of(LoraTarget.ATTENTION), d.apply(RecLoraSettings.reference()).targets());
    }

    @Test
    void everyFieldRoundTripsAndApplies(@TempDir Path dir) throws Exception {
        ModelDragDefaults written = new ModelDragDefaults(List.of(2), 3, 2e-3, EnumSet.allOf(LoraTarget.class), 50.0,
                true, IlfaMethod.SHIFT, 1.0, 0.58);
        written.write(dir);
        ModelDragDefaults read = ModelDragDefaults.read(folder(dir, Files.readString(dir.resolve(ModelDragDefaults.FILE))));
        assertEquals(written, read);
        DragSettings s = read.apply(DragSettings.dragLora());
        assertEquals(List.of(2), s.features().featureIdx());
        assertEquals(50.0, s.features().x0Weight());
        assertEquals(0.0, DragSettings.dragLora().features().x0Weight(), "the reference has no x0 features");
        assertEquals(3, s.mutualAttention().startLayer());
        assertEquals(IlfaMethod.SHIFT, s.ilfa());
        assertEquals(IlfaMethod.OFF, read.apply(DragSettings.dragDiffusion()).ilfa(), "a method without ILFA stays so");
        assertEquals(1.0, s.features().gridScale());
        assertEquals(1.0, read.apply(DragSettings.dragDiffusion()).features().gridScale(), "the grid is every method's");
        assertEquals(0.5, DragSettings.dragLora().features().gridScale(), "the reference's half grid");
        assertEquals(2e-3, s.optimization().learningRate());
        assertEquals(0.58, s.schedule().inversionStrength());
        assertEquals(0.58, read.apply(DragSettings.dragDiffusion()).schedule().inversionStrength(), "every method's");
        assertEquals(0.7, DragSettings.dragLora().schedule().inversionStrength(), "the reference's");
        assertEquals(50, s.schedule().inferenceSteps(), "the grid stays");
        assertTrue(s.keepOutsideMask());
        assertTrue(read.apply(DragSettings.dragDiffusion()).keepOutsideMask(), "it applies to every method");
        assertFalse(DragSettings.dragLora().keepOutsideMask() || DragSettings.dragDiffusion().keepOutsideMask(),
                "the references denoise the whole latent");
        assertEquals(DragSettings.dragDiffusion().optimization().learningRate(),
                read.apply(DragSettings.dragDiffusion()).optimization().learningRate(), "the latent's lr is not the LoRA's");
        RecLoraSettings rec = read.apply(RecLoraSettings.reference().withSteps(300));
        assertEquals(EnumSet.allOf(LoraTarget.class), rec.targets());
        assertEquals(300, rec.steps());
    }

    @Test
    void badValuesNameTheFileAndTheField(@TempDir Path dir) throws Exception {
        assertRejected(dir, "{\"lora_targets\": [\"attention\", \"mlp\"]}", ModelDragDefaults.FILE, "'mlp'");
        assertRejected(dir, "{\"lora_targets\": []}", "lora_targets");
        assertRejected(dir, "{\"x0_feature_weight\": -1}", "x0_feature_weight");
        assertRejected(dir, "{\"lora_learning_rate\": 3}", "lora_learning_rate");
        assertRejected(dir, "{\"ilfa\": \"sometimes\"}", "'sometimes'", "shift");
        assertRejected(dir, "{\"ilfa\": \"off\"}", "ilfa");
        assertRejected(dir, "{\"grid_scale\": 2}", "grid_scale");
        assertRejected(dir, "{\"inversion_strength\": 0}", "inversion_strength");
        assertRejected(dir, "{\"inversion_strength\": 1.5}", "inversion_strength");
        assertRejected(dir, "{\"keep_outside_mask\": \"yes\"}", "keep_outside_mask");
    }

    /** Loading a folder whose draglora.json is {@code json} fails with a message naming every part. */
    private static void assertRejected(Path dir, String json, String... parts) throws IOException {
        ModelPath mp = folder(dir, json);
        IOException e = assertThrows(IOException.class, () -> ModelDragDefaults.read(mp));
        for (String part : parts) {
            assertTrue(e.getMessage().contains(part), "'" + e.getMessage() + "' should name " + part);
        }
    }

    @Test
    void theRecLoraCacheKeyOfTheReferenceTargetsIsUnchangedAndOtherTargetsGetTheirOwn() {
        RecLoraSettings reference = RecLoraSettings.reference();
        assertEquals(reference.toString().replace(", targets=[ATTENTION]", ""), reference.cacheDescription());
        byte[] rgb = new byte[3 * 8 * 8];
        String attention = RecLoraCache.key("m", rgb, 8, 8, "p", reference, 1);
        String convs = RecLoraCache.key("m", rgb, 8, 8, "p", reference.withTargets(EnumSet.allOf(LoraTarget.class)), 1);
        assertNotEquals(attention, convs);
        assertEquals(attention, RecLoraCache.key("m", rgb, 8, 8, "p", new RecLoraSettings(16, 80, 5e-4, 1e-2, 4), 1));
        assertNull(ModelDragDefaults.NONE.loraTargets());
    }
}
