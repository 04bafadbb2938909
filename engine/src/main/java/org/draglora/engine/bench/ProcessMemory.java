package org.draglora.engine.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Resident memory of this process from {@code /proc/self/status} (Linux), in MiB; -1 elsewhere. */
public final class ProcessMemory {

    private ProcessMemory() {}

    /** Current resident set size (VmRSS). */
    public static long residentMib() {
        return field("VmRSS:");
    }

    /** Peak resident set size since start (VmHWM). */
    public static long peakResidentMib() {
        return field("VmHWM:");
    }

    private static long field(String name) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith(name)) {
                    String[] parts = line.substring(name.length()).trim().split("\\s+");
                    return Long.parseLong(parts[0]) / 1024;
                }
            }
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return -1;
    }
}
