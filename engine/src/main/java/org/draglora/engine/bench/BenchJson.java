package org.draglora.engine.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The JSON files of the benchmarks on generated scenes: {cases, seed, ...}, pretty-printed. */
final class BenchJson {

    private static final ObjectMapper JSON = new ObjectMapper();

    private BenchJson() {}

    /** A root object with the number of cases and their seed. */
    static ObjectNode root(int cases, long seed) {
        ObjectNode root = JSON.createObjectNode();
        root.put("cases", cases);
        root.put("seed", seed);
        return root;
    }

    /** Writes {@code root} to {@code file}, creating its folder. */
    static void write(ObjectNode root, Path file) throws IOException {
        Files.createDirectories(file.toAbsolutePath().getParent());
        JSON.writerWithDefaultPrettyPrinter().writeValue(file.toFile(), root);
    }
}
