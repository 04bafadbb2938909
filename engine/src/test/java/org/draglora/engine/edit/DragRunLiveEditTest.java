package org.draglora.engine.edit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.List;
import org.draglora.engine.drag.DragMode;
import org.draglora.engine.drag.DragSettings;
import org.draglora.engine.drag.GridPoint;
import org.draglora.engine.drag.ImagePoint;
import org.draglora.engine.drag.MotionSupervision;
import org.draglora.engine.drag.SwitchingSettings;
import org.draglora.engine.runtime.EngineRuntime;
import org.draglora.engine.testing.FixtureModels;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Changes between steps, as a session applies them at step boundaries: points added, moved and
 * removed, the mask changed, and the modes' pass counts.
 */
class DragRunLiveEditTest {

    private static EngineRuntime rt;
    private static EditModel model;

    @BeforeAll
    static void load() throws Exception {
        rt = EngineRuntime.cpu();
        model = FixtureModels.tinyEditModel(rt);
    }

    @AfterAll
    static void close() {
        model.close();
    }

    private static NDArray text(NDManager m) {
        return new RandomStream(42).gaussian(m, new Shape(1, 77, 32), RandomStream.Purpose.DDS_NOISE, 0);
    }

    /** A run advanced to its first drag iteration (RecLoRA and inversion done). */
    private static DragRun atDrag(NDManager m, DragSettings drag, boolean[] mask) {
        DragRun run = new DragRun(model, DragRunTest.request(drag, mask, 11), text(m), m, null, false);
        while (run.phase() != DragRun.Phase.DRAG) {
            run.step();
        }
        return run;
    }

    @Test
    void anAddedPointIsAnchoredAtTheCurrentFeaturesAndTracked() {
        try (NDManager m = rt.newManager(); DragRun run = atDrag(m, DragSettings.dragLora().withMaxSteps(6), DragRunTest.mask())) {
            run.step();
            run.step();
            int id = run.addPoint(new ImagePoint(44, 40), new ImagePoint(44, 24));
            TrackedPoint added = run.points.get(1);
            assertEquals(id, added.id);
            NDArray expected = MotionSupervision.referenceVector(run.lastFeatures, added.handle);
            assertArrayEquals(expected.toFloatArray(), added.referenceVector.toFloatArray(), 0f,
                    "the new handle pulls what is under the click now");
            StepRecord r = run.step();
            assertEquals(2, r.points().size());
            assertEquals(id, r.points().get(1).id());
            assertTrue(Double.isFinite(r.points().get(1).minD()), "the new point is tracked at the next step");
        }
    }

    @Test
    void aMovedTargetChangesTheDirectionOfTheNextStepOnly() {
        DragSettings alwaysDoo = DragSettings.dragLora().withSwitching(SwitchingSettings.disabled()).withMaxSteps(6);
        try (NDManager m = rt.newManager(); DragRun run = atDrag(m, alwaysDoo, DragRunTest.mask())) {
            run.step();
            TrackedPoint p = run.points.get(0);
            NDArray referenceBefore = p.referenceVector;
            run.movePoint(p.id, null, new ImagePoint(24, 8)); // straight up instead of right
            assertTrue(p.referenceVector == referenceBefore, "a target move keeps the reference");
            StepRecord r = run.step();
            assertEquals(1, r.backwardPasses(), "switching is off: every iteration is a DOO step");
            GridPoint h = p.handle;
            // the expected position is one grid pixel from the (re-tracked) handle toward the new target
            double dRow = p.expected.row() - h.row();
            double dCol = p.expected.col() - h.col();
            assertEquals(1.0, Math.hypot(dRow, dCol), 1e-9);
            assertTrue(dRow < -0.9, "the step goes up toward the moved target: " + dRow + ", " + dCol);
            assertEquals(4.0, run.points.get(0).target.row(), 1e-9, "target y 8 px -> grid row 4");
        }
    }

