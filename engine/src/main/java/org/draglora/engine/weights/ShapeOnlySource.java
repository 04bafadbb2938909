package org.draglora.engine.weights;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Names and shapes without values, read from a key list ({@code name<TAB>320x4x3x3} per line, the
 * format of the {@code sd15-keys} fixtures). Used to build full-size models shape-only.
 */
public final class ShapeOnlySource implements WeightSource {

    private final String origin;
    private final Map<String, TensorInfo> infos;

    public ShapeOnlySource(String origin, Map<String, long[]> shapes) {
        this.origin = origin;
        Map<String, TensorInfo> m = new LinkedHashMap<>();
        shapes.forEach((k, s) -> m.put(k, new TensorInfo(k, DType.F32, s, 0, TensorInfo.elementCount(s) * 4)));
        this.infos = Collections.unmodifiableMap(m);
    }

    /** Parses a key list; blank lines and lines starting with '#' are skipped. */
    public static ShapeOnlySource parse(String origin, List<String> lines) {
        Map<String, long[]> shapes = new LinkedHashMap<>();
        for (String line : lines) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            String[] parts = line.split("\t");
            if (parts.length != 2) {
                throw new IllegalArgumentException(origin + ": expected 'name<TAB>shape', got '" + line + "'");
            }
            String[] dims = parts[1].trim().split("x");
            long[] shape = new long[dims.length];
            for (int i = 0; i < dims.length; i++) {
                shape[i] = Long.parseLong(dims[i]);
            }
            shapes.put(parts[0].trim(), shape);
        }
        return new ShapeOnlySource(origin, shapes);
    }

    /** Reads a key list file. */
    public static ShapeOnlySource read(Path path) throws IOException {
        return parse(path.toString(), Files.readAllLines(path, StandardCharsets.UTF_8));
    }

    @Override
    public Map<String, TensorInfo> infos() {
        return infos;
    }

    @Override
    public ByteBuffer readFloat32(String name) {
        throw new UnsupportedOperationException("shape-only source " + origin + " has no values");
    }

    @Override
    public boolean hasValues() {
        return false;
    }

    @Override
    public String describe() {
        return origin;
    }
}
