package org.draglora.engine.drag;

import java.util.Objects;

/**
 * Point-tracking knobs (ALGORITHM.md §8, §12).
 *
 * @param strategy the candidate set
 * @param reduction the channel reduction of the L1 distance
 * @param radius r_p, the window half-size: 3 gives a 7x7 window (DL:run_dragbench_draglora.py:110)
 * @param roundMinD round minD to 2 decimals as the reference does ({@code round(x, 2)},
 *     DL:utils/drag_utils_lora.py:78), so that the switching thresholds see the same numbers
 */
public record TrackingSettings(TrackingStrategy strategy, DistanceReduction reduction, int radius,
        boolean roundMinD) {

    /** r_p = 3 (ALGORITHM.md §12, DL:run_dragbench_draglora.py:110). */
    public static final int REFERENCE_RADIUS = 3;

    public TrackingSettings {
        Objects.requireNonNull(strategy, "strategy");
        Objects.requireNonNull(reduction, "reduction");
        if (radius < 1) {
            throw new IllegalArgumentException("tracking radius must be >= 1, got " + radius);
        }
    }

    /** DragLoRA: distance-closer, channel mean, r_p 3, rounded minD (DL:utils/drag_utils_lora.py:33-84). */
    public static TrackingSettings dragLora() {
        return new TrackingSettings(TrackingStrategy.DISTANCE_CLOSER, DistanceReduction.MEAN, REFERENCE_RADIUS, true);
    }

    /** DragLoRA-Fast: the ±30° angle-closer cone, otherwise as {@link #dragLora()}. */
    public static TrackingSettings dragLoraFast() {
        return new TrackingSettings(TrackingStrategy.ANGLE_CLOSER, DistanceReduction.MEAN, REFERENCE_RADIUS, true);
    }

    /**
     * DragDiffusion: the whole window, channel sum, r_p 3 (DD:utils/drag_utils.py:24-45). DD reports
     * no minD; ours is left unrounded.
     */
    public static TrackingSettings dragDiffusion() {
        return new TrackingSettings(TrackingStrategy.SQUARE, DistanceReduction.SUM, REFERENCE_RADIUS, false);
    }
}
