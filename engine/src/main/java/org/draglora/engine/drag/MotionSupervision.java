package org.draglora.engine.drag;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.draglora.engine.nn.Ops;

/**
 * Motion supervision: the drag loss that pulls the features one step from each handle toward its
 * target (ALGORITHM.md §5.3, DL:utils/drag_utils_lora.py:237-251; DragDiffusion §10,
 * DD:utils/drag_utils.py:128-148).
 *
 * <p>For point i with handle p, target t and unit step {@code d = (t-p)/||t-p||}: the current patch
 * P1 samples F1 bilinearly on the (2r+1)^2 grid {@code p + d + {-r..r}^2}, and
 * {@code L_i = (2r+1)^2 * mean_{C,2r+1,2r+1} |P0 - P1|} ({@code :250}). Points within the skip
 * radius of their target contribute nothing ({@code :240-242}). {@code L = sum_i L_i}, weight 1.
 *
 * <p>Both patches sample the same relative offsets {@code {-r..r}^2} with replicate-border clamping
 * ({@link FeatureSampling}), so they always have the same shape and never index outside the map;
 * the reference clips its windows instead, which mismatches shapes or mis-slices near borders
 * (ALGORITHM.md §16.1-2). Away from the borders the result is the reference formula.
 *
 * <p>Feature maps are (C, H, W) or (1, C, H, W). Gradients reach F1 only: reference patches are
 * detached here even if the caller's are not.
 */
public final class MotionSupervision {

    /** r_m = 1, a 3x3 patch (ALGORITHM.md §12, DL:run_dragbench_draglora.py:109). */
    public static final int REFERENCE_RADIUS = 1;

    /** Points closer than 2 grid px to their target are skipped (DL:utils/drag_utils_lora.py:240). */
    public static final double REFERENCE_SKIP_RADIUS = 2.0;

    /**
     * The drag loss of all points.
     *
     * @param loss the summed loss, a scalar differentiable with respect to F1; a constant 0 with no
     *     graph when every point was skipped
     * @param perPoint each point's loss (0 for skipped points)
     * @param expected the position each handle is pushed to, {@code curT_i = p_i + d_i}, or the target
     *     for skipped points (DL:utils/drag_utils_lora.py:241,249); the switching rule compares the
     *     next tracked handles with these
     */
    public record Result(NDArray loss, double[] perPoint, List<GridPoint> expected) {
        public Result {
            Objects.requireNonNull(loss, "loss");
            perPoint = perPoint.clone();
            expected = List.copyOf(expected);
        }

        @Override
        public double[] perPoint() {
            return perPoint.clone();
        }
    }

    private MotionSupervision() {}

    /**
     * DragLoRA's loss: each point's reference is a frozen patch held per point (the patch of F0
     * around the initial handle, {@link #referencePatch}; callers may re-anchor).
     *
     * @param features F1, (C, H, W) or (1, C, H, W)
     * @param referencePatches one (C, 2r+1, 2r+1) patch per point
     */
    public static Result dragLoss(NDArray features, List<NDArray> referencePatches, List<GridPoint> handles,
            List<GridPoint> targets, int radius, double skipRadius) {
        if (referencePatches.size() != handles.size()) {
            throw new IllegalArgumentException("need one reference patch per handle, got " + referencePatches.size()
                    + " patches for " + handles.size() + " handles");
        }
        return loss(features, referencePatches, handles, targets, radius, skipRadius);
    }

    /** {@link #dragLoss(NDArray, List, List, List, int, double)} with r_m = 1 and skip radius 2.0. */
    public static Result dragLoss(NDArray features, List<NDArray> referencePatches, List<GridPoint> handles,
            List<GridPoint> targets) {
        return dragLoss(features, referencePatches, handles, targets, REFERENCE_RADIUS, REFERENCE_SKIP_RADIUS);
    }

    /**
     * DragDiffusion's loss: the reference is {@code stopgrad(F1)} around the current handle
     * (DD:utils/drag_utils.py:142), otherwise the same.
     */
    public static Result dragDiffusionLoss(NDArray features, List<GridPoint> handles, List<GridPoint> targets,
            int radius, double skipRadius) {
        return loss(features, null, handles, targets, radius, skipRadius);
    }

    /**
     * The (C, 2r+1, 2r+1) patch of {@code features} around {@code p} (offsets {@code {-r..r}^2},
     * replicate border), detached: a copy that records no graph. At an interior integer p it is
     * {@code F[:, p_r-r .. p_r+r, p_c-r .. p_c+r]} (DL:utils/drag_utils_lora.py:148-152). It belongs
     * to the features' manager.
     */
    public static NDArray referencePatch(NDArray features, GridPoint p, int radius) {
        requireOnMap(features, p, "patch centre");
        int k = 2 * radius + 1;
        double[][] pos = grid(p, 0, 0, radius);
        long c = FeatureSampling.chwShape(features).get(0);
        // (C, k*k) -> (C, k, k)
        return Ops.scoped(features, f -> FeatureSampling.sample(f.stopGradient(), pos[0], pos[1]).reshape(c, k, k));
    }

    /** {@link #referencePatch(NDArray, GridPoint, int)} with r_m = 1: a (C, 3, 3) patch. */
    public static NDArray referencePatch(NDArray features, GridPoint p) {
        return referencePatch(features, p, REFERENCE_RADIUS);
    }

