package org.draglora.http.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;

/** Exit codes and the one-line reports of {@link ErrorPolicy}. */
class ErrorPolicyTest {

    private final StringWriter err = new StringWriter();
    private final ErrorPolicy policy = new ErrorPolicy(new PrintWriter(err, true));

    @Test
    void illegalArgumentIsAUsageError() {
        assertEquals(2, policy.onExecutionError(new IllegalArgumentException("bad value 'x'"), false));
        assertEquals("draglora: bad value 'x'\n", err.toString());
    }

    @Test
    void usageExceptionIsAUsageError() {
        assertEquals(2, policy.onExecutionError(new UsageException("missing command"), false));
    }

    @Test
    void otherExceptionsAreFailures() {
        assertEquals(1, policy.onExecutionError(new IllegalStateException("disk full"), false));
        assertEquals("draglora: disk full\n", err.toString());
    }

    @Test
    void wrappersAreUnwrapped() {
        int code = policy.onExecutionError(new CompletionException(new IllegalArgumentException("inner")), false);

        assertEquals(2, code);
        assertEquals("draglora: inner\n", err.toString());
    }

    @Test
    void multiLineMessagesBecomeOneLine() {
        policy.onExecutionError(new IllegalStateException("first\n  second\n"), false);

        assertEquals("draglora: first second\n", err.toString());
    }

    @Test
    void missingMessageNamesTheTypeAndVerbose() {
        policy.onExecutionError(new NullPointerException(), false);

        assertEquals(1, err.toString().lines().count());
        assertTrue(err.toString().contains("java.lang.NullPointerException"), err.toString());
        assertTrue(err.toString().contains("--verbose"), err.toString());
    }

    @Test
    void verbosePrintsTheStackTrace() {
        policy.onExecutionError(new IllegalStateException("boom"), true);

        assertTrue(err.toString().startsWith("draglora: boom\njava.lang.IllegalStateException: boom\n"), err.toString());
    }
}
