package org.draglora.engine.drag;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import org.draglora.engine.nn.Ops;

/**
 * Sub-pixel sampling of a feature map at arbitrary grid positions: bilinear, with replicate-border
 * clamping, differentiable with respect to the features (not the positions).
 *
 * <p>The value at {@code (y, x)} is the reference's 4-corner formula of
 * {@code interpolate_feature_patch} (ALGORITHM.md §5.3, DL:utils/drag_utils_lora.py:93-116):
 * {@code (1-ax)(1-ay) F[fy, fx] + (1-ax) ay F[fy+1, fx] + ax (1-ay) F[fy, fx+1] + ax ay F[fy+1, fx+1]}
 * with {@code fy = floor(y)}, {@code ay = y - fy}. Every corner index is clamped into the map, which
 * equals sampling at the coordinate clamped into {@code [0, H-1] x [0, W-1]} (replicate border);
 * inside the map the formula is untouched. The reference instead slices with unclamped indices and
 * breaks near borders (ALGORITHM.md §16.1-2). At an integer position the result is exactly
 * {@code F[:, y, x]} (the other weights are 0).
 *
 * <p>Indices and weights are computed on the host; the features are read with one {@code gather}.
 */
final class FeatureSampling {

    private FeatureSampling() {}

    /**
     * Samples {@code features} at the N positions {@code (rows[n], cols[n])}. Shapes: features
     * (C, H, W) or (1, C, H, W) -> (C, N). The result belongs to the features' manager.
     */
    static NDArray sample(NDArray features, double[] rows, double[] cols) {
        if (rows.length != cols.length || rows.length == 0) {
            throw new IllegalArgumentException("need as many rows as cols (and at least one), got " + rows.length
                    + " and " + cols.length);
        }
        Shape s = chwShape(features);
        long c = s.get(0);
        int h = Math.toIntExact(s.get(1));
        int w = Math.toIntExact(s.get(2));
        int n = rows.length;
        long[] index = new long[4 * n];
        float[] weight = new float[4 * n];
        for (int i = 0; i < n; i++) {
            if (!Double.isFinite(rows[i]) || !Double.isFinite(cols[i])) {
                throw new IllegalArgumentException("sample position " + i + " is not finite: (" + rows[i] + ", "
                        + cols[i] + ")");
            }
            double fy = Math.floor(rows[i]);
            double fx = Math.floor(cols[i]);
            double ay = rows[i] - fy;
            double ax = cols[i] - fx;
            long y0 = clamp(fy, h);
            long y1 = clamp(fy + 1, h);
            long x0 = clamp(fx, w);
            long x1 = clamp(fx + 1, w);
            // corner order of the reference: Ia (fy, fx), Ib (fy+1, fx), Ic (fy, fx+1), Id (fy+1, fx+1)
            index[4 * i] = y0 * w + x0;
            index[4 * i + 1] = y1 * w + x0;
            index[4 * i + 2] = y0 * w + x1;
            index[4 * i + 3] = y1 * w + x1;
            weight[4 * i] = (float) ((1 - ax) * (1 - ay));
            weight[4 * i + 1] = (float) ((1 - ax) * ay);
            weight[4 * i + 2] = (float) (ax * (1 - ay));
            weight[4 * i + 3] = (float) (ax * ay);
        }
        return Ops.scoped(features, f -> {
            NDManager m = f.getManager();
            NDArray flat = f.reshape(c, (long) h * w); // (C, H, W) or (1, C, H, W) -> (C, H*W)
            NDArray idx = Ops.owned(m.create(index, new Shape(1, 4L * n))).repeat(0, c); // (1, 4N) -> (C, 4N)
            NDArray wts = Ops.owned(m.create(weight, new Shape(1, 4L * n)));
            if (f.getDataType() != DataType.FLOAT32) {
                wts = wts.toType(f.getDataType(), false);
            }
            // (C, 4N) -> (C, N, 4) -> sum over the corners -> (C, N)
            return flat.gather(idx, 1).mul(wts).reshape(c, n, 4).sum(new int[] {2});
        });
    }

    /** The (C, H, W) shape of a map given as (C, H, W) or (1, C, H, W). */
    static Shape chwShape(NDArray features) {
        Shape s = features.getShape();
        if (s.dimension() == 3) {
            return s;
        }
        if (s.dimension() == 4 && s.get(0) == 1) {
            return new Shape(s.get(1), s.get(2), s.get(3));
        }
        throw new IllegalArgumentException("a feature map must be (C, H, W) or (1, C, H, W), got " + s);
    }

    private static long clamp(double v, int size) {
        return (long) Math.max(0, Math.min(size - 1, v));
    }
}
