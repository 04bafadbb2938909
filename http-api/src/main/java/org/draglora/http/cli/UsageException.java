package org.draglora.http.cli;

/**
 * The user asked for something the command line cannot do (a missing command, a bad combination
 * of options). {@link ErrorPolicy} reports it as one line and exit code 2, like a parse error.
 */
public final class UsageException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /** A usage error described by {@code message}. */
    public UsageException(String message) {
        super(message);
    }
}
