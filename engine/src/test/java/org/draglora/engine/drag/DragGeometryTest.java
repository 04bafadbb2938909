package org.draglora.engine.drag;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Typed points and the image <-> grid conversion (ALGORITHM.md §0, §3.6). */
class DragGeometryTest {

    @Test
    void referenceGridIsHalfResolutionTruncated() {
        assertEquals(new DragGeometry(512, 512, 256, 256), DragGeometry.forImage(512, 512));
        // int(0.5*683) = 341: Python's int() truncates
        assertEquals(new DragGeometry(683, 512, 341, 256), DragGeometry.forImage(683, 512));
    }

    @Test
    void toGridScalesAndSwapsToRowCol() {
        DragGeometry g = DragGeometry.forImage(512, 512);
        assertEquals(new GridPoint(25, 50), g.toGrid(new ImagePoint(100, 50)));
        DragGeometry wide = DragGeometry.forImage(384, 512); // grid 192 x 256
        assertEquals(new GridPoint(96, 200), wide.toGrid(new ImagePoint(400, 192)));
    }

    @Test
    void toGridRoundsHalfToEvenLikeTorchRound() {
        DragGeometry g = DragGeometry.forImage(512, 512);
        // y/512*256 = y/2: 1.5 -> 2, 2.5 -> 2, 3.5 -> 4, 0.5 -> 0
        assertEquals(2, g.toGrid(new ImagePoint(0, 3)).row());
        assertEquals(2, g.toGrid(new ImagePoint(0, 5)).row());
        assertEquals(4, g.toGrid(new ImagePoint(0, 7)).row());
        assertEquals(0, g.toGrid(new ImagePoint(1, 0)).col());
        assertEquals(2, g.toGrid(new ImagePoint(5, 0)).col());
    }

    @Test
    void toGridRoundsTheFloat32QuotientAsTorchTensorDoes() {
        // 683 rows -> 341: y = 1 gives 341/683 = 0.49926..., rounds to 0; y = 3 gives 1.4978 -> 1
        DragGeometry g = DragGeometry.forImage(683, 512);
        assertEquals(0, g.toGrid(new ImagePoint(0, 1)).row());
        assertEquals(1, g.toGrid(new ImagePoint(0, 3)).row());
        assertEquals(Math.rint((float) (500.0 / 683 * 341)), g.toGrid(new ImagePoint(0, 500)).row());
    }

    @Test
    void lastPixelRowIsClampedOntoTheGrid() {
        DragGeometry g = DragGeometry.forImage(512, 512);
        // the reference gets 255.5 -> 256, one past the grid; we clamp to 255
        assertEquals(new GridPoint(255, 255), g.toGrid(new ImagePoint(511, 511)));
        assertEquals(new GridPoint(255, 255), g.toGrid(new ImagePoint(510, 510)));
    }

    @Test
    void pointsOutsideTheImageAreRejectedByName() {
        DragGeometry g = DragGeometry.forImage(384, 512);
        for (ImagePoint bad : new ImagePoint[] {new ImagePoint(-1, 0), new ImagePoint(512, 0), new ImagePoint(0, 384),
                new ImagePoint(0, -0.5)}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> g.toGrid(bad));
            assertTrue(e.getMessage().contains(bad.toString()), e.getMessage());
        }
        IllegalArgumentException nan =
                assertThrows(IllegalArgumentException.class, () -> new ImagePoint(Double.NaN, 3));
        assertTrue(nan.getMessage().contains("NaN"), nan.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new GridPoint(1, Double.POSITIVE_INFINITY));
    }

    @Test
    void toImageIsTheInverseScaling() {
        DragGeometry g = DragGeometry.forImage(384, 512);
        assertEquals(new ImagePoint(100, 50), g.toImage(new GridPoint(25, 50)));
        ImagePoint click = new ImagePoint(300, 120);
        assertEquals(click, g.toImage(g.toGrid(click)));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> g.toImage(new GridPoint(192, 0)));
        assertTrue(e.getMessage().contains("GridPoint[row=192.0, col=0.0]"), e.getMessage());
    }

    @Test
    void negativeZeroEqualsZero() {
        assertEquals(new GridPoint(0, 3), new GridPoint(-0.0, 3));
        assertEquals(new GridPoint(0, 3), new GridPoint(1, 3).plus(-1, 0));
    }

    @Test
    void badSizesAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> DragGeometry.forImage(1, 512));
        assertThrows(IllegalArgumentException.class, () -> DragGeometry.forImage(512, 512, 0));
    }
}
