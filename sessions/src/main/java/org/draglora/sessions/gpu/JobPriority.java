package org.draglora.sessions.gpu;

/** Interactive drag steps go before background work such as RecLoRA fitting. */
public enum JobPriority {
    /** A step the user is watching: drag iterations, the final image. */
    INTERACTIVE,
    /** Preparation nobody watches step by step: RecLoRA fitting, inversion. */
    BACKGROUND
}
