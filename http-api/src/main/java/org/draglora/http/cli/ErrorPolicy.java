package org.draglora.http.cli;

import java.io.PrintWriter;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.UndeclaredThrowableException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.stream.Collectors;
import picocli.CommandLine.ParameterException;

/**
 * How the draglora command line reports failures: always one line {@code draglora: <message>} on
 * stderr. Usage errors ({@link IllegalArgumentException}, picocli parameter errors,
 * {@link UsageException}) exit with {@value #USAGE}; every other exception exits with
 * {@value #FAILURE}. {@code --verbose} adds the stack trace of an exception thrown while a command
 * ran.
 */
public final class ErrorPolicy {

    /** Exit code of a usage error. */
    public static final int USAGE = 2;

    /** Exit code of any other failure. */
    public static final int FAILURE = 1;

    private final PrintWriter err;

    /** A policy that writes to {@code err}. */
    public ErrorPolicy(PrintWriter err) {
        this.err = err;
    }

    /** Reports a command line that could not be parsed. */
    public int onParameterError(ParameterException e) {
        report(e);
        return USAGE;
    }

    /** Reports an exception thrown by a running command; returns the exit code. */
    public int onExecutionError(Exception e, boolean verbose) {
        Throwable cause = unwrap(e);
        report(cause);
        if (verbose) {
            cause.printStackTrace(err);
        }
        err.flush();
        return isUsageError(cause) ? USAGE : FAILURE;
    }

    static boolean isUsageError(Throwable t) {
        return t instanceof IllegalArgumentException || t instanceof UsageException
                || t instanceof ParameterException;
    }

    /** The one line reported for {@code t}: its message, line breaks folded, or its type. */
    static String oneLine(Throwable t) {
        String message = t.getMessage();
        if (message == null || message.isBlank()) {
            return t.getClass().getName() + " (run with --verbose for the stack trace)";
        }
        return message.lines().map(String::strip).filter(line -> !line.isEmpty())
                .collect(Collectors.joining(" "));
    }

    private void report(Throwable t) {
        err.println("draglora: " + oneLine(t));
        err.flush();
    }

    private static Throwable unwrap(Throwable t) {
        Throwable current = t;
        while ((current instanceof CompletionException || current instanceof ExecutionException
                        || current instanceof InvocationTargetException
                        || current instanceof UndeclaredThrowableException)
                && current.getCause() != null) {
            current = current.getCause();
        }
        return current;
    }
}
