package org.draglora.engine.model;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * What a user-given model path is: a diffusers pipeline folder ({@code model_index.json}), a single
 * component folder ({@code config.json} with {@code _class_name}, like {@code unet/}), or a single
 * {@code .safetensors} file (an LDM/A1111 checkpoint, or one component's weights).
 */
public record ModelPath(Path path, Kind kind) {

    /** The three forms. */
    public enum Kind { PIPELINE_FOLDER, COMPONENT_FOLDER, SINGLE_FILE }

    /** Classifies {@code path}, with a clear error for anything else. */
    public static ModelPath of(Path path) {
        if (!Files.exists(path)) {
            throw new IllegalArgumentException("model path does not exist: " + path);
        }
        if (Files.isDirectory(path)) {
            if (Files.isRegularFile(path.resolve("model_index.json"))) {
                return new ModelPath(path, Kind.PIPELINE_FOLDER);
            }
            if (Files.isRegularFile(path.resolve("config.json"))) {
                return new ModelPath(path, Kind.COMPONENT_FOLDER);
            }
            throw new IllegalArgumentException(path + " is neither a diffusers folder (no model_index.json) nor a "
                    + "component folder (no config.json)");
        }
        String name = path.getFileName().toString().toLowerCase(Locale.ROOT);
        if (name.endsWith(".safetensors")) {
            return new ModelPath(path, Kind.SINGLE_FILE);
        }
        if (name.endsWith(".ckpt") || name.endsWith(".bin") || name.endsWith(".pt") || name.endsWith(".pth")) {
            throw new IllegalArgumentException(path + ": PyTorch pickle checkpoints are not supported (they can run "
                    + "code when loaded); convert the file to .safetensors first");
        }
        throw new IllegalArgumentException(path + ": expected a diffusers folder or a .safetensors file");
    }
}
