package org.draglora.engine.drag;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * DragLoRA's adaptive switching scheme (ASS) as one pure function: after each tracking, decide the
 * mode of this iteration, the counters, and which tracked points to trust (ALGORITHM.md §7,
 * DL:utils/drag_utils_lora.py:193-227). No tensors.
 *
 * <p>The reference evaluates it only when {@code step_idx != 0} ({@code :193}): the first
 * iteration neither tracks nor switches. Thresholds compare the per-point minD as tracking reports
 * them, rounded to 2 decimals ({@code :78}; {@link PointTracking#roundLikeReference}). Min and max
 * over points and the joint Frobenius norm are mixed exactly as in the reference (§13.4).
 *
 * <p>After the decision the loop runs, in this iteration: the reach check
 * ({@link #reached(List, List, double)}), then a DOO step if the mode is {@link DragMode#DOO}
 * (which increments k), then ILFA in both modes (ALGORITHM.md §5.2).
 */
public final class SwitchingRule {

    /** Reach radius 2.0 grid px: the loop stops when every handle is closer (DL:utils/drag_utils_lora.py:87-90). */
    public static final double REFERENCE_REACH_RADIUS = 2.0;

    /** What the rule did, for logging one line per mode switch. */
    public enum Event {
        /** Nothing changed (also: entry conditions met except the deviation test, {@code :197-198}). */
        NONE,
        /** DOO -> ILFA-only ({@code :197-199}). */
        ENTER_ILFA_ONLY,
        /** Low-confidence points reverted, k decremented ({@code :201-209}). */
        TRACE_BACK,
        /** Too many consecutive trace-backs: tracked points kept, retain reset ({@code :211-212}). */
        TRACE_BACK_LIMIT,
        /** A confident step after trace-backs: retain reset ({@code :214-215}). */
        RETAIN_RESET,
        /** ILFA-only -> DOO because {@code min(minD) > d2} ({@code :219-221}). */
        EXIT_LOW_CONFIDENCE,
        /** ILFA-only -> DOO because more than maxNoMove iterations moved no point ({@code :217-221}). */
        EXIT_NO_MOVE,
        /** ILFA-only -> DOO because of our cap on consecutive ILFA-only iterations. */
        EXIT_CAP,
        /** Switching disabled: always DOO with the tracked points. */
        DISABLED
    }

    /**
     * The loop counters.
     *
     * @param k accepted DOO steps ({@code step_idx})
     * @param retain consecutive trace-backs
     * @param nomove ILFA-only iterations in which no point moved (not necessarily consecutive)
     * @param ilfaRun consecutive ILFA-only iterations so far, this one included once decided
     */
    public record Counters(int k, int retain, int nomove, int ilfaRun) {
        public Counters {
            if (k < 0 || retain < 0 || nomove < 0 || ilfaRun < 0) {
                throw new IllegalArgumentException("counters must be >= 0, got k " + k + ", retain " + retain
                        + ", nomove " + nomove + ", ilfaRun " + ilfaRun);
            }
        }

        /** All zero: the start of a drag. */
        public static Counters initial() {
            return new Counters(0, 0, 0, 0);
        }
    }

    /**
     * What the rule sees after one tracking.
     *
     * @param mode the mode of the previous iteration
     * @param counters the counters before this decision
     * @param minD per-point minD of this tracking (rounded as the reference does)
     * @param handlesBefore the handles before tracking ({@code handle_points_pre})
     * @param handlesAfter the tracked handles
     * @param expected {@code curT} of the last DOO step: {@code p + d}, or the target of skipped points
     */
    public record Input(DragMode mode, Counters counters, double[] minD, List<GridPoint> handlesBefore,
            List<GridPoint> handlesAfter, List<GridPoint> expected) {
        public Input {
            Objects.requireNonNull(mode, "mode");
            Objects.requireNonNull(counters, "counters");
            minD = minD.clone();
            handlesBefore = List.copyOf(handlesBefore);
            handlesAfter = List.copyOf(handlesAfter);
            expected = List.copyOf(expected);
            int n = handlesAfter.size();
            if (n == 0 || minD.length != n || handlesBefore.size() != n || expected.size() != n) {
                throw new IllegalArgumentException("need one minD, one previous handle and one expected position "
                        + "per point (at least one point), got " + minD.length + " minD, " + handlesBefore.size()
                        + " before, " + n + " after, " + expected.size() + " expected");
            }
            for (double d : minD) {
                if (Double.isNaN(d)) {
                    throw new IllegalArgumentException("minD has a NaN: " + Arrays.toString(minD));
                }
            }
        }

        @Override
        public double[] minD() {
            return minD.clone();
        }
    }

    /**
     * The decision.
     *
     * @param mode the mode of this iteration
     * @param counters the counters after this decision (k already decremented on a trace-back)
     * @param handles the handles to keep: the tracked ones, with reverted points restored
     * @param reverted indices of the points restored to their pre-tracking position, ascending
     * @param kDecremented whether k was decremented (a trace-back)
     * @param event what happened
     */
    public record Decision(DragMode mode, Counters counters, List<GridPoint> handles, List<Integer> reverted,
            boolean kDecremented, Event event) {
        public Decision {
            handles = List.copyOf(handles);
            reverted = List.copyOf(reverted);
        }
    }

    private SwitchingRule() {}

    /**
     * Applies the rule once.
     *
     * @throws IllegalArgumentException if k is 0: the reference never tracks before the first DOO step
     */
    public static Decision decide(Input in, SwitchingSettings s) {
        Counters c = in.counters();
        if (c.k() < 1) {
            throw new IllegalArgumentException("the switching rule runs only after the first DOO step (k >= 1, "
                    + "DL:utils/drag_utils_lora.py:193), got " + c);
        }
        if (in.mode() == DragMode.DOO && c.ilfaRun() != 0) {
            throw new IllegalArgumentException("ilfaRun counts ILFA-only iterations and must be 0 in DOO mode, got "
                    + c);
        }
        if (!s.enabled()) {
            return new Decision(DragMode.DOO, new Counters(c.k(), 0, 0, 0), in.handlesAfter(), List.of(), false,
                    Event.DISABLED);
        }
        double[] minD = in.minD();
        double min = Arrays.stream(minD).min().orElseThrow();
        double max = Arrays.stream(minD).max().orElseThrow();
        if (in.mode() == DragMode.ILFA_ONLY) {
            return ilfaOnly(in, c, min, s);
        }
        // :197 if step_idx > 10 and min(minD) < 1.0
        if (c.k() > s.kIni() && min < s.d1()) {
            // :198 ||stack(handles) - stack(curTs)||_F < 1.4 over all points jointly
            if (deviation(in.handlesAfter(), in.expected()) < s.l2()) {
                return new Decision(DragMode.ILFA_ONLY, new Counters(c.k(), c.retain(), c.nomove(), 1),
                        in.handlesAfter(), List.of(), false, Event.ENTER_ILFA_ONLY);
            }
            return new Decision(DragMode.DOO, c, in.handlesAfter(), List.of(), false, Event.NONE);
        }
        // :201 elif max(minD) > 1.3: low-confidence tracking
        if (max > s.d2()) {
            int retain = c.retain() + 1; // :204
            if (retain <= s.maxTraceBacks()) { // :205-209: revert only the offending points, k -= 1
                List<GridPoint> kept = new ArrayList<>(in.handlesAfter());
                List<Integer> reverted = new ArrayList<>();
                for (int i = 0; i < minD.length; i++) {
                    if (minD[i] > s.d2()) {
                        kept.set(i, in.handlesBefore().get(i));
                        reverted.add(i);
                    }
                }
                return new Decision(DragMode.DOO, new Counters(c.k() - 1, retain, c.nomove(), 0), kept,
                        reverted, true, Event.TRACE_BACK);
            }
            // :211-212: too many trace-backs, keep the tracked points
            return new Decision(DragMode.DOO, new Counters(c.k(), 0, c.nomove(), 0), in.handlesAfter(), List.of(),
                    false, Event.TRACE_BACK_LIMIT);
        }
        // :214-215 elif retain > 0: retain = 0
        if (c.retain() > 0) {
            return new Decision(DragMode.DOO, new Counters(c.k(), 0, c.nomove(), 0), in.handlesAfter(), List.of(),
                    false, Event.RETAIN_RESET);
        }
        return new Decision(DragMode.DOO, c, in.handlesAfter(), List.of(), false, Event.NONE);
    }

    private static Decision ilfaOnly(Input in, Counters c, double min, SwitchingSettings s) {
        // :217-218 no point moved (exact equality of all handles) -> nomove += 1; never reset in this mode
        int nomove = in.handlesAfter().equals(in.handlesBefore()) ? c.nomove() + 1 : c.nomove();
        Event exit = null;
        if (min > s.d2()) { // :219 min(minD) > 1.3
            exit = Event.EXIT_LOW_CONFIDENCE;
        } else if (nomove > s.maxNoMove()) { // :219 nomove > 5
            exit = Event.EXIT_NO_MOVE;
        } else if (c.ilfaRun() >= s.maxIlfaOnly()) { // our cap (§16.4)
            exit = Event.EXIT_CAP;
        }
        if (exit != null) {
            // :220-221 nomove = 0, ada = False; the points are not reverted in this mode
            return new Decision(DragMode.DOO, new Counters(c.k(), c.retain(), 0, 0), in.handlesAfter(), List.of(),
                    false, exit);
        }
        return new Decision(DragMode.ILFA_ONLY, new Counters(c.k(), c.retain(), nomove, c.ilfaRun() + 1),
                in.handlesAfter(), List.of(), false, Event.NONE);
    }

    /** The joint Frobenius norm {@code ||stack(a) - stack(b)||_F}. */
    static double deviation(List<GridPoint> a, List<GridPoint> b) {
        double sum = 0;
        for (int i = 0; i < a.size(); i++) {
            double dr = a.get(i).row() - b.get(i).row();
            double dc = a.get(i).col() - b.get(i).col();
            sum += dr * dr + dc * dc;
        }
        return Math.sqrt(sum);
    }

    /**
     * Whether every handle is strictly closer than {@code reachRadius} to its target, the loop's break
     * condition ({@code check_handle_reach_target}, DL:utils/drag_utils_lora.py:87-90, :230).
     */
    public static boolean reached(List<GridPoint> handles, List<GridPoint> targets, double reachRadius) {
        if (handles.size() != targets.size()) {
            throw new IllegalArgumentException("need one target per handle, got " + targets.size() + " targets for "
                    + handles.size() + " handles");
        }
        for (int i = 0; i < handles.size(); i++) {
            if (!(handles.get(i).distanceTo(targets.get(i)) < reachRadius)) {
                return false;
            }
        }
        return true;
    }

    /** {@link #reached(List, List, double)} with the reference radius 2.0. */
    public static boolean reached(List<GridPoint> handles, List<GridPoint> targets) {
        return reached(handles, targets, REFERENCE_REACH_RADIUS);
    }
}
