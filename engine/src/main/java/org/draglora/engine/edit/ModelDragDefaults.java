package org.draglora.engine.edit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.draglora.engine.drag.DragSettings;
import org.draglora.engine.drag.IlfaMethod;
import org.draglora.engine.model.ModelPath;
import org.draglora.engine.unet.LoraTarget;

/**
 * Drag settings that depend on the model's architecture, read from an optional
 * {@code draglora.json} in a diffusers folder: which UNet features the drag supervises
 * ({@code feature_idx} into [mid, up0, up1, ...]) and from which self-attention layer on the final
 * denoising injects K/V ({@code mutual_attention_start_layer}). SD 1.5 folders have no such file and
 * keep the reference values (feature 3 = up_blocks.2, layer 10 = up_blocks.2 and up_blocks.3);
 * the embedded model, with fewer blocks, ships its own. It can also name the layers the LoRAs adapt
 * ({@code lora_targets}) and add the x0 prediction to the supervised features
 * ({@code x0_feature_weight}) and keep the unmasked latent in the final denoising
 * ({@code keep_outside_mask}), choose DragLoRA's ILFA ({@code ilfa}), the feature grid's size
 * ({@code grid_scale}) and how deep the image is inverted ({@code inversion_strength}).
 *
 * @param featureIdx the feature indices, or {@code null} to keep the method's
 * @param startLayer the first self-attention layer with injection, or {@code null} to keep the method's
 * @param loraLearningRate the drag LoRA's learning rate ({@code lora_learning_rate}), or {@code null}
 *     to keep the method's; applies only to methods that optimise a LoRA (a model far smaller than
 *     SD needs larger LoRA steps to move its features as far)
 * @param loraTargets the kinds of UNet layer the RecLoRA (and so DragLoRA's drag LoRA) adapts
 *     ({@code lora_targets}: {@code ["attention", "resnet_convs"]}), or {@code null} to keep the
 *     reference's attention projections; a model whose content lives in its convolutions needs them
 * @param x0FeatureWeight the weight of the x0 prediction appended to the supervised features
 *     ({@code x0_feature_weight}, {@link DragSettings.Features#x0Weight()}), or {@code null} for
 *     none, as the reference
 * @param keepOutsideMask {@link DragSettings#keepOutsideMask()} for every method
 *     ({@code keep_outside_mask}), or {@code null} to keep the reference's {@code false}
 * @param ilfa the ILFA of methods that adapt the latent ({@code ilfa}: {@code "renoise"} or
 *     {@code "shift"}, {@link IlfaMethod}), or {@code null} to keep the reference's re-noising; methods
 *     without ILFA (DragDiffusion, the "no ILFA" ablation) stay without
 * @param gridScale the feature grid's size over the image's ({@code grid_scale},
 *     {@link DragSettings.Features#gridScale()}) for every method, or {@code null} for the reference's
 *     half
 * @param inversionStrength the fraction of the inference steps the image is inverted by, which sets
 *     the drag timestep ({@code inversion_strength}, {@link DragSettings.Schedule#inversionStrength()}),
 *     for every method, or {@code null} for the reference's 0.7; a model trained on another noise
 *     schedule needs another fraction to drag at the same noise level
 */
