package org.draglora.engine.tools;

import java.util.Locale;
import org.draglora.engine.drag.DragSettings;

/** The drag methods an edit can use, by their command-line names. */
public enum EditMethod {
    /** DragLoRA with the reference settings (distance-closer tracking). */
    DRAGLORA("draglora"),
    /** DragLoRA with angle-closer tracking. */
    DRAGLORA_FAST("draglora-fast"),
    /** The DragDiffusion baseline: latent optimisation. */
    DRAGDIFFUSION("dragdiffusion");

    private final String cliName;

    EditMethod(String cliName) {
        this.cliName = cliName;
    }

    /** The command-line name. */
    public String cliName() {
        return cliName;
    }

    /** The reference settings of this method. */
    public DragSettings settings() {
        return switch (this) {
            case DRAGLORA -> DragSettings.dragLora();
            case DRAGLORA_FAST -> DragSettings.dragLoraFast();
            case DRAGDIFFUSION -> DragSettings.dragDiffusion();
        };
    }

    /** Parses a command-line name, naming the valid ones otherwise. */
    public static EditMethod parse(String text) {
        String t = text.trim().toLowerCase(Locale.ROOT);
        for (EditMethod m : values()) {
            if (m.cliName.equals(t)) {
                return m;
            }
        }
        throw new IllegalArgumentException("unknown method '" + text + "': use draglora, draglora-fast or dragdiffusion");
    }
}
