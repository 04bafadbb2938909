package org.draglora.engine.drag;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.draglora.engine.drag.PointTracking.TrackResult;
import org.draglora.engine.runtime.EngineRuntime;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Candidate sets and the feature search of EPT (ALGORITHM.md §8) with hand-made feature maps. */
class PointTrackingTest {

    private static final int C = 4;
    private static final int H = 16;
    private static final int W = 20;

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

    private static Set<GridPoint> offsets(GridPoint base, int[][] deltas) {
        Set<GridPoint> out = new HashSet<>();
        for (int[] d : deltas) {
            out.add(base.plus(d[0], d[1]));
        }
        return out;
    }

    private static List<GridPoint> cands(TrackingStrategy s, GridPoint handle, GridPoint target) {
        return PointTracking.candidates(s, handle, target, 3, H, W);
    }

    private static TrackingSettings settings(TrackingStrategy s, DistanceReduction r, boolean round) {
        return new TrackingSettings(s, r, 3, round);
    }

    /** Random features in [2, 3] per element (far from any planted vector), (C, H, W) row-major. */
    private static float[] background(long seed) {
        Random r = new Random(seed);
        float[] f = new float[C * H * W];
        for (int i = 0; i < f.length; i++) {
            f[i] = 2 + r.nextFloat();
        }
        return f;
    }

    private static void plant(float[] f, int row, int col, float[] vector) {
        for (int c = 0; c < C; c++) {
            f[(c * H + row) * W + col] = vector[c];
        }
    }

    private static final float[] REF = {0.1f, -0.2f, 0.3f, 0.0f};

    private NDArray ref() {
        return manager.create(REF);
    }

    private NDArray map(float[] f) {
        return manager.create(f, new Shape(C, H, W));
    }

    // ---- candidate sets ----

    @Test
    void squareIsTheClippedWindowInRowMajorOrder() {
        List<GridPoint> interior = cands(TrackingStrategy.SQUARE, p(8, 10), p(0, 0));
        assertEquals(49, interior.size());
        assertEquals(p(5, 7), interior.get(0));
        assertEquals(p(5, 8), interior.get(1));
        assertEquals(p(11, 13), interior.get(48));
        assertEquals(16, cands(TrackingStrategy.SQUARE, p(0, 0), p(5, 5)).size());
        assertEquals(16, cands(TrackingStrategy.SQUARE, p(0, W - 1), p(5, 5)).size());
        assertEquals(16, cands(TrackingStrategy.SQUARE, p(H - 1, 0), p(5, 5)).size());
        assertEquals(16, cands(TrackingStrategy.SQUARE, p(H - 1, W - 1), p(5, 5)).size());
        List<GridPoint> top = cands(TrackingStrategy.SQUARE, p(0, 10), p(5, 5));
        assertEquals(28, top.size()); // rows 0..3, cols 7..13
        assertEquals(p(0, 7), top.get(0));
        assertEquals(p(3, 13), top.get(27));
        assertEquals(4 * 7, cands(TrackingStrategy.SQUARE, p(H - 1, 10), p(5, 5)).size());
        assertEquals(7 * 5, cands(TrackingStrategy.SQUARE, p(8, 1), p(5, 5)).size());
    }

    @Test
    void distanceCloserKeepsPointsNoFartherFromTheTarget() {
        // p = (10, 10), t = (10, 13): the disc of radius 3 around t, cut by the window (cols <= 13)
        GridPoint hp = p(10, 10);
        List<GridPoint> got = cands(TrackingStrategy.DISTANCE_CLOSER, hp, p(10, 13));
        Set<GridPoint> want = new HashSet<>();
        want.add(hp);
        for (int r = 8; r <= 12; r++) {
            want.add(p(r, 11));
            want.add(p(r, 12));
        }
        for (int r = 7; r <= 13; r++) {
            want.add(p(r, 13));
        }
        assertEquals(want, new HashSet<>(got));
        assertEquals(18, got.size());
        assertEquals(p(7, 13), got.get(0));
        assertTrue(got.contains(hp), "the handle itself is always a candidate");
    }

