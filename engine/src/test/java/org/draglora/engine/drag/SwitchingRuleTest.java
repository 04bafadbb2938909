package org.draglora.engine.drag;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.draglora.engine.drag.SwitchingRule.Counters;
import org.draglora.engine.drag.SwitchingRule.Decision;
import org.draglora.engine.drag.SwitchingRule.Event;
import org.draglora.engine.drag.SwitchingRule.Input;
import org.junit.jupiter.api.Test;

/** The adaptive switching scheme with scripted minD sequences (ALGORITHM.md §7). */
class SwitchingRuleTest {

    private static final SwitchingSettings S = SwitchingSettings.defaults();

    private static GridPoint p(double row, double col) {
        return new GridPoint(row, col);
    }

    private static Decision doo(int k, int retain, double[] minD, List<GridPoint> before, List<GridPoint> after,
            List<GridPoint> expected) {
        return SwitchingRule.decide(new Input(DragMode.DOO, new Counters(k, retain, 0, 0), minD, before, after,
                expected), S);
    }

    // ---- entry into ILFA-only ----

    @Test
    void entersIlfaOnlyWhenConfidentPastKIniAndOnCourse() {
        List<GridPoint> after = List.of(p(10, 12));
        Decision d = doo(11, 0, new double[] {0.9}, List.of(p(10, 11)), after, List.of(p(10, 12)));
        assertEquals(DragMode.ILFA_ONLY, d.mode());
        assertEquals(Event.ENTER_ILFA_ONLY, d.event());
        assertEquals(new Counters(11, 0, 0, 1), d.counters());
        assertEquals(after, d.handles());
        assertFalse(d.kDecremented());
    }

    @Test
    void kMustBeStrictlyAboveKIni() {
        Decision d = doo(10, 0, new double[] {0.5}, List.of(p(10, 11)), List.of(p(10, 12)), List.of(p(10, 12)));
        assertEquals(DragMode.DOO, d.mode());
        assertEquals(Event.NONE, d.event());
    }

    @Test
    void minDMustBeStrictlyBelowD1() {
        Decision d = doo(20, 0, new double[] {1.0}, List.of(p(10, 11)), List.of(p(10, 12)), List.of(p(10, 12)));
        assertEquals(DragMode.DOO, d.mode());
        Decision min = doo(20, 0, new double[] {1.2, 0.99}, List.of(p(10, 11), p(3, 3)), List.of(p(10, 12), p(3, 4)),
                List.of(p(10, 12), p(3, 4)));
        assertEquals(DragMode.ILFA_ONLY, min.mode(), "entry uses the min over points");
    }

    @Test
    void oneStuckPointDeviatesByExactlyOneAndStillEnters() {
        // the point did not move, but was pushed one unit toward its target: ||h - curT|| = 1.0 < 1.4
        GridPoint stuck = p(10, 10);
        GridPoint curT = p(10 + 0.6, 10 + 0.8);
        assertEquals(1.0, SwitchingRule.deviation(List.of(stuck), List.of(curT)), 1e-12);
        Decision d = doo(15, 0, new double[] {0.4}, List.of(stuck), List.of(stuck), List.of(curT));
        assertEquals(DragMode.ILFA_ONLY, d.mode());
    }

    @Test
    void twoStuckPointsBlockEntryBecauseSqrtTwoExceedsL2() {
        List<GridPoint> stuck = List.of(p(10, 10), p(20, 20));
        List<GridPoint> curT = List.of(p(10, 11), p(21, 20));
        assertEquals(Math.sqrt(2), SwitchingRule.deviation(stuck, curT), 1e-12);
        assertTrue(Math.sqrt(2) > 1.4);
        Decision d = doo(15, 0, new double[] {0.4, 0.5}, stuck, stuck, curT);
        assertEquals(DragMode.DOO, d.mode());
        assertEquals(Event.NONE, d.event());
        assertEquals(stuck, d.handles());
    }

    @Test
    void theEntryBranchNeverTracesBackEvenWithALowConfidencePoint() {
        // :197-200: min(minD) < 1 selects the entry branch; the elif (trace-back) is not reached
        List<GridPoint> before = List.of(p(10, 10), p(20, 20));
        List<GridPoint> after = List.of(p(10, 13), p(23, 20));
        Decision d = doo(15, 2, new double[] {0.5, 1.9}, before, after, List.of(p(10, 11), p(21, 20)));
        assertEquals(DragMode.DOO, d.mode());
        assertEquals(after, d.handles());
        assertEquals(List.of(), d.reverted());
        assertEquals(new Counters(15, 2, 0, 0), d.counters(), "retain is not reset either");
    }

    // ---- trace-back ----

