package org.draglora.engine.runtime;

/** Started in a child JVM by {@link EngineRuntimeOfflineTest}: starts the CPU engine and reports. */
public final class OfflineProbe {

    private OfflineProbe() {}

    public static void main(String[] args) {
        try {
            EngineRuntime.cpu();
            System.out.println("started");
        } catch (IllegalStateException e) {
            System.out.println("refused: " + e.getMessage());
            System.exit(3);
        }
    }
}