    @Test
    void distanceCloserAtEveryCorner() {
        // (0, 0) toward (0, 5): r^2 + (c-5)^2 <= 25 within rows 0..3, cols 0..3
        Set<GridPoint> want = offsets(p(0, 0), new int[][] {{0, 0}, {0, 1}, {0, 2}, {0, 3}, {1, 1}, {1, 2}, {1, 3},
                {2, 1}, {2, 2}, {2, 3}, {3, 1}, {3, 2}, {3, 3}});
        assertEquals(want, new HashSet<>(cands(TrackingStrategy.DISTANCE_CLOSER, p(0, 0), p(0, 5))));
        // the mirror images at the other corners
        GridPoint tr = p(0, W - 1);
        Set<GridPoint> wantTr = new HashSet<>();
        for (GridPoint q : want) {
            wantTr.add(p(q.row(), W - 1 - q.col()));
        }
        assertEquals(wantTr, new HashSet<>(cands(TrackingStrategy.DISTANCE_CLOSER, tr, p(0, W - 6))));
        Set<GridPoint> wantBl = new HashSet<>();
        for (GridPoint q : want) {
            wantBl.add(p(H - 1 - q.row(), q.col()));
        }
        assertEquals(wantBl, new HashSet<>(cands(TrackingStrategy.DISTANCE_CLOSER, p(H - 1, 0), p(H - 1, 5))));
        Set<GridPoint> wantBr = new HashSet<>();
        for (GridPoint q : want) {
            wantBr.add(p(H - 1 - q.row(), W - 1 - q.col()));
        }
        assertEquals(wantBr,
                new HashSet<>(cands(TrackingStrategy.DISTANCE_CLOSER, p(H - 1, W - 1), p(H - 1, W - 6))));
        // a target at the handle: only the handle itself qualifies
        assertEquals(List.of(p(0, 0)), cands(TrackingStrategy.DISTANCE_CLOSER, p(0, 0), p(0, 0)));
    }

    @Test
    void angleCloserIsTheThirtyDegreeConeWithoutTheHandle() {
        GridPoint hp = p(8, 10);
        assertEquals(offsets(hp, new int[][] {{0, 1}, {-1, 2}, {0, 2}, {1, 2}, {-1, 3}, {0, 3}, {1, 3}}),
                new HashSet<>(cands(TrackingStrategy.ANGLE_CLOSER, hp, p(8, 19))));
        assertEquals(offsets(hp, new int[][] {{-1, 0}, {-2, -1}, {-2, 0}, {-2, 1}, {-3, -1}, {-3, 0}, {-3, 1}}),
                new HashSet<>(cands(TrackingStrategy.ANGLE_CLOSER, hp, p(0, 10))));
        // diagonal: (2,1) at 18.4°, (3,1) at 26.6°; (1,0) at 45° and (3,0) at 45° are out
        assertEquals(offsets(hp, new int[][] {{1, 1}, {1, 2}, {2, 1}, {2, 2}, {1, 3}, {3, 1}, {2, 3}, {3, 2}, {3, 3}}),
                new HashSet<>(cands(TrackingStrategy.ANGLE_CLOSER, hp, p(14, 16))));
        assertFalse(cands(TrackingStrategy.ANGLE_CLOSER, hp, p(8, 19)).contains(hp));
    }

    @Test
    void angleCloserAtBordersAndCorners() {
        // (0, W-1) toward straight down: (1,0), (2,-1), (2,0), (3,-1), (3,0); the +1 column is off the grid
        GridPoint tr = p(0, W - 1);
        assertEquals(offsets(tr, new int[][] {{1, 0}, {2, -1}, {2, 0}, {3, -1}, {3, 0}}),
                new HashSet<>(cands(TrackingStrategy.ANGLE_CLOSER, tr, p(8, W - 1))));
        // (H-1, 0) toward the upper right diagonal
        GridPoint bl = p(H - 1, 0);
        assertEquals(offsets(bl, new int[][] {{-1, 1}, {-1, 2}, {-2, 1}, {-2, 2}, {-1, 3}, {-3, 1}, {-2, 3}, {-3, 2},
                {-3, 3}}), new HashSet<>(cands(TrackingStrategy.ANGLE_CLOSER, bl, p(H - 7, 6))));
        // a cone that points off the grid is empty: the handle stays
        assertEquals(List.of(p(0, 0)), cands(TrackingStrategy.ANGLE_CLOSER, p(0, 0), p(-5, -5)));
        assertEquals(List.of(p(H - 1, W - 1)), cands(TrackingStrategy.ANGLE_CLOSER, p(H - 1, W - 1), p(H + 4, W + 4)));
        // ||t - p|| < 1: the handle is the only candidate (the reference skips the point, §16.3)
        assertEquals(List.of(p(5, 5)), cands(TrackingStrategy.ANGLE_CLOSER, p(5, 5), p(5, 5)));
    }

