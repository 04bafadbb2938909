package org.draglora.engine.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import org.draglora.engine.clip.CLIPTextConfig;
import org.draglora.engine.clip.CLIPTextModel;
import org.draglora.engine.unet.UNet2DConditionConfig;
import org.draglora.engine.vae.AutoencoderKLConfig;
import org.draglora.engine.weights.DiffusersFolder;
import org.draglora.engine.weights.LdmCheckpoint;
import org.draglora.engine.weights.LdmLayout;
import org.draglora.engine.weights.LegacyVaeNames;
import org.draglora.engine.weights.LoadReport;
import org.draglora.engine.weights.SafetensorsFile;
import org.draglora.engine.weights.WeightSource;

/**
 * The weights (with diffusers names) and the config of one component, from any model path: a
 * pipeline folder's sub-folder, a component folder, an LDM single-file checkpoint (converted keys,
 * SD 1.5 configs) or a bare component weights file. Closing releases the files.
 *
 * @param config the component's {@code config.json}, or {@code null} where the SD 1.5 preset applies
 * @param unmapped checkpoint keys that map to no diffusers name (reported as unexpected)
 */
public record ComponentSource(ModelComponent component, WeightSource weights, JsonNode config, String origin,
        Predicate<String> ignorable, List<String> unmapped, Closeable resource) implements Closeable {

    public ComponentSource {
        unmapped = List.copyOf(unmapped);
    }

    /** Opens {@code component} of the model at {@code path}. */
    public static ComponentSource open(ModelPath path, ModelComponent component) throws IOException {
        return switch (path.kind()) {
            case PIPELINE_FOLDER -> fromFolder(folderComponent(DiffusersFolder.open(path.path()), component), component);
            case COMPONENT_FOLDER -> fromFolder(DiffusersFolder.component(path.path()), component);
            case SINGLE_FILE -> fromSingleFile(path, component);
        };
    }

    /** The component a component folder or a bare weights file holds. */
    public static ModelComponent detect(ModelPath path) throws IOException {
        return switch (path.kind()) {
            case PIPELINE_FOLDER -> throw new IllegalArgumentException(path.path()
                    + " is a pipeline folder: name a component (unet, vae or text_encoder)");
            case COMPONENT_FOLDER -> ModelComponent.ofClass(DiffusersFolder.component(path.path()).className());
            case SINGLE_FILE -> {
                try (SafetensorsFile f = SafetensorsFile.open(path.path())) {
                    if (LdmCheckpoint.isSingleFile(f)) {
                        throw new IllegalArgumentException(path.path()
                                + " is a full single-file checkpoint: name a component (unet, vae or text_encoder)");
                    }
                    yield detectBare(f, path.path());
                }
            }
        };
    }

    private static DiffusersFolder.Component folderComponent(DiffusersFolder folder, ModelComponent c) {
        return switch (c) {
            case UNET -> folder.unet();
            case VAE -> folder.vae();
            case TEXT_ENCODER -> folder.textEncoder();
        };
    }

    private static ComponentSource fromFolder(DiffusersFolder.Component c, ModelComponent expected) throws IOException {
        ModelComponent actual = ModelComponent.ofClass(c.className());
        if (actual != expected) {
            throw new IllegalArgumentException(c.dir() + " holds a " + c.className() + ", not a " + expected.className());
        }
        JsonNode config = new ObjectMapper().readTree(c.config().toFile());
        WeightSource weights = c.openWeights();
        Closeable resource = (Closeable) weights;
        if (expected == ModelComponent.VAE && LegacyVaeNames.usesLegacyNames(weights)) {
            weights = LegacyVaeNames.rename(weights);
        }
        return new ComponentSource(expected, weights, config, c.dir().toString(), ignorable(expected), List.of(), resource);
    }

    private static ComponentSource fromSingleFile(ModelPath path, ModelComponent component) throws IOException {
        Path file = path.path();
        Path configFile = path.configFile(component);
        JsonNode config = configFile == null ? null : new ObjectMapper().readTree(configFile.toFile());
        SafetensorsFile f = SafetensorsFile.open(file);
        try {
            if (!LdmCheckpoint.isSingleFile(f)) {
                ModelComponent bare = detectBare(f, file);
                if (bare != component) {
                    throw new IllegalArgumentException(file + " holds " + bare.folder() + " weights, not " + component.folder());
                }
                WeightSource w = component == ModelComponent.VAE && LegacyVaeNames.usesLegacyNames(f)
                        ? LegacyVaeNames.rename(f) : f;
                return new ComponentSource(component, w, config, file.toString(), ignorable(component), List.of(), f);
            }
            LdmCheckpoint ldm = LdmCheckpoint.of(f, layout(path));
            List<String> unmapped = new ArrayList<>();
            String prefix = switch (component) {
                case UNET -> LdmCheckpoint.UNET_PREFIX;
                case VAE -> LdmCheckpoint.VAE_PREFIX;
                case TEXT_ENCODER -> LdmCheckpoint.TEXT_PREFIX;
            };
            ldm.unmappedKeys().stream().filter(k -> k.startsWith(prefix) || !isAnyComponentKey(k)).forEach(unmapped::add);
            WeightSource w = switch (component) {
                case UNET -> ldm.unet();
                case VAE -> ldm.vae();
                case TEXT_ENCODER -> ldm.textEncoder();
            };
            return new ComponentSource(component, w, config, file + " (" + component.folder() + ")", ignorable(component),
                    unmapped, f);
        } catch (RuntimeException e) {
            f.close();
            throw e;
        }
    }

    /** The LDM key layout: from the UNet and VAE configs of the config folder, else SD 1.5's. */
    private static LdmLayout layout(ModelPath path) throws IOException {
        Path unetConfig = path.configFile(ModelComponent.UNET);
        Path vaeConfig = path.configFile(ModelComponent.VAE);
        UNet2DConditionConfig unet = unetConfig == null ? UNet2DConditionConfig.sd15() : UNet2DConditionConfig.load(unetConfig);
        AutoencoderKLConfig vae = vaeConfig == null ? AutoencoderKLConfig.sd15() : AutoencoderKLConfig.load(vaeConfig);
        return LdmLayout.fromBlockTypes(unet.downBlockTypes(), unet.upBlockTypes(), unet.layersPerBlock(),
                vae.blockCount(), vae.layersPerBlock());
    }

    private static boolean isAnyComponentKey(String key) {
        return key.startsWith(LdmCheckpoint.UNET_PREFIX) || key.startsWith(LdmCheckpoint.VAE_PREFIX)
                || key.startsWith(LdmCheckpoint.TEXT_PREFIX);
    }

    private static ModelComponent detectBare(WeightSource f, Path file) {
        var keys = f.infos().keySet();
        if (keys.contains("conv_in.weight") && keys.contains("time_embedding.linear_1.weight")) {
            return ModelComponent.UNET;
        }
        if (keys.contains("encoder.conv_in.weight") && keys.contains("decoder.conv_in.weight")) {
            return ModelComponent.VAE;
        }
        if (keys.contains("text_model.embeddings.token_embedding.weight")) {
            return ModelComponent.TEXT_ENCODER;
        }
        throw new IllegalArgumentException(file + " is neither a single-file SD checkpoint nor the weights of a UNet, "
                + "VAE or CLIP text encoder (" + keys.size() + " tensors, first: "
                + keys.stream().findFirst().orElse("none") + ")");
    }

    private static Predicate<String> ignorable(ModelComponent c) {
        return c == ModelComponent.TEXT_ENCODER ? CLIPTextModel.IGNORABLE_KEYS : key -> false;
    }

    /** The UNet config (the SD 1.5 preset for single files). */
    public UNet2DConditionConfig unetConfig() {
        return config == null ? UNet2DConditionConfig.sd15() : UNet2DConditionConfig.fromJson(config);
    }

    /** The VAE config (the SD 1.5 preset for single files). */
    public AutoencoderKLConfig vaeConfig() {
        return config == null ? AutoencoderKLConfig.sd15() : AutoencoderKLConfig.fromJson(config);
    }

    /** The text encoder config (the SD 1.5 preset for single files). */
    public CLIPTextConfig textConfig() {
        return config == null ? CLIPTextConfig.sd15() : CLIPTextConfig.fromJson(config);
    }

    /** A load report with the unmapped checkpoint keys added to the unexpected ones. */
    public LoadReport withUnmapped(LoadReport report) {
        if (unmapped.isEmpty()) {
            return report;
        }
        List<String> unexpected = new ArrayList<>(unmapped);
        unexpected.addAll(report.unexpected());
        return new LoadReport(report.source(), report.consumed(), report.missing(), unexpected, report.misShaped());
    }

    @Override
    public void close() throws IOException {
        resource.close();
    }
}
