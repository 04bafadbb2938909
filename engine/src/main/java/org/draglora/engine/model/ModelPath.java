package org.draglora.engine.model;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * What a user-given model path is: a diffusers pipeline folder ({@code model_index.json}), a single
 * component folder ({@code config.json} with {@code _class_name}, like {@code unet/}), or a single
 * {@code .safetensors} file (an LDM/A1111 checkpoint, or one component's weights).
 *
 * @param configRoot for single files only: a folder with {@code unet/config.json},
 *     {@code vae/config.json}, {@code text_encoder/config.json} (any subset) to use instead of the
 *     SD 1.5 configs, as diffusers' {@code from_single_file(config=...)}; {@code null} for the presets
 */
public record ModelPath(Path path, Kind kind, Path configRoot) {

    /** The config of {@code component} from {@link #configRoot()}, or {@code null}. */
    public Path configFile(ModelComponent component) {
        if (configRoot == null) {
            return null;
        }
        Path f = configRoot.resolve(component.folder()).resolve("config.json");
        return Files.isRegularFile(f) ? f : null;
    }

    /** The three forms. */
    public enum Kind { PIPELINE_FOLDER, COMPONENT_FOLDER, SINGLE_FILE }

    /** Classifies {@code path}, with a clear error for anything else. */
    public static ModelPath of(Path path) {
        return of(path, null);
    }

    /** Classifies {@code path}; {@code configRoot} (may be null) applies to single files. */
    public static ModelPath of(Path path, Path configRoot) {
        if (configRoot != null && !Files.isDirectory(configRoot)) {
            throw new IllegalArgumentException("model config folder does not exist: " + configRoot);
        }
        if (!Files.exists(path)) {
            throw new IllegalArgumentException("model path does not exist: " + path);
        }
        if (Files.isDirectory(path)) {
            if (Files.isRegularFile(path.resolve("model_index.json"))) {
                return new ModelPath(path, Kind.PIPELINE_FOLDER, null);
            }
            if (Files.isRegularFile(path.resolve("config.json"))) {
                return new ModelPath(path, Kind.COMPONENT_FOLDER, null);
            }
            throw new IllegalArgumentException(path + " is neither a diffusers folder (no model_index.json) nor a "
                    + "component folder (no config.json)");
        }
        String name = path.getFileName().toString().toLowerCase(Locale.ROOT);
        if (name.endsWith(".safetensors")) {
            return new ModelPath(path, Kind.SINGLE_FILE, configRoot);
        }
        if (name.endsWith(".ckpt") || name.endsWith(".bin") || name.endsWith(".pt") || name.endsWith(".pth")) {
            throw new IllegalArgumentException(path + ": PyTorch pickle checkpoints are not supported (they can run "
                    + "code when loaded); convert the file to .safetensors first");
        }
        throw new IllegalArgumentException(path + ": expected a diffusers folder or a .safetensors file");
    }
}
