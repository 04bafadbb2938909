package org.draglora.http.cli;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.draglora.http.Main;

/**
 * One in-process run of the command line through {@link Main#run}: its exit code and what it
 * printed to stdout and stderr.
 */
record CliRun(int code, String out, String err) {

    /** Runs {@code draglora args...}. */
    static CliRun run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Main.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new CliRun(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    /** The stderr lines. */
    List<String> errLines() {
        return err.lines().toList();
    }
}
