package org.draglora.sessions.edit;

/**
 * A handle and its target in image pixels, as the session and its journal store them.
 *
 * @param handleX handle column
 * @param handleY handle row
 * @param targetX target column
 * @param targetY target row
 */
public record PointPair(double handleX, double handleY, double targetX, double targetY) {

    public PointPair {
        if (!Double.isFinite(handleX) || !Double.isFinite(handleY) || !Double.isFinite(targetX)
                || !Double.isFinite(targetY)) {
            throw new IllegalArgumentException("point coordinates must be finite");
        }
    }

    /** Whether both points lie inside a {@code width x height} image. */
    public boolean inside(int width, int height) {
        return handleX >= 0 && handleX <= width - 1 && handleY >= 0 && handleY <= height - 1 && targetX >= 0
                && targetX <= width - 1 && targetY >= 0 && targetY <= height - 1;
    }

    /** Whether the handle differs from {@code other}'s. */
    public boolean handleDiffers(PointPair other) {
        return handleX != other.handleX || handleY != other.handleY;
    }
}