    @Test
    void traceBackRevertsOnlyTheOffendingPointsAndDecrementsK() {
        List<GridPoint> before = List.of(p(1, 1), p(5, 5), p(9, 9));
        List<GridPoint> after = List.of(p(1, 2), p(5, 6), p(9, 10));
        Decision d = doo(5, 0, new double[] {0.8, 1.4, 1.31}, before, after, List.of(p(1, 2), p(5, 6), p(9, 10)));
        assertEquals(DragMode.DOO, d.mode());
        assertEquals(Event.TRACE_BACK, d.event());
        assertEquals(List.of(p(1, 2), p(5, 5), p(9, 9)), d.handles());
        assertEquals(List.of(1, 2), d.reverted());
        assertTrue(d.kDecremented());
        assertEquals(new Counters(4, 1, 0, 0), d.counters());
    }

    @Test
    void maxMinDOfExactlyD2IsNotATraceBack() {
        Decision d = doo(5, 0, new double[] {1.3, 0.2}, List.of(p(1, 1), p(2, 2)), List.of(p(1, 2), p(2, 3)),
                List.of(p(1, 2), p(2, 3)));
        assertEquals(Event.NONE, d.event());
        assertFalse(d.kDecremented());
    }

    @Test
    void theFourthConsecutiveTraceBackKeepsThePointsAndResetsRetain() {
        // a scripted loop: every tracking is low-confidence; each trace-back is followed by a DOO step
        List<GridPoint> before = List.of(p(10, 10));
        List<GridPoint> after = List.of(p(10, 13));
        Counters c = new Counters(5, 0, 0, 0);
        for (int i = 1; i <= 3; i++) {
            Decision d = SwitchingRule.decide(new Input(DragMode.DOO, c, new double[] {1.5}, before, after,
                    List.of(p(10, 11))), S);
            assertEquals(Event.TRACE_BACK, d.event(), "trace-back " + i);
            assertEquals(before, d.handles());
            assertEquals(i, d.counters().retain());
            assertEquals(4, d.counters().k());
            c = new Counters(d.counters().k() + 1, d.counters().retain(), 0, 0); // the DOO step
        }
        Decision fourth = SwitchingRule.decide(new Input(DragMode.DOO, c, new double[] {1.5}, before, after,
                List.of(p(10, 11))), S);
        assertEquals(Event.TRACE_BACK_LIMIT, fourth.event());
        assertEquals(after, fourth.handles());
        assertEquals(List.of(), fourth.reverted());
        assertFalse(fourth.kDecremented());
        assertEquals(new Counters(5, 0, 0, 0), fourth.counters());
    }

    @Test
    void aConfidentStepResetsRetain() {
        Decision d = doo(6, 2, new double[] {0.5, 1.2}, List.of(p(1, 1), p(2, 2)), List.of(p(1, 2), p(2, 3)),
                List.of(p(1, 2), p(2, 3)));
        assertEquals(Event.RETAIN_RESET, d.event());
        assertEquals(new Counters(6, 0, 0, 0), d.counters());
    }

    // ---- ILFA-only mode ----

    private static Decision ilfa(Counters c, double[] minD, List<GridPoint> before, List<GridPoint> after,
            SwitchingSettings s) {
        return SwitchingRule.decide(new Input(DragMode.ILFA_ONLY, c, minD, before, after, after), s);
    }

    @Test
    void exitsWhenEveryPointLosesConfidence() {
        List<GridPoint> before = List.of(p(1, 1), p(4, 4));
        List<GridPoint> after = List.of(p(1, 2), p(4, 5));
        Decision stay = ilfa(new Counters(12, 1, 2, 3), new double[] {1.3, 2.0}, before, after, S);
        assertEquals(DragMode.ILFA_ONLY, stay.mode(), "min(minD) = 1.3 is not above d2; no revert in this mode");
        assertEquals(after, stay.handles());
        assertEquals(new Counters(12, 1, 2, 4), stay.counters());
        Decision exit = ilfa(new Counters(12, 1, 2, 3), new double[] {1.31, 2.0}, before, after, S);
        assertEquals(DragMode.DOO, exit.mode());
        assertEquals(Event.EXIT_LOW_CONFIDENCE, exit.event());
        assertEquals(after, exit.handles(), "points are not reverted when leaving");
        assertEquals(new Counters(12, 1, 0, 0), exit.counters());
    }

