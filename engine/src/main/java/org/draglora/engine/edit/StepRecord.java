package org.draglora.engine.edit;

import java.util.List;
import org.draglora.engine.drag.DragMode;

/**
 * What one step of an edit did: which phase and step, the drag mode, every point's position and
 * remaining distance, the losses, how many UNet passes it cost, its time and an optional cheap
 * preview. Plain data, so sessions can persist and stream it.
 *
 * @param index the step's index within its phase
 * @param total the phase's planned number of steps (for the drag phase: the DOO step budget K)
 * @param mode the drag mode of this iteration, {@code null} outside the drag phase
 * @param forwardPasses UNet calls of this step
 * @param forwardSamples UNet samples of this step (a batched call of two counts two)
 * @param backwardPasses backward passes of this step
 * @param finished whether the edit is done (the result image exists)
 */
public record StepRecord(DragRun.Phase phase, int index, int total, DragMode mode, List<PointState> points,
        Losses losses, int forwardPasses, int forwardSamples, int backwardPasses, long nanos, Preview preview,
        String event, boolean finished) {

    public StepRecord {
        points = List.copyOf(points);
    }

    /**
     * One point after this step, in image pixels.
     *
     * @param minD the tracking distance of this step (NaN when the step did not track)
     * @param distance the handle's distance to its target in image pixels
     */
    public record PointState(int id, double handleX, double handleY, double targetX, double targetY, double minD,
            double distance) {}

    /** Loss values of a step; NaN where a term does not apply. */
    public record Losses(double total, double drag, double mask, double dds) {
        /** No loss. */
        public static final Losses NONE = new Losses(Double.NaN, Double.NaN, Double.NaN, Double.NaN);

        /** A single loss (RecLoRA's MSE). */
        public static Losses of(double total) {
            return new Losses(total, Double.NaN, Double.NaN, Double.NaN);
        }
    }

    /** An RGB preview, row-major, 3 bytes per pixel. */
    public record Preview(int width, int height, byte[] rgb) {}
}
