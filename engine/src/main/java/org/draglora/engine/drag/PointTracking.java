package org.draglora.engine.drag;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Point tracking (EPT): move each handle to the candidate whose current feature is closest (L1) to
 * the handle's reference feature (ALGORITHM.md §8, DL:utils/drag_utils_lora.py:33-84,
 * DD:utils/drag_utils.py:24-45).
 *
 * <p>The reference feature is a (C) vector held per point; the reference takes it from F0 at the
 * initial handle ({@code f0 = F0[:, :, int(p0_r), int(p0_c)]}, {@code :45}); see
 * {@link MotionSupervision#referenceVector}. Feature maps are (C, H, W) or (1, C, H, W) (a batch of
 * one is squeezed). Candidates are enumerated row-major (meshgrid 'ij', {@code :50-53}) and the first
 * minimum wins on ties ({@code argmin}, {@code :80}).
 *
 * <p>Per point, one op chain computes the distances of the whole window (or of the line samples)
 * and one small {@code toFloatArray()} brings them to the host, where the candidate set is applied
 * and the minimum chosen. Tracking records no graph (the reference runs it under no_grad).
 */
public final class PointTracking {

    /** cos 30°, the half-angle of the angle-closer cone (DL:utils/drag_utils_lora.py:62). */
    static final double COS_30 = Math.cos(Math.toRadians(30));

    /** The reference normalises cone vectors by {@code norm + 1e-8} (DL:utils/drag_utils_lora.py:64). */
    private static final double CONE_EPS = 1e-8;

    /**
     * The outcome for one point.
     *
     * @param handle the new handle
     * @param minD the smallest distance over the candidates (rounded if the settings say so)
     * @param candidates the size of the candidate set (at least 1)
     */
    public record TrackResult(GridPoint handle, double minD, int candidates) {
        public TrackResult {
            Objects.requireNonNull(handle, "handle");
            if (candidates < 1) {
                throw new IllegalArgumentException("a candidate set is never empty, got " + candidates);
            }
        }
    }

    private PointTracking() {}

    /** Tracks every point; the lists are aligned (one result per point, §16.3 fixed). */
    public static List<TrackResult> trackAll(List<NDArray> referenceVectors, NDArray features, List<GridPoint> handles,
            List<GridPoint> targets, TrackingSettings settings) {
        if (referenceVectors.size() != handles.size() || targets.size() != handles.size()) {
            throw new IllegalArgumentException("need one reference vector and one target per handle, got "
                    + referenceVectors.size() + " vectors, " + handles.size() + " handles, " + targets.size()
                    + " targets");
        }
        List<TrackResult> out = new ArrayList<>(handles.size());
        for (int i = 0; i < handles.size(); i++) {
            out.add(track(referenceVectors.get(i), features, handles.get(i), targets.get(i), settings));
        }
        return out;
    }

    /**
     * Tracks one point.
     *
     * @param referenceVector the handle's reference feature, (C)
     * @param features the current feature map F1, (C, Hf, Wf) or (1, C, Hf, Wf)
     * @param handle the current handle; integer-valued except for {@link TrackingStrategy#LINEAR}
     * @param target the target (may lie off the grid)
     */
    public static TrackResult track(NDArray referenceVector, NDArray features, GridPoint handle, GridPoint target,
            TrackingSettings settings) {
        Shape chw = FeatureSampling.chwShape(features);
        int h = Math.toIntExact(chw.get(1));
        int w = Math.toIntExact(chw.get(2));
        if (referenceVector.getShape().dimension() != 1 || referenceVector.getShape().get(0) != chw.get(0)) {
            throw new IllegalArgumentException("reference vector must be (" + chw.get(0) + "), got "
                    + referenceVector.getShape());
        }
        if (!new DragGeometry(h, w, h, w).contains(handle)) {
            throw new IllegalArgumentException("handle " + handle + " lies outside the " + h + "x" + w
                    + " feature grid");
        }
        Objects.requireNonNull(target, "target");
        TrackResult raw = settings.strategy() == TrackingStrategy.LINEAR
                ? trackLinear(referenceVector, features, handle, target, settings)
                : trackWindow(referenceVector, features, handle, target, settings, h, w);
        return settings.roundMinD()
                ? new TrackResult(raw.handle(), roundLikeReference(raw.minD()), raw.candidates())
                : raw;
    }