    /**
     * The (C) feature at {@code p}, detached: tracking's reference {@code F0[:, :, int(p0_r), int(p0_c)]}
     * (DL:utils/drag_utils_lora.py:45) for integer p, a bilinear sample otherwise. It belongs to the
     * features' manager.
     */
    public static NDArray referenceVector(NDArray features, GridPoint p) {
        requireOnMap(features, p, "point");
        long c = FeatureSampling.chwShape(features).get(0);
        // (C, 1) -> (C)
        return Ops.scoped(features, f -> FeatureSampling.sample(f.stopGradient(), new double[] {p.row()},
                new double[] {p.col()}).reshape(c));
    }

    private static Result loss(NDArray features, List<NDArray> refs, List<GridPoint> handles,
            List<GridPoint> targets, int radius, double skipRadius) {
        if (targets.size() != handles.size()) {
            throw new IllegalArgumentException("need one target per handle, got " + targets.size() + " targets for "
                    + handles.size() + " handles");
        }
        if (radius < 0 || !(skipRadius >= 0)) {
            throw new IllegalArgumentException("need radius >= 0 and skipRadius >= 0, got " + radius + " and "
                    + skipRadius);
        }
        Shape chw = FeatureSampling.chwShape(features);
        long c = chw.get(0);
        int k = 2 * radius + 1;
        int kk = k * k;
        List<GridPoint> expected = new ArrayList<>(handles.size());
        List<Integer> active = new ArrayList<>();
        List<double[][]> shifted = new ArrayList<>();
        for (int i = 0; i < handles.size(); i++) {
            GridPoint p = handles.get(i);
            GridPoint t = targets.get(i);
            requireOnMap(features, p, "handle " + i);
            double dist = t.distanceTo(p);
            if (dist < skipRadius) {
                expected.add(t);
                continue;
            }
            double dr = (t.row() - p.row()) / dist;
            double dc = (t.col() - p.col()) / dist;
            expected.add(p.plus(dr, dc));
            active.add(i);
            shifted.add(grid(p, dr, dc, radius));
        }
        double[] perPoint = new double[handles.size()];
        if (active.isEmpty()) {
            return new Result(features.getManager().zeros(new Shape(), features.getDataType()), perPoint, expected);
        }
        int m = active.size();
        double[] rows = new double[m * kk];
        double[] cols = new double[m * kk];
        for (int j = 0; j < m; j++) {
            System.arraycopy(shifted.get(j)[0], 0, rows, j * kk, kk);
            System.arraycopy(shifted.get(j)[1], 0, cols, j * kk, kk);
        }
        NDArray losses = Ops.scoped(features, f -> {
            NDArray current = FeatureSampling.sample(f, rows, cols); // (C, M*k*k)
            NDArray reference = refs == null
                    ? currentReference(f, handles, active, radius)
                    : stackedReference(f.getManager(), refs, active, c, k);
            // (C, M*k*k) -> (C, M, k*k); (2r+1)^2 * mean over the patch and C -> (M) (DJL's PyTorch
            // mean takes one axis at a time)
            return Ops.scale(current.sub(reference).abs().reshape(c, m, kk).mean(new int[] {2}).mean(new int[] {0}), kk);
        });
        float[] values = (losses.getDataType() == DataType.FLOAT32 ? losses
                : losses.toType(DataType.FLOAT32, false)).toFloatArray();
        for (int j = 0; j < m; j++) {
            perPoint[active.get(j)] = values[j];
        }
        NDArray total = losses.sum();
        losses.close();
        return new Result(total, perPoint, expected);
    }

    /** The callers' patches of the active points, detached: (C, M*k*k). */
    private static NDArray stackedReference(NDManager m, List<NDArray> refs, List<Integer> active, long c, int k) {
        NDList parts = new NDList();
        for (int i : active) {
            NDArray ref = refs.get(i);
            if (!ref.getShape().equals(new Shape(c, k, k))) {
                throw new IllegalArgumentException("reference patch " + i + " must be " + new Shape(c, k, k)
                        + ", got " + ref.getShape());
            }
            NDArray detached = ref.stopGradient();
            detached.attach(m);
            parts.add(detached.reshape(c, (long) k * k)); // (C, k, k) -> (C, k*k)
        }
        return parts.size() == 1 ? parts.get(0) : NDArrays.concat(parts, 1);
    }

    /** DragDiffusion's reference: stopgrad(F1) on the unshifted grids of the active points, (C, M*k*k). */
    private static NDArray currentReference(NDArray f, List<GridPoint> handles, List<Integer> active, int radius) {
        int kk = (2 * radius + 1) * (2 * radius + 1);
        double[] rows = new double[active.size() * kk];
        double[] cols = new double[active.size() * kk];
        for (int j = 0; j < active.size(); j++) {
            double[][] g = grid(handles.get(active.get(j)), 0, 0, radius);
            System.arraycopy(g[0], 0, rows, j * kk, kk);
            System.arraycopy(g[1], 0, cols, j * kk, kk);
        }
        return FeatureSampling.sample(f.stopGradient(), rows, cols);
    }

    /** Row and col of the (2r+1)^2 positions {@code p + (dr, dc) + (i, j)}, i, j in -r..r, row-major. */
    private static double[][] grid(GridPoint p, double dr, double dc, int radius) {
        int k = 2 * radius + 1;
        double[] rows = new double[k * k];
        double[] cols = new double[k * k];
        for (int i = 0; i < k; i++) {
            for (int j = 0; j < k; j++) {
                rows[i * k + j] = p.row() + dr + (i - radius);
                cols[i * k + j] = p.col() + dc + (j - radius);
            }
        }
        return new double[][] {rows, cols};
    }

    private static void requireOnMap(NDArray features, GridPoint p, String what) {
        Shape chw = FeatureSampling.chwShape(features);
        int h = Math.toIntExact(chw.get(1));
        int w = Math.toIntExact(chw.get(2));
        new DragGeometry(h, w, h, w).requireOnGrid(p, what);
    }
}
