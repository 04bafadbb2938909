package org.draglora.engine.runtime;

import java.util.Locale;

/** Where tensors live: the CPU (default) or the first CUDA GPU. */
public enum DeviceKind {
    CPU,
    GPU;

    /** Parses {@code cpu} or {@code gpu} (any case), naming the bad value otherwise. */
    public static DeviceKind parse(String text) {
        return switch (text.trim().toLowerCase(Locale.ROOT)) {
            case "cpu" -> CPU;
            case "gpu", "cuda" -> GPU;
            default -> throw new IllegalArgumentException("unknown device '" + text + "': use cpu or gpu");
        };
    }
}