    /**
     * The candidate set of a strategy, in enumeration order, for a grid of {@code gridH x gridW}.
     * Pure: the tests and the UI (to draw the search region) use it.
     */
    public static List<GridPoint> candidates(TrackingStrategy strategy, GridPoint handle, GridPoint target,
            int radius, int gridH, int gridW) {
        if (strategy == TrackingStrategy.LINEAR) {
            return lineCandidates(handle, target, radius, gridH, gridW);
        }
        requireIntegral(strategy, handle);
        if (strategy == TrackingStrategy.ANGLE_CLOSER && handle.distanceTo(target) < 1) {
            // the reference skips the point (:59-60) and drops its minD (§16.3); we keep the handle
            // as the only candidate, so it still reports a distance and the per-point lists stay aligned
            return List.of(handle);
        }
        int pr = (int) handle.row();
        int pc = (int) handle.col();
        List<GridPoint> out = new ArrayList<>();
        for (int r = Math.max(0, pr - radius); r < Math.min(gridH, pr + radius + 1); r++) {
            for (int c = Math.max(0, pc - radius); c < Math.min(gridW, pc + radius + 1); c++) {
                GridPoint q = new GridPoint(r, c);
                if (admits(strategy, handle, target, q)) {
                    out.add(q);
                }
            }
        }
        // only an angle-closer cone can come out empty (a target off the grid): keep the handle,
        // where the reference would fail on the min of an empty tensor
        return out.isEmpty() ? List.of(handle) : out;
    }

    /**
     * Python's {@code round(x, 2)} on the float32 distance, as the reference reports minD
     * ({@code round(all_dist.min().item(), 2)}, DL:utils/drag_utils_lora.py:78): the exact binary
     * value rounded half to even, so 0.125 -> 0.12 and 2.675 (stored as 2.67499...) -> 2.67.
     */
    public static double roundLikeReference(double value) {
        if (!Double.isFinite(value)) {
            return value;
        }
        return new BigDecimal(value).setScale(2, RoundingMode.HALF_EVEN).doubleValue();
    }

    private static boolean admits(TrackingStrategy strategy, GridPoint p, GridPoint t, GridPoint q) {
        switch (strategy) {
            case SQUARE:
                return true;
            case DISTANCE_CLOSER: {
                // ||q - t|| <= ||p - t|| (:70-72); squared distances of integer points are exact
                double qr = q.row() - t.row();
                double qc = q.col() - t.col();
                double pr = p.row() - t.row();
                double pc = p.col() - t.col();
                return qr * qr + qc * qc <= pr * pr + pc * pc;
            }
            case ANGLE_CLOSER: {
                double dist = p.distanceTo(t);
                double vr = q.row() - p.row();
                double vc = q.col() - p.col();
                double vn = Math.sqrt(vr * vr + vc * vc) + CONE_EPS;
                double cos = (vr / vn) * ((t.row() - p.row()) / dist) + (vc / vn) * ((t.col() - p.col()) / dist);
                return cos >= COS_30; // (:62-66); p itself has cos 0
            }
            default:
                throw new IllegalArgumentException("not a window strategy: " + strategy);
        }
    }

    private static List<GridPoint> lineCandidates(GridPoint p, GridPoint t, int radius, int gridH, int gridW) {
        DragGeometry grid = new DragGeometry(gridH, gridW, gridH, gridW);
        double dist = p.distanceTo(t);
        List<GridPoint> out = new ArrayList<>();
        out.add(p);
        if (dist == 0) {
            return out;
        }
        double ur = (t.row() - p.row()) / dist;
        double uc = (t.col() - p.col()) / dist;
        for (int k = 1; k <= radius; k++) {
            GridPoint q = k >= dist ? t : new GridPoint(p.row() + k * ur, p.col() + k * uc);
            if (!grid.contains(q)) {
                break; // clipped at the border like the windows (a target off the grid)
            }
            out.add(q);
            if (k >= dist) {
                break;
            }
        }
        return out;
    }

