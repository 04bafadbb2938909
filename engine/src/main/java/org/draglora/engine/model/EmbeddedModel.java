package org.draglora.engine.model;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Where the embedded default model (the project's own small model, {@code models/shapes-64} in the
 * repository) lives: under the directory named by the system property {@code draglora.home} (the
 * launcher sets it to the repository root), else the first {@code models/shapes-64} found from the
 * working directory upwards (so tests and IDE runs find it too).
 */
public final class EmbeddedModel {

    /** The folder name of the embedded model. */
    public static final String RELATIVE_PATH = "models/shapes-64";

    private EmbeddedModel() {}

    /** The folder, if present. */
    public static Optional<Path> find() {
        String home = System.getProperty("draglora.home");
        if (home != null && !home.isBlank()) {
            Path p = Path.of(home).resolve(RELATIVE_PATH);
            return Files.isRegularFile(p.resolve("model_index.json")) ? Optional.of(p) : Optional.empty();
        }
        Path dir = Path.of("").toAbsolutePath();
        for (int i = 0; i < 4 && dir != null; i++, dir = dir.getParent()) {
            Path p = dir.resolve(RELATIVE_PATH);
            if (Files.isRegularFile(p.resolve("model_index.json"))) {
                return Optional.of(p);
            }
        }
        return Optional.empty();
    }

    /** The folder, or an error saying how to get one. */
    public static Path require() {
        return find().orElseThrow(() -> new IllegalArgumentException("the embedded default model (" + RELATIVE_PATH
                + ") was not found; run draglora from its repository, pass --model PATH, or train it with "
                + "'draglora train-tiny'"));
    }

    /**
     * The model a command uses: {@code explicit} if given, else the configured path, else the
     * embedded model.
     */
    public static Path resolve(Path explicit, String configured) {
        if (explicit != null) {
            return explicit;
        }
        if (configured != null && !configured.isBlank()) {
            return Path.of(configured);
        }
        return require();
    }
}