    @Test
    void exitsAfterMoreThanFiveIterationsWithoutMovement() {
        List<GridPoint> still = List.of(p(3, 3), p(7, 7));
        List<GridPoint> moved = List.of(p(3, 4), p(7, 7));
        Counters c = new Counters(12, 0, 0, 1);
        // a move in between does not reset nomove
        c = ilfa(c, new double[] {0.5, 0.5}, still, moved, S).counters();
        assertEquals(0, c.nomove());
        for (int i = 1; i <= 5; i++) {
            Decision d = ilfa(c, new double[] {0.5, 0.5}, still, still, S);
            assertEquals(DragMode.ILFA_ONLY, d.mode(), "no move " + i);
            assertEquals(i, d.counters().nomove());
            c = d.counters();
            if (i == 3) {
                c = ilfa(c, new double[] {0.5, 0.5}, still, moved, S).counters();
                assertEquals(3, c.nomove());
            }
        }
        Decision sixth = ilfa(c, new double[] {0.5, 0.5}, still, still, S);
        assertEquals(DragMode.DOO, sixth.mode());
        assertEquals(Event.EXIT_NO_MOVE, sixth.event());
        assertEquals(0, sixth.counters().nomove());
    }

    @Test
    void ourCapEndsALongIlfaOnlyEpisode() {
        SwitchingSettings capped = new SwitchingSettings(10, 1.0, 1.3, 1.4, 3, 5, 20, true);
        Decision entry = doo(11, 0, new double[] {0.5}, List.of(p(0, 0)), List.of(p(0, 1)), List.of(p(0, 1)));
        Counters c = entry.counters();
        int ilfaIterations = 1; // the entry iteration itself is ILFA-only
        for (int i = 0; i < 100; i++) {
            // the point keeps moving along an arc: never "no move", always confident
            Decision d = ilfa(c, new double[] {0.5}, List.of(p(i, 1)), List.of(p(i + 1, 1)), capped);
            c = d.counters();
            if (d.mode() == DragMode.DOO) {
                assertEquals(Event.EXIT_CAP, d.event());
                break;
            }
            ilfaIterations++;
        }
        assertEquals(20, ilfaIterations);
        assertEquals(new Counters(11, 0, 0, 0), c);
        assertEquals(20, SwitchingSettings.defaults().maxIlfaOnly());
    }

    @Test
    void theReferenceSettingsHaveNoCap() {
        Counters c = new Counters(11, 0, 0, 1);
        for (int i = 0; i < 1000; i++) {
            Decision d = ilfa(c, new double[] {0.5}, List.of(p(i, 1)), List.of(p(i + 1, 1)),
                    SwitchingSettings.reference());
            assertEquals(DragMode.ILFA_ONLY, d.mode());
            c = d.counters();
        }
    }

    // ---- disabled, validation, reach ----

    @Test
    void disabledRuleAlwaysRunsDooWithTheTrackedPoints() {
        SwitchingSettings off = SwitchingSettings.disabled();
        List<GridPoint> after = List.of(p(1, 2));
        for (DragMode mode : DragMode.values()) {
            for (double minD : new double[] {0.1, 5.0}) {
                Decision d = SwitchingRule.decide(new Input(mode, new Counters(30, 0, 0, 0), new double[] {minD},
                        List.of(p(1, 1)), after, after), off);
                assertEquals(DragMode.DOO, d.mode());
                assertEquals(Event.DISABLED, d.event());
                assertEquals(after, d.handles());
                assertEquals(new Counters(30, 0, 0, 0), d.counters());
            }
        }
    }

    @Test
    void inconsistentInputsAreRejected() {
        List<GridPoint> one = List.of(p(1, 1));
        assertThrows(IllegalArgumentException.class,
                () -> new Input(DragMode.DOO, Counters.initial(), new double[] {0.1, 0.2}, one, one, one));
        assertThrows(IllegalArgumentException.class,
                () -> new Input(DragMode.DOO, Counters.initial(), new double[] {Double.NaN}, one, one, one));
        assertThrows(IllegalArgumentException.class, () -> SwitchingRule.decide(
                new Input(DragMode.DOO, Counters.initial(), new double[] {0.1}, one, one, one), S), "k = 0");
        assertThrows(IllegalArgumentException.class, () -> new Counters(-1, 0, 0, 0));
        assertThrows(IllegalArgumentException.class,
                () -> new SwitchingSettings(10, 1.0, 1.3, 1.4, 3, 5, 0, true));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new SwitchingSettings(10, -1.0, 1.3, 1.4, 3, 5, 20, true));
        assertTrue(e.getMessage().contains("d1") && e.getMessage().contains("-1.0"), e.getMessage());
    }

    @Test
    void reachedNeedsEveryHandleStrictlyWithinTheRadius() {
        List<GridPoint> targets = List.of(p(10, 10), p(20, 20));
        assertTrue(SwitchingRule.reached(List.of(p(11, 11), p(20, 21)), targets));
        assertFalse(SwitchingRule.reached(List.of(p(10, 12), p(20, 20)), targets), "exactly 2.0 is not reached");
        assertFalse(SwitchingRule.reached(List.of(p(10, 10), p(25, 20)), targets), "every point must be close");
        assertTrue(SwitchingRule.reached(List.of(p(10, 12), p(20, 20)), targets, 2.5));
    }
}
