package org.draglora.http;

import java.io.OutputStreamWriter;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import org.draglora.http.cli.Commands;
import org.slf4j.LoggerFactory;

/**
 * The {@code draglora} command-line entry point. Commands live in {@code org.draglora.http.cli}
 * and are registered in {@link Commands}.
 */
public final class Main {

    private Main() {}

    /** Runs the command line and exits with its code. */
    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    /**
     * Runs the command line in-process: results go to {@code out}, error lines to {@code err}
     * (logs go to the logging system, never to {@code out}). Returns the exit code: 0 success,
     * 1 failure, 2 usage error.
     */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        // Start logging on this thread first: SLF4J initialised concurrently by Pekko's threads
        // prints "replaying logging calls" warnings to stderr.
        LoggerFactory.getILoggerFactory();
        PrintWriter outWriter = new PrintWriter(new OutputStreamWriter(out, StandardCharsets.UTF_8), true);
        PrintWriter errWriter = new PrintWriter(new OutputStreamWriter(err, StandardCharsets.UTF_8), true);
        try {
            return Commands.create(outWriter, errWriter).execute(args);
        } finally {
            outWriter.flush();
            errWriter.flush();
        }
    }
}
