package org.draglora.engine.weights;

import java.util.List;

/**
 * The outcome of a strict load: how many keys the model consumed, and which keys were missing
 * from the checkpoint, unexpected in it, or of the wrong shape.
 */
public record LoadReport(
        String source, int consumed, List<String> missing, List<String> unexpected, List<String> misShaped) {

    public LoadReport {
        missing = List.copyOf(missing);
        unexpected = List.copyOf(unexpected);
        misShaped = List.copyOf(misShaped);
    }

    /** Whether every key was consumed with the right shape. */
    public boolean ok() {
        return missing.isEmpty() && unexpected.isEmpty() && misShaped.isEmpty();
    }

    /** One line: counts only. */
    public String summary() {
        return source + ": " + consumed + " keys consumed, " + missing.size() + " missing, "
                + unexpected.size() + " unexpected, " + misShaped.size() + " mis-shaped";
    }

    /** The summary followed by every offending key (at most {@code limit} per list). */
    public String details(int limit) {
        StringBuilder b = new StringBuilder(summary());
        appendList(b, "missing", missing, limit);
        appendList(b, "unexpected", unexpected, limit);
        appendList(b, "mis-shaped", misShaped, limit);
        return b.toString();
    }

    private static void appendList(StringBuilder b, String label, List<String> keys, int limit) {
        if (keys.isEmpty()) {
            return;
        }
        b.append("\n  ").append(label).append(" (").append(keys.size()).append("):");
        for (int i = 0; i < Math.min(limit, keys.size()); i++) {
            b.append("\n    ").append(keys.get(i));
        }
        if (keys.size() > limit) {
            b.append("\n    ... and ").append(keys.size() - limit).append(" more");
        }
    }
}
