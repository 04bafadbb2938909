package org.draglora.engine.train;

import ai.djl.ndarray.NDArray;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.draglora.engine.optim.AdamW;
import org.draglora.engine.weights.DType;
import org.draglora.engine.weights.SafetensorsFile;
import org.draglora.engine.weights.SafetensorsWriter;

/**
 * A resumable snapshot of one training stage in one safetensors file: the parameters
 * ({@code param.<key>}), an optional moving average ({@code ema.<key>}), the AdamW moments
 * ({@code adam_m.<key>}, {@code adam_v.<key>}), and the step and other facts as metadata. Written
 * atomically, so an interrupted save leaves the previous checkpoint intact.
 */
final class TrainingCheckpoint {

    private TrainingCheckpoint() {}

    static void save(Path file, ParameterSet params, ParameterSet ema, AdamW optimizer, int step,
            Map<String, String> metadata) throws IOException {
        SafetensorsWriter w = new SafetensorsWriter().metadata("format", "pt").metadata("step", Integer.toString(step))
                .metadata("adam_steps", Integer.toString(optimizer.steps()));
        metadata.forEach(w::metadata);
        params.write(w, "param.", DType.F32);
        if (ema != null) {
            ema.write(w, "ema.", DType.F32);
        }
        new ParameterSet(keyed(params, optimizer.firstMoments())).write(w, "adam_m.", DType.F32);
        new ParameterSet(keyed(params, optimizer.secondMoments())).write(w, "adam_v.", DType.F32);
        Files.createDirectories(file.toAbsolutePath().getParent());
        w.write(file);
    }

    /** A checkpoint's metadata without loading its arrays, or empty without a file. */
    static Optional<Map<String, String>> metadata(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            return Optional.empty();
        }
        try (SafetensorsFile f = SafetensorsFile.open(file)) {
            return Optional.of(new LinkedHashMap<>(f.metadata()));
        }
    }

    /** Loads a checkpoint into the given arrays in place; returns its metadata, or empty without a file. */
    static Optional<Map<String, String>> load(Path file, ParameterSet params, ParameterSet ema, AdamW optimizer)
            throws IOException {
        if (!Files.isRegularFile(file)) {
            return Optional.empty();
        }
        try (SafetensorsFile f = SafetensorsFile.open(file)) {
            params.read(f, "param.");
            if (ema != null) {
                ema.read(f, "ema.");
            }
            new ParameterSet(keyed(params, optimizer.firstMoments())).read(f, "adam_m.");
            new ParameterSet(keyed(params, optimizer.secondMoments())).read(f, "adam_v.");
            optimizer.restoreSteps(Integer.parseInt(f.metadata().getOrDefault("adam_steps", "0")));
            return Optional.of(new LinkedHashMap<>(f.metadata()));
        }
    }

    private static Map<String, NDArray> keyed(ParameterSet params, List<NDArray> aligned) {
        Map<String, NDArray> m = new LinkedHashMap<>();
        int i = 0;
        for (String k : params.arrays().keySet()) {
            m.put(k, aligned.get(i++));
        }
        return m;
    }
}
