package org.draglora.engine.shapes;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.draglora.engine.io.DragSample;
import org.draglora.engine.io.PointPair;
import org.junit.jupiter.api.Test;

/** The ShapeDrag task generator's rules, checked over many seeds. */
class DragTaskGeneratorTest {

    private static final int SEEDS = 150;

    @Test
    void sameSeedSameTask() {
        for (DragKind kind : DragKind.values()) {
            DragTask a = DragTaskGenerator.generate(42, 64, 64, kind);
            DragTask b = DragTaskGenerator.generate(42, 64, 64, kind);
            assertEquals(a, b);
            assertArrayEquals(a.image().rgb(), b.image().rgb());
            assertNotEquals(a, DragTaskGenerator.generate(43, 64, 64, kind));
        }
    }

    @Test
    void pairCountsFollowTheKind() {
        boolean sawThree = false;
        for (long seed = 0; seed < SEEDS; seed++) {
            assertEquals(1, DragTaskGenerator.generate(seed, 64, 64, DragKind.MOVE_ONE).points().size());
            assertEquals(1, DragTaskGenerator.generate(seed, 64, 64, DragKind.STRETCH).points().size());
            int many = DragTaskGenerator.generate(seed, 64, 64, DragKind.MOVE_MANY).points().size();
            assertTrue(many == 2 || many == 3, "seed " + seed + ": " + many + " pairs");
            sawThree |= many == 3;
        }
        assertTrue(sawThree);
    }

    @Test
    void draggedObjectsStayInFrameAndHandlesLandOnTargets() {
        for (int[] size : new int[][] {{64, 64}, {128, 96}}) {
            int w = size[0];
            int h = size[1];
            double s = Math.min(w, h) / 64.0;
            for (DragKind kind : DragKind.values()) {
                for (long seed = 0; seed < SEEDS; seed++) {
                    DragTask t = DragTaskGenerator.generate(seed, w, h, kind);
                    String where = kind + " seed " + seed + " " + w + "x" + h;
                    for (int i = 0; i < t.points().size(); i++) {
                        PointPair p = t.points().get(i);
                        ShapeObject before = t.scene().objects().get(t.objectIndices().get(i));
                        ShapeObject after = t.idealScene().objects().get(t.objectIndices().get(i));
                        assertTrue(p.isInside(w, h), where);
                        assertInFrame(before, w, h, where);
                        assertInFrame(after, w, h, where);
                        assertTrue(before.depth(p.handleX(), p.handleY()) > 0, where + ": handle outside the object");
                        assertTrue(after.depth(p.targetX(), p.targetY()) > 0, where + ": target outside the result");
                        double len = t.initialDistance(i);
                        assertTrue(len >= 8 * s - 1e-9 && len <= 20 * s + 1e-9, where + ": length " + len);
                        if (kind == DragKind.STRETCH) {
                            assertStretchKeepsTheOppositePoint(before, after, p, where);
                        } else {
                            ShapeObject moved = before.movedBy(p.targetX() - p.handleX(), p.targetY() - p.handleY());
                            assertEquals(moved.centreX(), after.centreX(), 1e-9, where);
                            assertEquals(moved.centreY(), after.centreY(), 1e-9, where);
                            assertEquals(moved.withStretch(1, 0, 0), after.withStretch(1, 0, 0), where);
                        }
                    }
                }
            }
        }
    }

    private static void assertInFrame(ShapeObject o, int w, int h, String where) {
        assertTrue(o.centreX() - o.halfWidth() >= 1 - 1e-9 && o.centreX() + o.halfWidth() <= w - 2 + 1e-9, where);
        assertTrue(o.centreY() - o.halfHeight() >= 1 - 1e-9 && o.centreY() + o.halfHeight() <= h - 2 + 1e-9, where);
    }

    private static void assertStretchKeepsTheOppositePoint(ShapeObject before, ShapeObject after, PointPair p,
            String where) {
        double ux = before.axisX();
        double uy = before.axisY();
        assertEquals(before.rotation(), after.rotation(), where);
        assertTrue(after.stretch() > 1 && after.stretch() <= 2 + 1e-9, where + ": stretch " + after.stretch());
        // the drag runs along the object's axis
        double dx = p.targetX() - p.handleX();
        double dy = p.targetY() - p.handleY();
        assertEquals(0, dx * uy - dy * ux, 1e-9, where);
        assertTrue(dx * ux + dy * uy > 0, where);
        double backBefore = before.edgeDistance(-ux, -uy);
        double backAfter = after.edgeDistance(-ux, -uy);
        assertEquals(before.centreX() - backBefore * ux, after.centreX() - backAfter * ux, 1e-6, where);
        assertEquals(before.centreY() - backBefore * uy, after.centreY() - backAfter * uy, 1e-6, where);
        // the handle's point, mapped by the stretch, is the target
        double hu = (p.handleX() - before.centreX()) * ux + (p.handleY() - before.centreY()) * uy;
        double tu = (p.targetX() - after.centreX()) * ux + (p.targetY() - after.centreY()) * uy;
        assertEquals((hu + backBefore) * after.stretch() / before.stretch(), tu + backAfter, 1e-6, where);
    }

