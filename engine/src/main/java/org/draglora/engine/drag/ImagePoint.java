package org.draglora.engine.drag;

/**
 * A point in image pixels, {@code (x, y)} as the UI and DragBench's {@code meta_data.pkl} store
 * clicks (ALGORITHM.md §11.1: "each [x, y] in pixel coordinates"). Convert it to the feature grid
 * with {@link DragGeometry#toGrid}, never by hand.
 *
 * @param x the column in pixels, 0 at the left
 * @param y the row in pixels, 0 at the top
 */
public record ImagePoint(double x, double y) {

    public ImagePoint {
        if (!Double.isFinite(x) || !Double.isFinite(y)) {
            throw new IllegalArgumentException("an image point needs finite coordinates, got (x " + x + ", y " + y
                    + ")");
        }
    }
}
