package org.draglora.engine.shapes;

import java.util.List;

/**
 * The measurements of one ShapeDrag case: one {@link PairResult} per point pair and the background PSNR (dB,
 * over the pixels outside the edit mask, input against output).
 */
public record CaseResult(DragKind kind, List<PairResult> pairs, double backgroundPsnr) {

    /** Rejects nulls and an empty pair list; copies the list. */
    public CaseResult {
        if (kind == null || pairs == null || pairs.isEmpty()) {
            throw new IllegalArgumentException("a case needs a kind and at least one pair result");
        }
        pairs = List.copyOf(pairs);
    }

    /** Mean handle error over the pairs, pixels. */
    public double meanHandleError() {
        return pairs.stream().mapToDouble(PairResult::handleError).average().orElseThrow();
    }

    /** Mean initial handle-to-target distance over the pairs, pixels. */
    public double meanInitialDistance() {
        return pairs.stream().mapToDouble(PairResult::initialDistance).average().orElseThrow();
    }

    /** Mean IoU over the pairs. */
    public double meanIou() {
        return pairs.stream().mapToDouble(PairResult::iou).average().orElseThrow();
    }

    /** How many dragged objects were not found in the output. */
    public int vanished() {
        return (int) pairs.stream().filter(p -> !p.found()).count();
    }
}
