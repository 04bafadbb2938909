package org.draglora.engine.runtime;

/**
 * Tensor work refused because the process is exiting ({@link ExitGuard}). Not a failure of the
 * work: whoever asked for it should leave its state as it was (a session does not record a failed
 * step), since the work would have run had the process stayed.
 */
public final class ExitInProgressException extends IllegalStateException {

    private static final long serialVersionUID = 1L;

    public ExitInProgressException() {
        super("the process is exiting: no more tensor work is started");
    }
}
