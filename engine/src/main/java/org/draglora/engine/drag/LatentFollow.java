package org.draglora.engine.drag;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The latent moves with the tracked handles: ILFA's job, carrying the drag LoRA's feature motion
 * into the input latent, done by moving latent cells instead of by a denoise-and-re-noise step
 * ({@link IlfaMethod#SHIFT}). After every tracking, each handle's progress along its drag is the
 * tracked handle's displacement from where it was anchored, projected on the drag vector and clamped
 * to {@code [0, drag length]}; the region around the handle is kept moved by that progress along the
 * vector, rounded to whole latent cells. One update returns the move from where the region is now
 * to where it belongs ({@link LatentWarp.Move}), or nothing when the rounded position has not
 * changed. The move can point backwards when tracking walks back.
 *
 * <p>Not in the DragLoRA reference: on the embedded model the reference's ILFA, one sampling step of
 * a model whose prior at the drag timestep is a coloured blob, dissolves shapes within the 40 to 80
 * updates of an edit (README, "The embedded model"; docs/shapedrag-experiments.md, "The latent
 * follows the tracked handles"). State per point id; a point whose handle the user moved starts
 * again from zero at its new position (its region has not moved yet). Mutable, owned by one run.
 */
public final class LatentFollow {

    /** Where a point started and how far its region has been moved so far, in whole latent cells. */
    private record State(ImagePoint handle, ImagePoint anchor, int rows, int cols) {}

    private final int latentScale;
    private final Map<Integer, State> states = new HashMap<>();

    /** @param latentScale image pixels per latent cell (8 for SD, 4 for the embedded model) */
    public LatentFollow(int latentScale) {
        if (latentScale < 1) {
            throw new IllegalArgumentException("latentScale must be positive, got " + latentScale);
        }
        this.latentScale = latentScale;
    }

    /**
     * The move for point {@code id} after a tracking, in latent cells.
     *
     * @param handle the user's handle in image pixels (a new value starts the point afresh)
     * @param target the user's target in image pixels
     * @param anchor where tracking started, the anchored grid handle in image pixels
     * @param tracked where tracking has the handle now, in image pixels
     */
    public Optional<LatentWarp.Move> update(int id, ImagePoint handle, ImagePoint target, ImagePoint anchor,
            ImagePoint tracked) {
        State s = states.get(id);
        if (s == null || !s.handle().equals(handle) || !s.anchor().equals(anchor)) {
            s = new State(handle, anchor, 0, 0);
        }
        double vx = target.x() - handle.x();
        double vy = target.y() - handle.y();
        double length = Math.hypot(vx, vy);
        int rows = 0;
        int cols = 0;
        if (length > 0) {
            double along = ((tracked.x() - anchor.x()) * vx + (tracked.y() - anchor.y()) * vy) / length;
            double progress = Math.min(length, Math.max(0, along)); // image pixels along the drag
            rows = (int) Math.round(progress * vy / length / latentScale);
            cols = (int) Math.round(progress * vx / length / latentScale);
        }
        Optional<LatentWarp.Move> move = Optional.empty();
        if (rows != s.rows() || cols != s.cols()) {
            // the region sits at the handle's latent position plus what it has been moved so far
            move = Optional.of(new LatentWarp.Move(LatentWarp.latentCoordinate(handle.y(), latentScale) + s.rows(),
                    LatentWarp.latentCoordinate(handle.x(), latentScale) + s.cols(), rows - s.rows(), cols - s.cols()));
        }
        states.put(id, new State(handle, anchor, rows, cols));
        return move;
    }

    /** How far point {@code id}'s region has been moved, {rows, cols} in latent cells ({0, 0} if unknown). */
    public int[] moved(int id) {
        State s = states.get(id);
        return s == null ? new int[] {0, 0} : new int[] {s.rows(), s.cols()};
    }
}