    @Test
    void aMovedHandleIsReAnchoredAndRemovedPointsDisappear() {
        try (NDManager m = rt.newManager(); DragRun run = atDrag(m, DragSettings.dragLora().withMaxSteps(6), DragRunTest.mask())) {
            run.step();
            int second = run.addPoint(new ImagePoint(44, 40), new ImagePoint(44, 24));
            TrackedPoint p = run.points.get(0);
            run.movePoint(p.id, new ImagePoint(20, 30), null);
            assertEquals(new GridPoint(15, 10), p.handle);
            assertArrayEquals(MotionSupervision.referenceVector(run.lastFeatures, p.handle).toFloatArray(),
                    p.referenceVector.toFloatArray(), 0f);
            run.removePoint(second);
            StepRecord r = run.step();
            assertEquals(1, r.points().size());
            assertThrows(IllegalArgumentException.class, () -> run.removePoint(p.id), "the last point stays");
            assertThrows(IllegalArgumentException.class, () -> run.movePoint(99, null, new ImagePoint(1, 1)));
            assertThrows(IllegalArgumentException.class, () -> run.addPoint(new ImagePoint(64, 0), new ImagePoint(1, 1)));
        }
    }

    @Test
    void withAnEmptyMaskIlfaLeavesTheLatentAtTheInvertedOne() {
        try (NDManager m = rt.newManager(); DragRun run = atDrag(m, DragSettings.dragLora().withMaxSteps(3), null)) {
            for (int i = 0; i < 3 && run.phase() == DragRun.Phase.DRAG; i++) {
                StepRecord r = run.step();
                if (r.mode() == DragMode.DOO && r.backwardPasses() == 1) {
                    assertEquals(2, r.forwardPasses(), "no ILFA forward with an empty mask");
                    assertTrue(Double.isNaN(r.losses().mask()), "no mask loss with an empty mask");
                }
            }
            assertArrayEquals(run.zOrig.toFloatArray(), run.z.toFloatArray(), 0f);
        }
    }

    @Test
    void aMaskClearedMidRunStopsIlfaFromTheNextStep() {
        try (NDManager m = rt.newManager(); DragRun run = atDrag(m, DragSettings.dragLora().withMaxSteps(5), DragRunTest.mask())) {
            run.step();
            run.setMask(null);
            float[] before = run.z.toFloatArray();
            run.step();
            assertArrayEquals(before, run.z.toFloatArray(), 0f);
        }
    }

    @Test
    void ilfaOnlyIterationsMakeOneForwardAndNoBackward() {
        // a switching rule that enters ILFA-only at the first chance (k > 0, any minD, any deviation)
        SwitchingSettings eager = new SwitchingSettings(0, 1e9, 1e9, 1e9, 3, 5, 3, true);
        try (NDManager m = rt.newManager();
                DragRun run = atDrag(m, DragSettings.dragLora().withSwitching(eager).withMaxSteps(4), DragRunTest.mask())) {
            List<StepRecord> records = new java.util.ArrayList<>();
            while (run.phase() == DragRun.Phase.DRAG) {
                records.add(run.step());
            }
            List<StepRecord> ilfaOnly = records.stream().filter(r -> r.mode() == DragMode.ILFA_ONLY).toList();
            assertTrue(!ilfaOnly.isEmpty(), "the eager rule must enter ILFA-only: " + records);
            for (StepRecord r : ilfaOnly) {
                assertEquals(0, r.backwardPasses());
                assertEquals(1, r.forwardPasses());
            }
            int run3 = 0;
            for (StepRecord r : records) {
                run3 = r.mode() == DragMode.ILFA_ONLY ? run3 + 1 : 0;
                assertTrue(run3 <= 3, "the cap (3) bounds consecutive ILFA-only iterations: " + records);
            }
        }
    }

    @Test
    void editsAfterTheDragHasFinishedAreRefused() {
        try (NDManager m = rt.newManager(); DragRun run = atDrag(m, DragSettings.dragLora().withMaxSteps(1), DragRunTest.mask())) {
            while (run.phase() == DragRun.Phase.DRAG) {
                run.step();
            }
            assertThrows(IllegalStateException.class, () -> run.addPoint(new ImagePoint(1, 1), new ImagePoint(2, 2)));
            assertThrows(IllegalStateException.class, () -> run.setMask(null));
        }
    }
}