    @Test
    void linearCandidatesAreUnitStepsTowardTheTarget() {
        assertEquals(List.of(p(10, 10), p(10, 11), p(10, 12), p(10, 13)),
                cands(TrackingStrategy.LINEAR, p(10, 10), p(10, 19)));
        // ||t-p|| = sqrt(5) = 2.24: p, p + u, p + 2u, then t (k = 3 would overshoot)
        List<GridPoint> diag = cands(TrackingStrategy.LINEAR, p(10, 10), p(12, 11));
        assertEquals(4, diag.size());
        assertEquals(p(10, 10), diag.get(0));
        assertEquals(10 + 2 / Math.sqrt(5), diag.get(1).row(), 1e-12);
        assertEquals(10 + 1 / Math.sqrt(5), diag.get(1).col(), 1e-12);
        assertEquals(10 + 4 / Math.sqrt(5), diag.get(2).row(), 1e-12);
        assertEquals(p(12, 11), diag.get(3), "the target itself ends the list once within reach");
        assertEquals(List.of(p(10, 10), p(10, 11)), cands(TrackingStrategy.LINEAR, p(10, 10), p(10, 11)));
        assertEquals(List.of(p(3, 3)), cands(TrackingStrategy.LINEAR, p(3, 3), p(3, 3)));
        // a target off the grid: the line stops at the border
        assertEquals(List.of(p(1, 5), p(0, 5)), cands(TrackingStrategy.LINEAR, p(1, 5), p(-6, 5)));
        assertEquals(List.of(p(H - 1, 5)), cands(TrackingStrategy.LINEAR, p(H - 1, 5), p(H + 6, 5)));
    }

    // ---- the search ----

    @Test
    void squareFindsThePlantedVectorAnywhereInTheWindow() {
        float[] f = background(1);
        plant(f, 5, 13, REF);
        TrackResult r = PointTracking.track(ref(), map(f), p(8, 10), p(8, 10),
                settings(TrackingStrategy.SQUARE, DistanceReduction.MEAN, true));
        assertEquals(p(5, 13), r.handle());
        assertEquals(0.0, r.minD());
        assertEquals(49, r.candidates());
    }

    @Test
    void distanceCloserIgnoresABetterMatchBehindTheHandle() {
        float[] f = background(2);
        plant(f, 8, 8, REF); // behind: farther from the target (8, 19)
        float[] near = {0.6f, 0.3f, 0.8f, 0.5f}; // 0.5 from REF in every channel
        plant(f, 9, 12, near);
        NDArray map = map(f);
        TrackResult closer = PointTracking.track(ref(), map, p(8, 10), p(8, 19),
                settings(TrackingStrategy.DISTANCE_CLOSER, DistanceReduction.MEAN, true));
        assertEquals(p(9, 12), closer.handle());
        assertEquals(0.5, closer.minD(), 1e-6);
        TrackResult square = PointTracking.track(ref(), map, p(8, 10), p(8, 19),
                settings(TrackingStrategy.SQUARE, DistanceReduction.MEAN, true));
        assertEquals(p(8, 8), square.handle());
    }

