package org.draglora.engine.drag;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import org.junit.jupiter.api.Test;

class LatentFollowTest {

    /** A drag 16 px to the right at 4 px a latent cell: 4 cells. */
    private static final ImagePoint HANDLE = new ImagePoint(10, 20);
    private static final ImagePoint TARGET = new ImagePoint(26, 20);

    private static ImagePoint at(double x, double y) {
        return new ImagePoint(x, y);
    }

    @Test
    void theRegionFollowsTheTrackedProgressInWholeCellsFromWhereItIsNow() {
        LatentFollow f = new LatentFollow(4);
        assertTrue(f.update(1, HANDLE, TARGET, HANDLE, at(11, 20)).isEmpty(), "1 px is a quarter cell");
        LatentWarp.Move m = f.update(1, HANDLE, TARGET, HANDLE, at(17, 20)).orElseThrow();
        // 7 px along the drag: 1.75 cells round to 2; the region still sits at the handle's cell
        assertEquals(new LatentWarp.Move(LatentWarp.latentCoordinate(20, 4), LatentWarp.latentCoordinate(10, 4), 0, 2),
                m);
        assertArrayEquals(new int[] {0, 2}, f.moved(1));
        m = f.update(1, HANDLE, TARGET, HANDLE, at(22, 20)).orElseThrow();
        // 12 px: 3 cells, one more, from where the region is now (2 cells on)
        assertEquals(LatentWarp.latentCoordinate(10, 4) + 2, m.col(), 1e-12);
        assertEquals(1, m.dCol(), 1e-12);
        assertEquals(0, m.dRow(), 1e-12);
    }

    @Test
    void progressIsTheProjectionOnTheDragClampedToItsLength() {
        LatentFollow f = new LatentFollow(4);
        // 12 px sideways and 4 along: only the 4 along count, 1 cell
        assertEquals(Optional.of(1.0), f.update(1, HANDLE, TARGET, HANDLE, at(14, 32)).map(LatentWarp.Move::dCol));
        assertArrayEquals(new int[] {0, 1}, f.moved(1));
        // far past the target: the whole drag, 4 cells, never more
        f.update(1, HANDLE, TARGET, HANDLE, at(60, 20));
        assertArrayEquals(new int[] {0, 4}, f.moved(1));
        // walking back behind the handle: the region returns to where it started
        LatentWarp.Move back = f.update(1, HANDLE, TARGET, HANDLE, at(2, 20)).orElseThrow();
        assertEquals(-4, back.dCol(), 1e-12);
        assertArrayEquals(new int[] {0, 0}, f.moved(1));
    }

    @Test
    void progressCountsFromTheAnchorNotFromTheUsersPixel() {
        LatentFollow f = new LatentFollow(4);
        ImagePoint anchor = at(12, 20); // the grid point the handle was rounded to
        assertTrue(f.update(1, HANDLE, TARGET, anchor, anchor).isEmpty(), "tracking where it started moves nothing");
        assertArrayEquals(new int[] {0, 0}, f.moved(1));
    }

    @Test
    void diagonalDragsMoveRowsAndColumnsAndPointsAreKeptApart() {
        LatentFollow f = new LatentFollow(8);
        ImagePoint h = at(100, 100);
        ImagePoint t = at(148, 52); // 6 cells right, 6 up
        LatentWarp.Move m = f.update(7, h, t, h, at(124, 76)).orElseThrow(); // half way
        assertEquals(-3, m.dRow(), 1e-12);
        assertEquals(3, m.dCol(), 1e-12);
        assertArrayEquals(new int[] {0, 0}, f.moved(8), "another point has moved nothing");
        assertTrue(f.update(8, h, t, h, h).isEmpty());
    }

    @Test
    void aHandleTheUserMovedStartsAgainAtItsNewPlace() {
        LatentFollow f = new LatentFollow(4);
        f.update(1, HANDLE, TARGET, HANDLE, at(26, 20));
        assertArrayEquals(new int[] {0, 4}, f.moved(1));
        ImagePoint moved = at(40, 40);
        ImagePoint target = at(40, 56);
        LatentWarp.Move m = f.update(1, moved, target, moved, at(40, 48)).orElseThrow();
        // a fresh start: 8 px down from the new handle's cell, not a move relative to the old region
        assertEquals(LatentWarp.latentCoordinate(40, 4), m.row(), 1e-12);
        assertEquals(LatentWarp.latentCoordinate(40, 4), m.col(), 1e-12);
        assertEquals(2, m.dRow(), 1e-12);
        assertEquals(0, m.dCol(), 1e-12);
    }

    @Test
    void aNewTargetKeepsWhatWasMovedAndSteersFromThere() {
        LatentFollow f = new LatentFollow(4);
        f.update(1, HANDLE, TARGET, HANDLE, at(18, 20)); // 2 cells right
        ImagePoint down = at(10, 36); // the user now drags down instead
        LatentWarp.Move m = f.update(1, HANDLE, down, HANDLE, at(10, 28)).orElseThrow();
        // 8 px along the new drag: the region goes from 2 cells right to 2 cells down
        assertEquals(LatentWarp.latentCoordinate(10, 4) + 2, m.col(), 1e-12);
        assertEquals(2, m.dRow(), 1e-12);
        assertEquals(-2, m.dCol(), 1e-12);
    }

    @Test
    void aZeroLengthDragMovesNothingAndBadScalesAreRefused() {
        LatentFollow f = new LatentFollow(4);
        assertTrue(f.update(1, HANDLE, HANDLE, HANDLE, at(30, 30)).isEmpty());
        assertThrows(IllegalArgumentException.class, () -> new LatentFollow(0));
    }
}
