package org.draglora.engine.shapes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.draglora.engine.io.EditMask;
import org.draglora.engine.io.PointPair;
import org.draglora.engine.io.RgbImage;
import org.junit.jupiter.api.Test;

/** ShapeDrag metrics on synthetic outputs whose answers are known. */
class ShapeDragMetricsTest {

    private static final ShapeDragMetrics METRICS = new ShapeDragMetrics();
    private static final int SEEDS = 60;

    @Test
    void idealOutputScoresPerfectly() {
        for (DragKind kind : DragKind.values()) {
            for (long seed = 0; seed < SEEDS; seed++) {
                DragTask t = DragTaskGenerator.generate(seed, 64, 64, kind);
                CaseResult r = METRICS.evaluate(t, t.idealImage());
                for (PairResult p : r.pairs()) {
                    assertTrue(p.found());
                    assertTrue(p.handleError() < 1e-6, kind + " seed " + seed + ": error " + p.handleError());
                    assertEquals(1.0, p.iou(), 1e-12);
                }
                assertEquals(ShapeDragMetrics.PSNR_CAP_DB, r.backgroundPsnr());
            }
        }
    }

    @Test
    void unchangedOutputScoresTheInitialDistance() {
        double worst = 0;
        for (DragKind kind : DragKind.values()) {
            for (long seed = 0; seed < SEEDS; seed++) {
                DragTask t = DragTaskGenerator.generate(seed, 64, 64, kind);
                CaseResult r = METRICS.evaluate(t, t.image());
                for (PairResult p : r.pairs()) {
                    assertTrue(p.found());
                    double off = Math.abs(p.handleError() - p.initialDistance());
                    worst = Math.max(worst, off);
                    assertTrue(off < 1, kind + " seed " + seed + ": error " + p.handleError() + " vs initial "
                            + p.initialDistance());
                    assertTrue(p.iou() < 1);
                }
                assertEquals(ShapeDragMetrics.PSNR_CAP_DB, r.backgroundPsnr());
            }
        }
        // sub-pixel: an upright square's edge pixels enter or leave the colour segment all at once, so its
        // centroid is quantised by up to about half a pixel per axis (0.80 px at worst over these cases)
        assertTrue(worst < 0.85, "worst deviation " + worst);
    }

    @Test
    void halfwayOutputScoresHalfTheDistance() {
        for (DragKind kind : new DragKind[] {DragKind.MOVE_ONE, DragKind.STRETCH}) {
            for (long seed = 0; seed < SEEDS; seed++) {
                DragTask t = DragTaskGenerator.generate(seed, 64, 64, kind);
                int index = t.objectIndices().get(0);
                ShapeObject a = t.scene().objects().get(index);
                ShapeObject b = t.idealScene().objects().get(index);
                ShapeObject half = a.withStretch(0.5 * (a.stretch() + b.stretch()), 0.5 * (a.centreX() + b.centreX()),
                        0.5 * (a.centreY() + b.centreY()));
                PairResult p = METRICS.evaluate(t, t.scene().withObject(index, half).render()).pairs().get(0);
                assertEquals(p.initialDistance() / 2, p.handleError(), 0.75, kind + " seed " + seed); // as above
            }
        }
    }

    @Test
    void noisyBackgroundLowersPsnrToTheComputedValue() {
        DragTask t = DragTaskGenerator.generate(3, 64, 64, DragKind.MOVE_ONE);
        byte[] rgb = t.idealImage().rgb();
        boolean[] mask = t.mask().editable();
        int outside = 0;
        for (int i = 0; i < mask.length; i++) {
            if (!mask[i]) {
                int v = rgb[3 * i + 1] & 0xff;
                rgb[3 * i + 1] = (byte) (v < 128 ? v + 8 : v - 8);
                outside++;
            }
        }
        assertTrue(outside > 0);
        CaseResult r = METRICS.evaluate(t, new RgbImage(64, 64, rgb));
        // one channel in three off by 8: MSE = 64 / 3
        assertEquals(10 * Math.log10(255.0 * 255.0 * 3 / 64), r.backgroundPsnr(), 1e-9);
        assertTrue(r.pairs().get(0).handleError() < 1e-6);
    }

