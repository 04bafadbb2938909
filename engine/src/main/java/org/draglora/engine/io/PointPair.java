package org.draglora.engine.io;

/**
 * One drag instruction in image pixel coordinates: move the content at the handle point to the
 * target point. {@code x} is the column and {@code y} the row, as the labelling tools click them
 * (DragBench {@code [x, y]}, ALGORITHM.md §3 step 6); conversion to the feature grid's
 * {@code (row, col)} happens in the drag code, not here.
 */
public record PointPair(double handleX, double handleY, double targetX, double targetY) {

    /** Rejects non-finite coordinates. */
    public PointPair {
        if (!Double.isFinite(handleX) || !Double.isFinite(handleY) || !Double.isFinite(targetX)
                || !Double.isFinite(targetY)) {
            throw new IllegalArgumentException("point coordinates must be finite, got handle (" + handleX + ", "
                    + handleY + ") target (" + targetX + ", " + targetY + ")");
        }
    }

    /** The pair with handle and target exchanged (the drag-back protocol, ALGORITHM.md §11.4). */
    public PointPair swapped() {
        return new PointPair(targetX, targetY, handleX, handleY);
    }

    /**
     * Whether both points lie on the image's pixel grid: {@code 0 <= x <= width - 1} and
     * {@code 0 <= y <= height - 1} (pixel coordinates as clicked, the last pixel included).
     */
    public boolean isInside(int width, int height) {
        return inside(handleX, width) && inside(handleY, height) && inside(targetX, width) && inside(targetY, height);
    }

    private static boolean inside(double v, int size) {
        return v >= 0 && v <= size - 1;
    }
}
