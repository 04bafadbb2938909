package org.draglora.engine.drag;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import java.util.List;
import java.util.Random;
import org.draglora.engine.runtime.EngineRuntime;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The drag loss of ALGORITHM.md §5.3 against a direct transcription of the reference formula. */
class MotionSupervisionTest {

    private static final int C = 3;
    private static final int H = 10;
    private static final int W = 12;

    private NDManager manager;

    @BeforeEach
    void start() {
        manager = EngineRuntime.cpu().newManager();
    }

    @AfterEach
    void close() {
        manager.close();
    }

    private static GridPoint p(double row, double col) {
        return new GridPoint(row, col);
    }

    private static float[] random(long seed) {
        Random r = new Random(seed);
        float[] v = new float[C * H * W];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) r.nextGaussian();
        }
        return v;
    }

    private static double at(float[] f, int c, int y, int x) {
        return f[(c * H + y) * W + x];
    }

    /**
     * The reference for an interior integer handle, transcribed: P0 = F0[r1:r2, c1:c2], P1 =
     * interpolate_feature_patch(F1, r1 + d_r, r2 + d_r, c1 + d_c, c2 + d_c),
     * 9 * l1_loss(P0, P1) (DL:utils/drag_utils_lora.py:93-116, 245-250).
     */
    private static double referenceLoss(float[] f0, GridPoint p0, float[] f1, GridPoint p, GridPoint t) {
        double dist = Math.sqrt(Math.pow(t.row() - p.row(), 2) + Math.pow(t.col() - p.col(), 2));
        double dr = (t.row() - p.row()) / dist;
        double dc = (t.col() - p.col()) / dist;
        int r1 = (int) p.row() - 1;
        int c1 = (int) p.col() - 1;
        double y1 = r1 + dr;
        double x1 = c1 + dc;
        int fy = (int) Math.floor(y1);
        int fx = (int) Math.floor(x1);
        double wa = (fx + 1 - x1) * (fy + 1 - y1);
        double wb = (fx + 1 - x1) * (y1 - fy);
        double wc = (x1 - fx) * (fy + 1 - y1);
        double wd = (x1 - fx) * (y1 - fy);
        int q1 = (int) p0.row() - 1;
        int s1 = (int) p0.col() - 1;
        double sum = 0;
        for (int c = 0; c < C; c++) {
            for (int i = 0; i < 3; i++) {
                for (int j = 0; j < 3; j++) {
                    double v1 = at(f1, c, fy + i, fx + j) * wa + at(f1, c, fy + 1 + i, fx + j) * wb
                            + at(f1, c, fy + i, fx + 1 + j) * wc + at(f1, c, fy + 1 + i, fx + 1 + j) * wd;
                    sum += Math.abs(at(f0, c, q1 + i, s1 + j) - v1);
                }
            }
        }
        return 9 * sum / (C * 9);
    }

    /** Bilinear sampling at the coordinate clamped into the map (replicate border), from the definition. */
    private static double clampedSample(float[] f, int c, double y, double x) {
        double cy = Math.max(0, Math.min(H - 1, y));
        double cx = Math.max(0, Math.min(W - 1, x));
        int y0 = (int) Math.floor(cy);
        int x0 = (int) Math.floor(cx);
        int y1 = Math.min(y0 + 1, H - 1);
        int x1 = Math.min(x0 + 1, W - 1);
        double ay = cy - y0;
        double ax = cx - x0;
        return (1 - ay) * ((1 - ax) * at(f, c, y0, x0) + ax * at(f, c, y0, x1))
                + ay * ((1 - ax) * at(f, c, y1, x0) + ax * at(f, c, y1, x1));
    }

    private static double clampedLoss(float[] f0, GridPoint p0, float[] f1, GridPoint p, GridPoint t) {
        double dist = p.distanceTo(t);
        double dr = (t.row() - p.row()) / dist;
        double dc = (t.col() - p.col()) / dist;
        double sum = 0;
        for (int c = 0; c < C; c++) {
            for (int i = -1; i <= 1; i++) {
                for (int j = -1; j <= 1; j++) {
                    double ref = clampedSample(f0, c, p0.row() + i, p0.col() + j);
                    sum += Math.abs(ref - clampedSample(f1, c, p.row() + dr + i, p.col() + dc + j));
                }
            }
        }
        return sum / C;
    }

    private NDArray map(float[] f) {
        return manager.create(f, new Shape(1, C, H, W));
    }

    @Test
    void interiorLossEqualsTheReferenceFormula() {
        float[] f0 = random(1);
        float[] f1 = random(2);
        NDArray m0 = map(f0);
        NDArray m1 = map(f1);
        GridPoint[][] cases = {{p(4, 5), p(4, 5), p(8, 2)}, {p(3, 3), p(5, 6), p(1, 10)}, {p(6, 7), p(5, 5), p(5, 0)},
                {p(2, 2), p(7, 8), p(7, 8.0 + 5)}};
        for (GridPoint[] k : cases) {
            GridPoint p0 = k[0];
            GridPoint hp = k[1];
            GridPoint t = k[2];
            NDArray patch = MotionSupervision.referencePatch(m0, p0);
            MotionSupervision.Result r = MotionSupervision.dragLoss(m1, List.of(patch), List.of(hp), List.of(t));
            double want = referenceLoss(f0, p0, f1, hp, t);
            assertEquals(want, r.loss().getFloat(), 1e-5 * Math.max(1, want), "case p0 " + p0 + " p " + hp + " t " + t);
            assertEquals(want, r.perPoint()[0], 1e-5 * Math.max(1, want));
            double dist = hp.distanceTo(t);
            GridPoint expected = r.expected().get(0);
            assertEquals(hp.row() + (t.row() - hp.row()) / dist, expected.row(), 1e-12);
            assertEquals(hp.col() + (t.col() - hp.col()) / dist, expected.col(), 1e-12);
        }
    }

    @Test
    void lossSumsOverPointsAndSkipsPointsNearTheirTarget() {
        float[] f0 = random(3);
        float[] f1 = random(4);
        NDArray m0 = map(f0);
        NDArray m1 = map(f1);
        List<GridPoint> handles = List.of(p(4, 5), p(6, 6), p(3, 8));
        List<GridPoint> targets = List.of(p(8, 2), p(7, 7), p(3, 1)); // the second is sqrt(2) < 2 away
        List<NDArray> refs = List.of(MotionSupervision.referencePatch(m0, handles.get(0)),
                MotionSupervision.referencePatch(m0, handles.get(1)),
                MotionSupervision.referencePatch(m0, handles.get(2)));
        MotionSupervision.Result r = MotionSupervision.dragLoss(m1, refs, handles, targets);
        double l0 = referenceLoss(f0, handles.get(0), f1, handles.get(0), targets.get(0));
        double l2 = referenceLoss(f0, handles.get(2), f1, handles.get(2), targets.get(2));
        assertArrayEquals(new double[] {l0, 0, l2}, r.perPoint(), 1e-5);
        assertEquals(l0 + l2, r.loss().getFloat(), 1e-5);
        assertEquals(p(7, 7), r.expected().get(1), "a skipped point expects its target");
        assertEquals(p(3, 7), r.expected().get(2));
        // exactly 2 away is not skipped (the test is < 2)
        MotionSupervision.Result two = MotionSupervision.dragLoss(m1, refs.subList(0, 1), List.of(p(4, 5)),
                List.of(p(4, 7)));
        assertTrue(two.perPoint()[0] > 0);
        assertEquals(p(4, 6), two.expected().get(0));
    }

    @Test
    void everyPointSkippedGivesAConstantZero() {
        NDArray m1 = map(random(5));
        NDArray patch = MotionSupervision.referencePatch(m1, p(3, 3));
        MotionSupervision.Result r = MotionSupervision.dragLoss(m1, List.of(patch), List.of(p(3, 3)), List.of(p(4, 4)));
        assertEquals(new Shape(), r.loss().getShape());
        assertEquals(0f, r.loss().getFloat());
        assertEquals(List.of(p(4, 4)), r.expected());
    }

    @Test
    void borderAndCornerHandlesUseReplicateClampedPatches() {
        float[] f0 = random(6);
        float[] f1 = random(7);
        NDArray m0 = map(f0);
        NDArray m1 = map(f1);
        GridPoint[] corners = {p(0, 0), p(0, W - 1), p(H - 1, 0), p(H - 1, W - 1), p(0, 5), p(H - 1, 6), p(4, 0),
                p(5, W - 1)};
        GridPoint[] targets = {p(-6, -3), p(5, 5), p(H + 3, -4), p(2, 2), p(-5, 5), p(H + 5, 6), p(4, -8),
                p(5, W + 8)};
        for (GridPoint corner : corners) {
            for (GridPoint t : targets) {
                if (corner.distanceTo(t) < 2) {
                    continue;
                }
                NDArray patch = MotionSupervision.referencePatch(m0, corner);
                assertEquals(new Shape(C, 3, 3), patch.getShape());
                MotionSupervision.Result r =
                        MotionSupervision.dragLoss(m1, List.of(patch), List.of(corner), List.of(t));
                double want = clampedLoss(f0, corner, f1, corner, t);
                assertEquals(want, r.perPoint()[0], 1e-5, "handle " + corner + " target " + t);
            }
        }
        // the corner patch replicates the corner pixel for the offsets outside the map
        float[] patch = MotionSupervision.referencePatch(m0, p(0, 0)).toFloatArray();
        for (int c = 0; c < C; c++) {
            float corner = (float) at(f0, c, 0, 0);
            assertEquals(corner, patch[c * 9], 0f);
            assertEquals(corner, patch[c * 9 + 1], 0f);
            assertEquals(corner, patch[c * 9 + 4], 0f);
            assertEquals((float) at(f0, c, 1, 1), patch[c * 9 + 8], 0f);
        }
    }

    @Test
    void referenceVectorIsTheFeatureAtThePoint() {
        float[] f = random(8);
        NDArray v = MotionSupervision.referenceVector(map(f), p(3, 7));
        assertEquals(new Shape(C), v.getShape());
        float[] got = v.toFloatArray();
        for (int c = 0; c < C; c++) {
            assertEquals((float) at(f, c, 3, 7), got[c], 0f);
        }
    }

    @Test
    void gradientReachesTheCurrentFeaturesOnly() {
        float[] f0 = random(9);
        float[] f1 = random(10);
        NDArray m1 = manager.create(f1, new Shape(C, H, W)).toType(DataType.FLOAT64, false);
        NDArray ref = MotionSupervision.referencePatch(map(f0), p(4, 5)).toType(DataType.FLOAT64, false);
        m1.setRequiresGradient(true);
        ref.setRequiresGradient(true);
        GridPoint hp = p(4, 5);
        GridPoint t = p(8, 2);
        try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
            MotionSupervision.Result r = MotionSupervision.dragLoss(m1, List.of(ref), List.of(hp), List.of(t));
            gc.backward(r.loss());
        }
        double[] grad = m1.getGradient().toDoubleArray();
        for (double g : ref.getGradient().toType(DataType.FLOAT64, false).toDoubleArray()) {
            assertEquals(0.0, g, "no gradient reaches the reference patch");
        }
        // analytic: L = (1/C) sum |P0 - P1|, P1 = sum of corner weights times F1
        double[] want = new double[C * H * W];
        double y1 = 3 + 0.8;
        double x1 = 4 - 0.6;
        int fy = 3;
        int fx = 3;
        double ay = y1 - fy;
        double ax = x1 - fx;
        float[] p0 = ref.toType(DataType.FLOAT32, false).toFloatArray();
        for (int c = 0; c < C; c++) {
            for (int i = 0; i < 3; i++) {
                for (int j = 0; j < 3; j++) {
                    double v1 = (1 - ax) * (1 - ay) * at(f1, c, fy + i, fx + j)
                            + (1 - ax) * ay * at(f1, c, fy + 1 + i, fx + j)
                            + ax * (1 - ay) * at(f1, c, fy + i, fx + 1 + j)
                            + ax * ay * at(f1, c, fy + 1 + i, fx + 1 + j);
                    double s = Math.signum(v1 - p0[c * 9 + i * 3 + j]) / C;
                    want[(c * H + fy + i) * W + fx + j] += s * (1 - ax) * (1 - ay);
                    want[(c * H + fy + 1 + i) * W + fx + j] += s * (1 - ax) * ay;
                    want[(c * H + fy + i) * W + fx + 1 + j] += s * ax * (1 - ay);
                    want[(c * H + fy + 1 + i) * W + fx + 1 + j] += s * ax * ay;
                }
            }
        }
        assertArrayEquals(want, grad, 1e-6);
    }

    @Test
    void dragDiffusionDetachesItsOwnPatch() {
        float[] f1 = random(11);
        NDArray a = manager.create(f1, new Shape(1, C, H, W)).toType(DataType.FLOAT64, false);
        NDArray b = manager.create(f1, new Shape(1, C, H, W)).toType(DataType.FLOAT64, false);
        a.setRequiresGradient(true);
        b.setRequiresGradient(true);
        List<GridPoint> handles = List.of(p(4, 5), p(0, W - 1));
        List<GridPoint> targets = List.of(p(8, 2), p(6, 3));
        double viaDd;
        double viaPatch;
        try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
            MotionSupervision.Result r = MotionSupervision.dragDiffusionLoss(a, handles, targets, 1, 2.0);
            viaDd = r.loss().getDouble();
            gc.backward(r.loss());
        }
        try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
            List<NDArray> refs = List.of(MotionSupervision.referencePatch(b, handles.get(0)),
                    MotionSupervision.referencePatch(b, handles.get(1)));
            MotionSupervision.Result r = MotionSupervision.dragLoss(b, refs, handles, targets);
            viaPatch = r.loss().getDouble();
            gc.backward(r.loss());
        }
        assertEquals(viaPatch, viaDd, 1e-12);
        assertArrayEquals(b.getGradient().toDoubleArray(), a.getGradient().toDoubleArray(), 1e-12);
    }

    @Test
    void widerPatchesUseTheSameFormula() {
        float[] f = random(12);
        NDArray m = map(f);
        NDArray patch = MotionSupervision.referencePatch(m, p(5, 6), 2);
        assertEquals(new Shape(C, 5, 5), patch.getShape());
        MotionSupervision.Result r =
                MotionSupervision.dragLoss(m, List.of(patch), List.of(p(5, 6)), List.of(p(5, 10)), 2, 2.0);
        // shifting by one column: P1 is the 5x5 block one to the right; L = 25 * mean|P0 - P1|
        double sum = 0;
        for (int c = 0; c < C; c++) {
            for (int i = -2; i <= 2; i++) {
                for (int j = -2; j <= 2; j++) {
                    sum += Math.abs(at(f, c, 5 + i, 6 + j) - at(f, c, 5 + i, 7 + j));
                }
            }
        }
        assertEquals(sum / C, r.perPoint()[0], 1e-5);
    }

    @Test
    void badInputsAreRejected() {
        NDArray m = map(random(13));
        NDArray patch = MotionSupervision.referencePatch(m, p(3, 3));
        assertThrows(IllegalArgumentException.class,
                () -> MotionSupervision.dragLoss(m, List.of(patch, patch), List.of(p(3, 3)), List.of(p(8, 8))));
        assertThrows(IllegalArgumentException.class,
                () -> MotionSupervision.dragLoss(m, List.of(patch), List.of(p(H, 3)), List.of(p(8, 8))));
        assertThrows(IllegalArgumentException.class, () -> MotionSupervision.dragLoss(m,
                List.of(MotionSupervision.referencePatch(m, p(3, 3), 2)), List.of(p(3, 3)), List.of(p(8, 8))));
        assertThrows(IllegalArgumentException.class,
                () -> MotionSupervision.referencePatch(m, p(-1, 3)));
    }
}