    @Test
    void psnrOfAFewChangedPixels() {
        RgbImage a = RgbImage.filled(10, 10, 100, 100, 100);
        byte[] px = a.rgb();
        px[0] = (byte) 120; // pixel 0, red +20
        px[3 * 99 + 2] = (byte) 90; // pixel 99, blue -10; pixel 50 is masked below
        px[3 * 50] = (byte) 0;
        boolean[] m = new boolean[100];
        m[50] = true;
        double mse = (400.0 + 100.0) / (99 * 3);
        assertEquals(10 * Math.log10(255 * 255 / mse),
                ShapeDragMetrics.backgroundPsnr(a, new RgbImage(10, 10, px), new EditMask(10, 10, m)), 1e-9);
        assertEquals(ShapeDragMetrics.PSNR_CAP_DB, ShapeDragMetrics.backgroundPsnr(a, a, EditMask.empty(10, 10)));
        assertEquals(ShapeDragMetrics.PSNR_CAP_DB,
                ShapeDragMetrics.backgroundPsnr(a, new RgbImage(10, 10, px), EditMask.full(10, 10)));
    }

    @Test
    void vanishedObjectCountsAsNotMoved() {
        for (DragKind kind : DragKind.values()) {
            for (long seed = 0; seed < 20; seed++) {
                DragTask t = DragTaskGenerator.generate(seed, 64, 64, kind);
                int index = t.objectIndices().get(0);
                CaseResult r = METRICS.evaluate(t, t.scene().withoutObject(index).render());
                PairResult p = r.pairs().get(0);
                assertFalse(p.found());
                assertEquals(p.initialDistance(), p.handleError());
                PointPair pair = t.points().get(0);
                assertEquals(pair.handleX(), p.estimatedX());
                assertEquals(pair.handleY(), p.estimatedY());
                assertEquals(0, p.iou());
                assertEquals(1, r.vanished());
            }
        }
    }

    @Test
    void aCopyLeftBehindHitsTheTargetButHalvesTheIou() {
        ShapeColour red = Palette.OBJECT_COLOURS.get(0);
        ShapeObject star = ShapeObject.solid(ShapeKind.STAR, 16, 30, 8, 0.2, red);
        ShapeObject moved = star.movedBy(30, 4);
        boolean[] mask = new boolean[64 * 64];
        for (int y = 16; y < 48; y++) {
            for (int x = 4; x < 60; x++) {
                mask[y * 64 + x] = true;
            }
        }
        Background bg = Background.flat(Palette.BACKGROUND_COLOURS.get(1));
        DragTask t = new DragTask(new Scene(64, 64, bg, List.of(star)), DragKind.MOVE_ONE, List.of(0),
                List.of(new PointPair(17, 31, 47, 35)), new EditMask(64, 64, mask),
                new Scene(64, 64, bg, List.of(moved)));
        PairResult p = METRICS.evaluate(t, new Scene(64, 64, bg, List.of(star, moved)).render()).pairs().get(0);
        assertTrue(p.handleError() < 1e-6, "error " + p.handleError());
        assertEquals(0.5, p.iou(), 1e-9);
        PairResult stayed = METRICS.evaluate(t, t.image()).pairs().get(0);
        assertEquals(Math.hypot(30, 4), stayed.handleError(), 1e-6);
        assertEquals(0, stayed.iou());
    }

