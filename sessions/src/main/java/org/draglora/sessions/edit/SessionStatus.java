package org.draglora.sessions.edit;

/** Where an edit session is in its life. */
public enum SessionStatus {
    /** Created, no image yet. */
    EMPTY,
    /** Fitting the RecLoRA and inverting the image (steps run in the background). */
    PREPARING,
    /** Prepared; waiting for points and a start. */
    READY,
    /** Optimising (DOO+ILFA or ILFA-only steps), then denoising and decoding the result. */
    DRAGGING,
    /** Stopped by the user between steps; resume continues. */
    PAUSED,
    /** The result image exists. */
    FINISHED,
    /** Stopped for good by the user (restart begins again). */
    CANCELLED,
    /** A step failed; the reason is kept (restart begins again). */
    FAILED;

    /** Whether steps run in this status (when nothing else holds them back). */
    public boolean runs() {
        return this == PREPARING || this == DRAGGING;
    }

    /** Whether the edit can take point and mask changes. */
    public boolean editable() {
        return this == EMPTY || this == PREPARING || this == READY || this == DRAGGING || this == PAUSED;
    }
}
