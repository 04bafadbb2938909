package org.draglora.engine.drag;

import java.util.List;

/**
 * A drag done by moving the latent itself, with no optimisation: inside the edit mask, the latent
 * cells within a radius of each handle move by the handle's drag vector (rounded to whole cells),
 * and the cells they leave take the latent found beyond the moved region along the vector (what
 * lies ahead of the object before the move: in a drag, the background it moves into). The final
 * denoising then renders the moved latent. Not part of the DragLoRA or DragDiffusion references: a
 * region copy-and-paste in latent space in the spirit of RegionDrag (Lu et al. 2024) and FastDrag
 * (Zhao et al. 2024), used whole by the latent-warp baseline (README, "ShapeDrag") and step by step,
 * as tracking reports the handles' progress, by DragLoRA's {@link IlfaMethod#SHIFT}.
 *
 * <p>Latents are {@code (C, H, W)} row-major float arrays (a batch of one flattened); positions and
 * vectors are in latent cells, a cell's centre at its integer index.
 */
public final class LatentWarp {

    /**
     * One handle's move, in latent cells.
     *
     * @param row handle row
     * @param col handle column
     * @param dRow drag vector, rows
     * @param dCol drag vector, columns
     */
    public record Move(double row, double col, double dRow, double dCol) {
        public Move {
            if (!Double.isFinite(row) || !Double.isFinite(col) || !Double.isFinite(dRow) || !Double.isFinite(dCol)) {
                throw new IllegalArgumentException("move coordinates must be finite: " + row + ", " + col + ", " + dRow
                        + ", " + dCol);
            }
        }
    }

    /**
     * The moved region's radius as a fraction of the image's shorter side, for the latent-warp
     * baseline and DragLoRA's {@link IlfaMethod#SHIFT}: 0.28, 18 px at 64x64 (4.5 cells of the
     * embedded model's 16x16 latent). Measured on ShapeDrag's first 16 cases with the embedded model,
     * error over initial distance: latent-warp at radius 2, 2.5, 3, 3.5, 4.5 and 6 cells 0.47, 0.40,
     * 0.32, 0.26, 0.23, 0.28; DragLoRA with the shift at fractions 0.22, 0.28, 0.35 and 0.42 0.23,
     * 0.16, 0.22, 0.25 (docs/shapedrag-experiments.md, "Moving the latent itself" and "The latent
     * follows the tracked handles").
     */
    public static final double REGION_RADIUS_FRACTION = 0.28;

    private LatentWarp() {
    }

    /**
     * The warped latent (a new array; {@code latent} is not changed). Moves apply one after the other,
     * each to the result of the ones before.
     *
     * @param latent (C, H, W), row-major
     * @param editable H*W cells that may change, or {@code null} for all of them; nothing outside changes
     * @param radius cells whose centre lies within this distance of a handle move with it (>= 0)
     */
    public static float[] warp(float[] latent, int channels, int height, int width, boolean[] editable,
            List<Move> moves, double radius) {
        int cells = height * width;
        if (channels < 1 || height < 1 || width < 1 || latent.length != (long) channels * cells) {
            throw new IllegalArgumentException("latent has " + latent.length + " values, not " + channels + "x" + height
                    + "x" + width);
        }
        if (editable != null && editable.length != cells) {
            throw new IllegalArgumentException("mask has " + editable.length + " cells, the latent " + cells);
        }
        if (!(radius >= 0) || Double.isInfinite(radius)) {
            throw new IllegalArgumentException("radius must be finite and >= 0, got " + radius);
        }
        float[] current = latent.clone();
        for (Move m : moves) {
            int di = (int) Math.round(m.dRow());
            int dj = (int) Math.round(m.dCol());
            if (di == 0 && dj == 0) {
                continue;
            }
            boolean[] region = new boolean[cells];
            for (int r = 0; r < height; r++) {
                for (int c = 0; c < width; c++) {
                    region[r * width + c] = (editable == null || editable[r * width + c])
                            && Math.hypot(r - m.row(), c - m.col()) <= radius;
                }
            }
            float[] out = current.clone();
            // the cells the region leaves: the latent beyond the region along the vector
            for (int r = 0; r < height; r++) {
                for (int c = 0; c < width; c++) {
                    if (region[r * width + c]) {
                        int from = beyond(region, height, width, r, c, di, dj);
                        if (from >= 0) {
                            copyCell(current, out, channels, cells, from, r * width + c);
                        }
                    }
                }
            }
            // the region itself, moved by the vector (where the destination may change)
            for (int r = 0; r < height; r++) {
                for (int c = 0; c < width; c++) {
                    int rr = r + di;
                    int cc = c + dj;
                    if (region[r * width + c] && rr >= 0 && rr < height && cc >= 0 && cc < width
                            && (editable == null || editable[rr * width + cc])) {
                        copyCell(current, out, channels, cells, r * width + c, rr * width + cc);
                    }
                }
            }
            current = out;
        }
        return current;
    }

    /** A pixel coordinate's position on the latent grid ({@code scale} pixels a cell), a cell's centre at its index. */
    public static double latentCoordinate(double pixel, int scale) {
        return (pixel + 0.5) / scale - 0.5;
    }

    /** The first cell {@code (r, c) + k (di, dj)}, k >= 1, outside the region, or -1 past the border. */
    private static int beyond(boolean[] region, int height, int width, int r, int c, int di, int dj) {
        for (int k = 1; ; k++) {
            int rr = r + k * di;
            int cc = c + k * dj;
            if (rr < 0 || rr >= height || cc < 0 || cc >= width) {
                return -1;
            }
            if (!region[rr * width + cc]) {
                return rr * width + cc;
            }
        }
    }

    private static void copyCell(float[] from, float[] to, int channels, int cells, int src, int dst) {
        for (int ch = 0; ch < channels; ch++) {
            to[ch * cells + dst] = from[ch * cells + src];
        }
    }
}