    @Test
    void idealImageDiffersFromTheInputOnlyInsideTheMask() {
        for (DragKind kind : DragKind.values()) {
            for (long seed = 0; seed < SEEDS; seed++) {
                DragTask t = DragTaskGenerator.generate(seed, 64, 64, kind);
                byte[] in = t.image().rgb();
                byte[] ideal = t.idealImage().rgb();
                boolean[] mask = t.mask().editable();
                int changed = 0;
                for (int i = 0; i < mask.length; i++) {
                    boolean differs = in[3 * i] != ideal[3 * i] || in[3 * i + 1] != ideal[3 * i + 1]
                            || in[3 * i + 2] != ideal[3 * i + 2];
                    if (differs) {
                        assertTrue(mask[i], kind + " seed " + seed + ": pixel " + i + " changes outside the mask");
                        changed++;
                    }
                }
                assertTrue(changed > 20, kind + " seed " + seed + ": only " + changed + " pixels change");
                assertTrue(t.mask().count() < mask.length, kind + " seed " + seed + ": the mask covers everything");
            }
        }
    }

    @Test
    void maskCoversTheObjectsWithAMargin() {
        for (DragKind kind : DragKind.values()) {
            for (long seed = 0; seed < 15; seed++) {
                DragTask t = DragTaskGenerator.generate(seed, 64, 64, kind);
                double reach = DragTaskGenerator.maskMargin(64, 64) - 0.36; // 0.36: farthest from a 0.5 grid point
                for (int index : t.objectIndices()) {
                    for (Scene s : List.of(t.scene(), t.idealScene())) {
                        ShapeObject o = s.objects().get(index);
                        for (double y = 0; y < 64; y += 0.5) {
                            for (double x = 0; x < 64; x += 0.5) {
                                if (o.contains(x, y)) {
                                    assertEditableAround(t, x, y, reach, kind + " seed " + seed);
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    private static void assertEditableAround(DragTask t, double x, double y, double reach, String where) {
        for (int py = (int) Math.max(0, Math.ceil(y - reach)); py <= Math.min(63, y + reach); py++) {
            for (int px = (int) Math.max(0, Math.ceil(x - reach)); px <= Math.min(63, x + reach); px++) {
                if (Math.hypot(px - x, py - y) <= reach) {
                    assertTrue(t.mask().isEditable(px, py), where + ": (" + px + ", " + py + ") near (" + x + ", "
                            + y + ")");
                }
            }
        }
    }

    @Test
    void taskScenesFollowTheSceneRules() {
        for (long seed = 0; seed < SEEDS; seed++) {
            DragTask t = DragTaskGenerator.generate(seed, 64, 64, DragKind.MOVE_ONE);
            List<ShapeObject> objects = t.scene().objects();
            assertTrue(objects.size() >= 1 && objects.size() <= 3);
            for (int i = 0; i < objects.size(); i++) {
                for (int j = i + 1; j < objects.size(); j++) {
                    assertTrue(Palette.separation(Palette.OBJECT_COLOURS.indexOf(objects.get(i).fill()),
                            Palette.OBJECT_COLOURS.indexOf(objects.get(j).fill())) >= Palette.MIN_SEPARATION);
                }
            }
        }
    }

    @Test
    void sampleCarriesImageMaskPromptAndPoints() {
        DragTask t = DragTaskGenerator.generate(9, 64, 64, DragKind.MOVE_MANY);
        DragSample s = t.toSample();
        assertEquals(t.image(), s.image());
        assertEquals(t.mask(), s.mask());
        assertEquals(t.scene().prompt(), s.prompt());
        assertEquals(t.points(), s.points());
    }

    @Test
    void badParametersAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> DragTaskGenerator.generate(1, 16, 64, DragKind.MOVE_ONE));
        assertThrows(IllegalArgumentException.class, () -> DragTaskGenerator.generate(1, 64, 64, null));
        DragTask t = DragTaskGenerator.generate(1, 64, 64, DragKind.MOVE_ONE);
        assertThrows(IllegalArgumentException.class, () -> new DragTask(t.scene(), t.kind(), List.of(), t.points(),
                t.mask(), t.idealScene()));
        assertThrows(IllegalArgumentException.class, () -> new DragTask(t.scene(), t.kind(), List.of(7), t.points(),
                t.mask(), t.idealScene()));
    }
}
