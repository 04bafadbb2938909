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
    DRAGDIFFUSION("dragdiffusion"),
    /** The latent-warp baseline: the handle regions moved in the latent directly, no optimisation. */
    LATENT_WARP("latent-warp");

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
            case LATENT_WARP -> DragSettings.latentWarp();
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
        throw new IllegalArgumentException("unknown method '" + text + "': use draglora, draglora-fast, dragdiffusion or latent-warp");
    }
}
