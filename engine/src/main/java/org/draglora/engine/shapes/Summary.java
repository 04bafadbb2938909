package org.draglora.engine.shapes;

import java.util.List;

/**
 * Means of ShapeDrag results over cases: each case weighs the same (its pairs are averaged first), PSNR is the
 * mean of the cases' dB values; {@code pairs} and {@code vanished} are totals.
 */
public record Summary(int cases, int pairs, double meanHandleError, double meanInitialDistance, double meanIou,
        double meanBackgroundPsnr, int vanished) {

    /** Aggregates the cases; there must be at least one. */
    public static Summary of(List<CaseResult> results) {
        if (results == null || results.isEmpty()) {
            throw new IllegalArgumentException("a summary needs at least one case result");
        }
        int pairs = 0;
        int vanished = 0;
        double err = 0;
        double init = 0;
        double iou = 0;
        double psnr = 0;
        for (CaseResult r : results) {
            pairs += r.pairs().size();
            vanished += r.vanished();
            err += r.meanHandleError();
            init += r.meanInitialDistance();
            iou += r.meanIou();
            psnr += r.backgroundPsnr();
        }
        int n = results.size();
        return new Summary(n, pairs, err / n, init / n, iou / n, psnr / n, vanished);
    }
}