    private static TrackResult trackWindow(NDArray ref, NDArray features, GridPoint p, GridPoint t,
            TrackingSettings s, int h, int w) {
        requireIntegral(s.strategy(), p);
        int pr = (int) p.row();
        int pc = (int) p.col();
        int r1 = Math.max(0, pr - s.radius());
        int r2 = Math.min(h, pr + s.radius() + 1);
        int c1 = Math.max(0, pc - s.radius());
        int c2 = Math.min(w, pc + s.radius() + 1);
        float[] dist;
        try (NDManager scratch = features.getManager().newSubManager()) {
            NDArray f = borrowDetached(features, scratch);
            // (1, C, H, W) or (C, H, W) -> (C, H, W), then the window (C, r2-r1, c2-c1)
            NDArray window = f.reshape(FeatureSampling.chwShape(f)).get(":, {}:{}, {}:{}", r1, r2, c1, c2);
            NDArray v = borrowDetached(ref, scratch).reshape(ref.getShape().get(0), 1, 1); // (C) -> (C, 1, 1)
            dist = toHost(reduce(window.sub(v).abs(), s.reduction())); // (h, w), row-major
        }
        List<GridPoint> cands = candidates(s.strategy(), p, t, s.radius(), h, w);
        int width = c2 - c1;
        double[] d = new double[cands.size()];
        for (int i = 0; i < d.length; i++) {
            GridPoint q = cands.get(i);
            d[i] = dist[((int) q.row() - r1) * width + ((int) q.col() - c1)];
        }
        return pick(cands, d, p);
    }

    private static TrackResult trackLinear(NDArray ref, NDArray features, GridPoint p, GridPoint t,
            TrackingSettings s) {
        Shape chw = FeatureSampling.chwShape(features);
        List<GridPoint> cands = lineCandidates(p, t, s.radius(), Math.toIntExact(chw.get(1)),
                Math.toIntExact(chw.get(2)));
        double[] rows = new double[cands.size()];
        double[] cols = new double[cands.size()];
        for (int i = 0; i < rows.length; i++) {
            rows[i] = cands.get(i).row();
            cols[i] = cands.get(i).col();
        }
        float[] dist;
        try (NDManager scratch = features.getManager().newSubManager()) {
            NDArray sampled = FeatureSampling.sample(borrowDetached(features, scratch), rows, cols); // (C, K)
            NDArray v = borrowDetached(ref, scratch).reshape(ref.getShape().get(0), 1); // (C) -> (C, 1)
            dist = toHost(reduce(sampled.sub(v).abs(), s.reduction())); // (K)
        }
        double[] d = new double[dist.length];
        for (int i = 0; i < d.length; i++) {
            d[i] = dist[i];
        }
        return pick(cands, d, p);
    }

    private static TrackResult pick(List<GridPoint> cands, double[] d, GridPoint p) {
        int best = 0;
        for (int i = 0; i < d.length; i++) {
            if (Double.isNaN(d[i])) {
                throw new IllegalStateException("feature distance is NaN at candidate " + cands.get(i)
                        + " while tracking handle " + p);
            }
            if (d[i] < d[best]) { // strict: the first minimum wins, as argmin does
                best = i;
            }
        }
        return new TrackResult(cands.get(best), d[best], cands.size());
    }

    private static NDArray reduce(NDArray absDiff, DistanceReduction reduction) {
        return reduction == DistanceReduction.MEAN ? absDiff.mean(new int[] {0}) : absDiff.sum(new int[] {0});
    }

    private static float[] toHost(NDArray a) {
        NDArray f = a.getDataType() == DataType.FLOAT32 ? a : a.toType(DataType.FLOAT32, false);
        return f.toFloatArray();
    }

    private static NDArray borrowDetached(NDArray a, NDManager scratch) {
        NDArray view = a.stopGradient();
        view.attach(scratch);
        return view;
    }

    private static void requireIntegral(TrackingStrategy strategy, GridPoint handle) {
        if (!handle.isIntegral()) {
            throw new IllegalArgumentException(strategy + " tracking needs an integer-valued handle, got " + handle
                    + " (only LINEAR tracks from fractional positions)");
        }
    }
}