public record ModelDragDefaults(List<Integer> featureIdx, Integer startLayer, Double loraLearningRate,
        Set<LoraTarget> loraTargets, Double x0FeatureWeight, Boolean keepOutsideMask, IlfaMethod ilfa,
        Double gridScale, Double inversionStrength) {

    /** The file name. */
    public static final String FILE = org.draglora.engine.model.ModelFingerprint.DRAG_SETTINGS_FILE;

    /** No overrides. */
    public static final ModelDragDefaults NONE = new ModelDragDefaults(null, null, null, null, null, null, null, null, null);

    public ModelDragDefaults {
        featureIdx = featureIdx == null ? null : List.copyOf(featureIdx);
        loraTargets = loraTargets == null ? null : Set.copyOf(EnumSet.copyOf(loraTargets));
    }

    /** Overrides of the drag settings only; the RecLoRA keeps the reference's targets. */
    public ModelDragDefaults(List<Integer> featureIdx, Integer startLayer, Double loraLearningRate) {
        this(featureIdx, startLayer, loraLearningRate, null, null, null, null, null, null);
    }

    /** The defaults of the model at {@code mp} ({@link #NONE} when it has no draglora.json). */
    public static ModelDragDefaults read(ModelPath mp) throws IOException {
        Path dir = mp.kind() == ModelPath.Kind.SINGLE_FILE ? mp.configRoot() : mp.path();
        Path file = dir == null ? null : dir.resolve(FILE);
        if (file == null || !Files.isRegularFile(file)) {
            return NONE;
        }
        JsonNode n = new ObjectMapper().readTree(file.toFile());
        List<Integer> idx = null;
        if (n.has("feature_idx")) {
            idx = new ArrayList<>();
            for (JsonNode i : n.get("feature_idx")) {
                idx.add(i.asInt());
            }
        }
        Integer layer = n.has("mutual_attention_start_layer") ? n.get("mutual_attention_start_layer").asInt() : null;
        Double lr = n.has("lora_learning_rate") ? n.get("lora_learning_rate").asDouble() : null;
        if (lr != null && !(lr > 0 && lr < 1)) {
            throw new IOException(file + ": lora_learning_rate must be in (0, 1), got " + lr);
        }
        Set<LoraTarget> targets = null;
        if (n.has("lora_targets")) {
            targets = EnumSet.noneOf(LoraTarget.class);
            for (JsonNode t : n.get("lora_targets")) {
                try {
                    targets.add(LoraTarget.parse(t.asText()));
                } catch (IllegalArgumentException e) {
                    throw new IOException(file + ": " + e.getMessage(), e);
                }
            }
            if (targets.isEmpty()) {
                throw new IOException(file + ": lora_targets must name at least one target");
            }
        }
        Double x0 = n.has("x0_feature_weight") ? n.get("x0_feature_weight").asDouble() : null;
        if (x0 != null && !(x0 >= 0 && x0 < 1e6)) {
            throw new IOException(file + ": x0_feature_weight must be in [0, 1e6), got " + x0);
        }
        Boolean keep = null;
        if (n.has("keep_outside_mask")) {
            if (!n.get("keep_outside_mask").isBoolean()) {
                throw new IOException(file + ": keep_outside_mask must be true or false, got " + n.get("keep_outside_mask"));
            }
            keep = n.get("keep_outside_mask").asBoolean();
        }
        IlfaMethod ilfa = null;
        if (n.has("ilfa")) {
            try {
                ilfa = IlfaMethod.parse(n.get("ilfa").asText());
            } catch (IllegalArgumentException e) {
                throw new IOException(file + ": " + e.getMessage(), e);
            }
            if (ilfa == IlfaMethod.OFF) {
                throw new IOException(file + ": ilfa must be \"renoise\" or \"shift\" (the benchmark's no-ILFA "
                        + "ablation switches it off), got \"off\"");
            }
        }
        Double grid = n.has("grid_scale") ? n.get("grid_scale").asDouble() : null;
        if (grid != null && !(grid > 0 && grid <= 1)) {
            throw new IOException(file + ": grid_scale must be in (0, 1], got " + n.get("grid_scale"));
        }
        Double strength = n.has("inversion_strength") ? n.get("inversion_strength").asDouble() : null;
        if (strength != null && !(strength > 0 && strength <= 1)) {
            throw new IOException(file + ": inversion_strength must be in (0, 1], got " + n.get("inversion_strength"));
        }
        return new ModelDragDefaults(idx, layer, lr, targets, x0, keep, ilfa, grid, strength);
    }

    /** {@code settings} with these overrides applied. */
    public DragSettings apply(DragSettings settings) {
        DragSettings s = settings;
        if (featureIdx != null || x0FeatureWeight != null || gridScale != null) {
            DragSettings.Features f = s.features();
            s = s.withFeatures(new DragSettings.Features(featureIdx != null ? featureIdx : f.featureIdx(),
                    gridScale != null ? gridScale : f.gridScale(), x0FeatureWeight != null ? x0FeatureWeight : f.x0Weight()));
        }
        if (startLayer != null) {
            s = s.withMutualAttention(new DragSettings.MutualAttention(s.mutualAttention().startStep(), startLayer));
        }
        if (loraLearningRate != null && s.optimization().target() == DragSettings.Target.LORA) {
            s = s.withLearningRate(loraLearningRate);
        }
        if (keepOutsideMask != null) {
            s = s.withKeepOutsideMask(keepOutsideMask);
        }
        if (ilfa != null && s.ilfa().on()) {
            s = s.withIlfa(ilfa);
        }
        if (inversionStrength != null) {
            s = s.withSchedule(new DragSettings.Schedule(s.schedule().inferenceSteps(), inversionStrength));
        }
        return s;
    }

    /** {@code settings} with this model's LoRA targets, if it names any. */
    public RecLoraSettings apply(RecLoraSettings settings) {
        return loraTargets == null ? settings : settings.withTargets(loraTargets);
    }

    /** Writes a draglora.json with these values into {@code dir}. */
    public void write(Path dir) throws IOException {
        ObjectMapper json = new ObjectMapper();
        var node = json.createObjectNode();
        if (featureIdx != null) {
            featureIdx.forEach(node.putArray("feature_idx")::add);
        }
        if (startLayer != null) {
            node.put("mutual_attention_start_layer", startLayer);
        }
        if (loraLearningRate != null) {
            node.put("lora_learning_rate", loraLearningRate);
        }
        if (x0FeatureWeight != null) {
            node.put("x0_feature_weight", x0FeatureWeight);
        }
        if (keepOutsideMask != null) {
            node.put("keep_outside_mask", keepOutsideMask);
        }
        if (ilfa != null) {
            node.put("ilfa", ilfa.name().toLowerCase(Locale.ROOT));
        }
        if (gridScale != null) {
            node.put("grid_scale", gridScale);
        }
        if (inversionStrength != null) {
            node.put("inversion_strength", inversionStrength);
        }
        if (loraTargets != null) {
            var array = node.putArray("lora_targets");
            EnumSet.copyOf(loraTargets).forEach(t -> array.add(t.jsonName()));
        }
        json.writerWithDefaultPrettyPrinter().writeValue(dir.resolve(FILE).toFile(), node);
    }
}
