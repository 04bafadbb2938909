package org.draglora.engine.drag;

/**
 * A point on the feature (supervision) grid in {@code (row, col)} order, the reference's own layout
 * (ALGORITHM.md §0: "Points are stored as (row, col) float tensors on the feature grid").
 *
 * <p>Handles and targets are integer-valued (they come from {@code torch.round} and from integer
 * tracking candidates); only the {@link TrackingStrategy#LINEAR} search and the expected positions
 * {@code p + d} of motion supervision are fractional. {@code -0.0} is stored as {@code 0.0}, so that
 * record equality (used for the "no move" test of ALGORITHM.md §7) compares values.
 *
 * @param row the row, 0 at the top
 * @param col the column, 0 at the left
 */
public record GridPoint(double row, double col) {

    public GridPoint {
        if (!Double.isFinite(row) || !Double.isFinite(col)) {
            throw new IllegalArgumentException("a grid point needs finite coordinates, got (row " + row + ", col "
                    + col + ")");
        }
        row = row + 0.0; // -0.0 + 0.0 == +0.0
        col = col + 0.0;
    }

    /** The Euclidean distance to {@code other}, in grid pixels. */
    public double distanceTo(GridPoint other) {
        double dr = row - other.row;
        double dc = col - other.col;
        return Math.sqrt(dr * dr + dc * dc);
    }

    /** Whether both coordinates are whole numbers. */
    public boolean isIntegral() {
        return row == Math.rint(row) && col == Math.rint(col);
    }

    /** This point moved by {@code (dRow, dCol)}. */
    public GridPoint plus(double dRow, double dCol) {
        return new GridPoint(row + dRow, col + dCol);
    }
}
