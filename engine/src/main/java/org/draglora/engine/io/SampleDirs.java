package org.draglora.engine.io;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/** Benchmark folder walking shared by {@link DragBenchReader} and {@link Drag100Reader}. */
final class SampleDirs {

    private SampleDirs() {}

    /**
     * The sample folders under {@code root}, sorted by path: children of {@code root} that are
     * samples, and, when {@code categories} is set, samples one level further down
     * ({@code <root>/<category>/<sample>}). Hidden entries ({@code .DS_Store}, {@code .ipynb_checkpoints}),
     * plain files and folders that are not samples are skipped.
     */
    static List<Path> list(Path root, Predicate<Path> isSample, boolean categories) throws IOException {
        if (!Files.isDirectory(root)) {
            throw new IOException(root + ": not a directory");
        }
        List<Path> samples = new ArrayList<>();
        for (Path child : visibleDirectories(root)) {
            if (isSample.test(child)) {
                samples.add(child);
            } else if (categories) {
                for (Path grandchild : visibleDirectories(child)) {
                    if (isSample.test(grandchild)) {
                        samples.add(grandchild);
                    }
                }
            }
        }
        return List.copyOf(samples);
    }

    private static List<Path> visibleDirectories(Path dir) throws IOException {
        List<Path> out = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
            for (Path p : entries) {
                if (!p.getFileName().toString().startsWith(".") && Files.isDirectory(p)) {
                    out.add(p);
                }
            }
        }
        out.sort(null);
        return out;
    }

    /** Whether every named file exists in {@code dir} as a regular file. */
    static boolean hasFiles(Path dir, String... names) {
        for (String name : names) {
            if (!Files.isRegularFile(dir.resolve(name))) {
                return false;
            }
        }
        return true;
    }

    /** Throws an IOException naming the first missing file. */
    static void requireFiles(Path dir, String... names) throws IOException {
        if (!Files.isDirectory(dir)) {
            throw new IOException(dir + ": not a directory");
        }
        for (String name : names) {
            if (!Files.isRegularFile(dir.resolve(name))) {
                throw new IOException(dir + ": missing " + name);
            }
        }
    }
}