    @Test
    void trackingWorksAtEveryCorner() {
        int[][] corners = {{0, 0}, {0, W - 1}, {H - 1, 0}, {H - 1, W - 1}};
        int[][] planted = {{2, 3}, {3, W - 2}, {H - 3, 1}, {H - 1, W - 4}};
        for (int i = 0; i < corners.length; i++) {
            float[] f = background(10 + i);
            plant(f, planted[i][0], planted[i][1], REF);
            GridPoint hp = p(corners[i][0], corners[i][1]);
            for (TrackingStrategy s : new TrackingStrategy[] {TrackingStrategy.SQUARE, TrackingStrategy.DISTANCE_CLOSER,
                    TrackingStrategy.ANGLE_CLOSER}) {
                GridPoint target = p(planted[i][0], planted[i][1]); // toward the planted point
                TrackResult r = PointTracking.track(ref(), map(f), hp, target,
                        settings(s, DistanceReduction.MEAN, false));
                assertEquals(target, r.handle(), s + " from corner " + hp);
                assertEquals(0.0, r.minD(), 1e-7);
            }
        }
    }

    @Test
    void tiesGoToTheFirstCandidateInRowMajorOrder() {
        float[] f = background(3);
        plant(f, 9, 8, REF);
        plant(f, 7, 12, REF);
        plant(f, 7, 9, REF);
        TrackResult r = PointTracking.track(ref(), map(f), p(8, 10), p(8, 10),
                settings(TrackingStrategy.SQUARE, DistanceReduction.MEAN, false));
        assertEquals(p(7, 9), r.handle());
    }

    @Test
    void sumReductionScalesTheDistanceByTheChannelCount() {
        float[] f = background(4);
        float[] off = {0.35f, 0.05f, 0.55f, 0.25f}; // |REF - off| = 0.25 per channel
        plant(f, 8, 11, off);
        NDArray map = map(f);
        TrackResult mean = PointTracking.track(ref(), map, p(8, 10), p(8, 19),
                settings(TrackingStrategy.SQUARE, DistanceReduction.MEAN, false));
        TrackResult sum = PointTracking.track(ref(), map, p(8, 10), p(8, 19),
                settings(TrackingStrategy.SQUARE, DistanceReduction.SUM, false));
        assertEquals(p(8, 11), mean.handle());
        assertEquals(p(8, 11), sum.handle());
        assertEquals(0.25, mean.minD(), 1e-6);
        assertEquals(1.0, sum.minD(), 1e-6);
    }

    @Test
    void batchOfOneIsSqueezed() {
        float[] f = background(5);
        plant(f, 6, 6, REF);
        TrackingSettings s = settings(TrackingStrategy.DISTANCE_CLOSER, DistanceReduction.MEAN, true);
        TrackResult chw = PointTracking.track(ref(), map(f), p(8, 8), p(0, 0), s);
        TrackResult bchw = PointTracking.track(ref(), manager.create(f, new Shape(1, C, H, W)), p(8, 8), p(0, 0), s);
        assertEquals(chw, bchw);
        assertEquals(p(6, 6), chw.handle());
    }

    @Test
    void linearSearchReturnsAFractionalPoint() {
        // linear features F[c, r, x] = a_c r + b_c x: bilinear sampling is exact, so the reference
        // taken at p + 2u is found at exactly p + 2u
        float[] a = {0.3f, -0.2f, 0.5f, 0.1f};
        float[] b = {0.1f, 0.4f, -0.3f, 0.2f};
        float[] f = new float[C * H * W];
        for (int c = 0; c < C; c++) {
            for (int r = 0; r < H; r++) {
                for (int x = 0; x < W; x++) {
                    f[(c * H + r) * W + x] = a[c] * r + b[c] * x;
                }
            }
        }
        GridPoint hp = p(5, 5);
        GridPoint t = p(11, 13); // u = (0.6, 0.8)
        float[] v = new float[C];
        for (int c = 0; c < C; c++) {
            v[c] = (float) (a[c] * 6.2 + b[c] * 6.6);
        }
        TrackResult r = PointTracking.track(manager.create(v), map(f), hp, t,
                settings(TrackingStrategy.LINEAR, DistanceReduction.MEAN, false));
        assertEquals(6.2, r.handle().row(), 1e-12);
        assertEquals(6.6, r.handle().col(), 1e-12);
        assertEquals(4, r.candidates());
        assertTrue(r.minD() < 1e-5, "minD " + r.minD());
        // from a fractional handle the search goes on
        TrackResult next = PointTracking.track(manager.create(v), map(f), r.handle(), t,
                settings(TrackingStrategy.LINEAR, DistanceReduction.MEAN, false));
        assertEquals(r.handle(), next.handle());
    }

