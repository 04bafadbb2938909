package org.draglora.engine.drag;

import java.util.Objects;

/**
 * The image size and the feature (supervision) grid size, with the one conversion each way between
 * {@link ImagePoint} and {@link GridPoint}.
 *
 * <p>The reference works on a half-resolution grid: {@code sup_res_h = int(0.5*full_h)}
 * (ALGORITHM.md §0, DL:drag_bench_evaluation/run_dragbench_draglora.py:115-117), 256x256 for a
 * 512x512 image. All point work (tracking, motion supervision, reach checks) happens on that grid.
 *
 * @param imageHeight H in pixels
 * @param imageWidth W in pixels
 * @param gridHeight Hf, rows of the feature grid
 * @param gridWidth Wf, columns of the feature grid
 */
public record DragGeometry(int imageHeight, int imageWidth, int gridHeight, int gridWidth) {

    /** The reference's grid scale: {@code int(0.5*H)} (ALGORITHM.md §12, DL:run_dragbench_draglora.py:116). */
    public static final double REFERENCE_GRID_SCALE = 0.5;

    public DragGeometry {
        if (imageHeight < 1 || imageWidth < 1 || gridHeight < 1 || gridWidth < 1) {
            throw new IllegalArgumentException("image and grid sizes must be positive, got image " + imageHeight + "x"
                    + imageWidth + ", grid " + gridHeight + "x" + gridWidth);
        }
    }

    /** The reference's grid for an {@code h x w} image: {@code (int(0.5*h), int(0.5*w))}. */
    public static DragGeometry forImage(int imageHeight, int imageWidth) {
        return forImage(imageHeight, imageWidth, REFERENCE_GRID_SCALE);
    }

    /** A grid of {@code (int(scale*h), int(scale*w))}; Python's {@code int()} truncates. */
    public static DragGeometry forImage(int imageHeight, int imageWidth, double scale) {
        if (!(scale > 0 && scale <= 1)) {
            throw new IllegalArgumentException("grid scale must be in (0, 1], got " + scale);
        }
        return new DragGeometry(imageHeight, imageWidth, (int) (scale * imageHeight), (int) (scale * imageWidth));
    }

    /**
     * Image pixels to the grid: {@code round([y/H*Hf, x/W*Wf])} (ALGORITHM.md §3.6,
     * DL:run_dragbench_draglora.py:214-216). The quotient is formed in double as Python does, stored
     * as float32 by {@code torch.tensor}, and rounded half to even by {@code torch.round}
     * ({@link Math#rint}): a 512 image maps y = 3 to row 2 and y = 5 to row 2.
     *
     * <p>One deliberate difference: the result is clamped into the grid. For y = H-1 with an even
     * ratio the reference gets row Hf (511/512*256 = 255.5 rounds to 256), one past the last row;
     * its tracking then indexes {@code F0[:, :, 256]} and fails. Only that case changes.
     *
     * @throws IllegalArgumentException if the point lies outside {@code [0, W) x [0, H)}
     */
    public GridPoint toGrid(ImagePoint p) {
        Objects.requireNonNull(p, "p");
        if (p.x() < 0 || p.x() >= imageWidth || p.y() < 0 || p.y() >= imageHeight) {
            throw new IllegalArgumentException("image point " + p + " lies outside the " + imageWidth + "x"
                    + imageHeight + " image (x in [0, " + imageWidth + "), y in [0, " + imageHeight + "))");
        }
        double row = Math.rint((float) (p.y() / imageHeight * gridHeight));
        double col = Math.rint((float) (p.x() / imageWidth * gridWidth));
        return new GridPoint(Math.min(row, gridHeight - 1), Math.min(col, gridWidth - 1));
    }

    /**
     * Grid to image pixels, the inverse scaling {@code (x, y) = (col/Wf*W, row/Hf*H)} without
     * rounding (for display: a grid pixel covers {@code H/Hf} image pixels).
     *
     * @throws IllegalArgumentException if the point lies outside the grid
     */
    public ImagePoint toImage(GridPoint p) {
        requireOnGrid(p, "grid point");
        return new ImagePoint(p.col() / gridWidth * imageWidth, p.row() / gridHeight * imageHeight);
    }

    /** Whether {@code p} lies in {@code [0, Hf-1] x [0, Wf-1]}. */
    public boolean contains(GridPoint p) {
        return p.row() >= 0 && p.row() <= gridHeight - 1 && p.col() >= 0 && p.col() <= gridWidth - 1;
    }

    /** Throws unless {@code p} lies on the grid; {@code what} names the point in the message. */
    public void requireOnGrid(GridPoint p, String what) {
        Objects.requireNonNull(p, what);
        if (!contains(p)) {
            throw new IllegalArgumentException(what + " " + p + " lies outside the " + gridHeight + "x" + gridWidth
                    + " feature grid");
        }
    }
}
