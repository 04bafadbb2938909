package org.draglora.engine.bench;

import java.io.IOException;
import java.nio.file.Path;

/** A benchmark's result: a markdown table for people and a JSON file for machines. */
public interface BenchReport {

    /** The result as a markdown table (with a line saying what was measured). */
    String toMarkdown();

    /** Writes the result as JSON ({@link BenchJson}). */
    void writeJson(Path file) throws IOException;
}