    @Test
    void minDIsRoundedLikePythonRound() {
        assertEquals(0.12, PointTracking.roundLikeReference(0.125)); // exact tie: half to even
        assertEquals(0.38, PointTracking.roundLikeReference(0.375));
        assertEquals(2.67, PointTracking.roundLikeReference(2.675)); // 2.67499999... in binary
        assertEquals(1.0, PointTracking.roundLikeReference(1.005));
        assertEquals(1.31, PointTracking.roundLikeReference(1.3050000190734863)); // float32 1.305f
        assertEquals(0.99, PointTracking.roundLikeReference(0.9949));
        float[] f = background(6);
        float[] third = {0.1f + 1 / 3f, -0.2f + 1 / 3f, 0.3f + 1 / 3f, 1 / 3f};
        plant(f, 8, 11, third);
        NDArray map = map(f);
        TrackResult rounded = PointTracking.track(ref(), map, p(8, 10), p(8, 19),
                settings(TrackingStrategy.SQUARE, DistanceReduction.MEAN, true));
        TrackResult raw = PointTracking.track(ref(), map, p(8, 10), p(8, 19),
                settings(TrackingStrategy.SQUARE, DistanceReduction.MEAN, false));
        assertEquals(0.33, rounded.minD());
        assertEquals(1 / 3.0, raw.minD(), 1e-6);
        assertTrue(raw.minD() != 0.33);
    }

    @Test
    void angleCloserStillReportsMinDWhenTheTargetIsReached() {
        float[] f = background(7);
        plant(f, 4, 4, REF);
        NDArray map = map(f);
        List<NDArray> refs = List.of(ref(), ref());
        List<TrackResult> all = PointTracking.trackAll(refs, map, List.of(p(8, 8), p(4, 6)), List.of(p(8, 8), p(4, 0)),
                TrackingSettings.dragLoraFast());
        assertEquals(2, all.size(), "one result per point, even for the skipped one");
        assertEquals(p(8, 8), all.get(0).handle());
        assertEquals(1, all.get(0).candidates());
        assertTrue(all.get(0).minD() >= 1.5, "the distance at the handle itself: " + all.get(0).minD());
        assertEquals(p(4, 4), all.get(1).handle());
    }

    @Test
    void badInputsAreRejected() {
        NDArray map = map(background(8));
        TrackingSettings s = TrackingSettings.dragLora();
        assertThrows(IllegalArgumentException.class, () -> PointTracking.track(ref(), map, p(8.5, 3), p(0, 0), s));
        assertThrows(IllegalArgumentException.class, () -> PointTracking.track(ref(), map, p(H, 3), p(0, 0), s));
        assertThrows(IllegalArgumentException.class,
                () -> PointTracking.track(manager.ones(new Shape(C + 1)), map, p(3, 3), p(0, 0), s));
        assertThrows(IllegalArgumentException.class,
                () -> PointTracking.trackAll(List.of(ref()), map, List.of(p(1, 1), p(2, 2)), List.of(p(0, 0)), s));
        assertThrows(IllegalArgumentException.class,
                () -> new TrackingSettings(TrackingStrategy.SQUARE, DistanceReduction.SUM, 0, false));
        float[] nan = background(9);
        nan[(H + 8) * W + 9] = Float.NaN;
        assertThrows(IllegalStateException.class, () -> PointTracking.track(ref(), map(nan), p(8, 8), p(8, 8),
                settings(TrackingStrategy.SQUARE, DistanceReduction.MEAN, false)));
    }

    @Test
    void trackingLeavesNoArraysInTheCallersManager() {
        NDArray map = map(background(10));
        NDArray r = ref();
        int before = manager.getManagedArrays().size();
        PointTracking.track(r, map, p(8, 8), p(0, 0), TrackingSettings.dragLora());
        PointTracking.track(r, map, p(8, 8), p(0, 0),
                settings(TrackingStrategy.LINEAR, DistanceReduction.MEAN, false));
        assertEquals(before, manager.getManagedArrays().size());
    }
}