    @Test
    void anOverlappingCopyMergesIntoOneBlobAndScoresTheMidpoint() {
        int checked = 0;
        for (long seed = 0; seed < 100 && checked < 5; seed++) {
            DragTask t = DragTaskGenerator.generate(seed, 64, 64, DragKind.MOVE_ONE);
            int index = t.objectIndices().get(0);
            ShapeObject original = t.scene().objects().get(index);
            if (original.kind() != ShapeKind.DISC && original.kind() != ShapeKind.SQUARE
                    || t.initialDistance(0) > original.size()) {
                continue; // wanted: two solid copies that overlap into one blob of uniform density
            }
            List<ShapeObject> objects = new ArrayList<>(t.idealScene().objects());
            objects.add(original);
            RgbImage both = new Scene(64, 64, t.scene().background(), objects).render();
            PairResult p = METRICS.evaluate(t, both).pairs().get(0);
            // the union of two copies is symmetric about their midpoint
            assertEquals(0.5 * p.initialDistance(), p.handleError(), 0.5, "seed " + seed);
            checked++;
        }
        assertEquals(5, checked);
    }

    @Test
    void toleratesAColourShift() {
        for (long seed = 0; seed < 20; seed++) {
            DragTask t = DragTaskGenerator.generate(seed, 64, 64, DragKind.MOVE_ONE);
            byte[] rgb = t.idealImage().rgb();
            for (int i = 0; i < rgb.length; i++) {
                int v = (rgb[i] & 0xff) + (i % 3 == 0 ? 20 : -15);
                rgb[i] = (byte) Math.max(0, Math.min(255, v));
            }
            CaseResult r = METRICS.evaluate(t, new RgbImage(64, 64, rgb));
            assertTrue(r.pairs().get(0).handleError() < 1, "seed " + seed + ": " + r.pairs().get(0).handleError());
            assertTrue(r.pairs().get(0).iou() > 0.8, "seed " + seed + ": IoU " + r.pairs().get(0).iou());
            assertTrue(r.backgroundPsnr() < 30);
        }
    }

    @Test
    void eachPairIsMeasuredOnItsOwnObject() {
        DragTask t = DragTaskGenerator.generate(12, 64, 64, DragKind.MOVE_MANY);
        int first = t.objectIndices().get(0);
        Scene onlyFirst = t.scene().withObject(first, t.idealScene().objects().get(first));
        CaseResult r = METRICS.evaluate(t, onlyFirst.render());
        assertTrue(r.pairs().get(0).handleError() < 1e-6);
        for (int i = 1; i < r.pairs().size(); i++) {
            PairResult p = r.pairs().get(i);
            assertEquals(p.initialDistance(), p.handleError(), 1);
        }
    }

    @Test
    void summaryAveragesOverCases() {
        CaseResult one = new CaseResult(DragKind.MOVE_ONE, List.of(new PairResult(0, 10, 2, true, 0, 0, 0.8)), 40);
        CaseResult two = new CaseResult(DragKind.MOVE_MANY, List.of(new PairResult(0, 12, 4, true, 0, 0, 0.6),
                new PairResult(1, 8, 8, false, 0, 0, 0.0)), 20);
        Summary s = Summary.of(List.of(one, two));
        assertEquals(2, s.cases());
        assertEquals(3, s.pairs());
        assertEquals((2 + 6) / 2.0, s.meanHandleError(), 1e-12);
        assertEquals((10 + 10) / 2.0, s.meanInitialDistance(), 1e-12);
        assertEquals((0.8 + 0.3) / 2, s.meanIou(), 1e-12);
        assertEquals(30, s.meanBackgroundPsnr(), 1e-12);
        assertEquals(1, s.vanished());
        assertThrows(IllegalArgumentException.class, () -> Summary.of(List.of()));
    }

    @Test
    void badInputsAreRejected() {
        DragTask t = DragTaskGenerator.generate(1, 64, 64, DragKind.MOVE_ONE);
        assertThrows(IllegalArgumentException.class, () -> METRICS.evaluate(t, RgbImage.filled(32, 64, 0, 0, 0)));
        assertThrows(IllegalArgumentException.class, () -> new ShapeDragMetrics(0));
        assertThrows(IllegalArgumentException.class, () -> new CaseResult(DragKind.MOVE_ONE, List.of(), 1));
    }
}
