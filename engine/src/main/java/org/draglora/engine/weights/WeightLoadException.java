package org.draglora.engine.weights;

/** A strict load failed; the message lists the missing, unexpected and mis-shaped keys. */
public final class WeightLoadException extends IllegalArgumentException {

    private final transient LoadReport report;

    public WeightLoadException(LoadReport report) {
        super(report.details(20));
        this.report = report;
    }

    /** The full report. */
    public LoadReport report() {
        return report;
    }
}
