package org.draglora.engine.drag;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

class LatentWarpTest {

    private static final int C = 2;
    private static final int H = 8;
    private static final int W = 10;

    /** Channel 0: 100 + the cell's index; channel 1: minus that, so channels stay told apart. */
    private static float[] latent() {
        float[] z = new float[C * H * W];
        for (int i = 0; i < H * W; i++) {
            z[i] = 100 + i;
            z[H * W + i] = -(100 + i);
        }
        return z;
    }

    private static float at(float[] z, int channel, int row, int col) {
        return z[channel * H * W + row * W + col];
    }

    @Test
    void theRegionMovesByTheVectorAndTheCellsItLeavesTakeWhatLayBeyondIt() {
        float[] z = latent();
        // handle at (4, 2), moved 3 columns right; radius 1: (4,2) and its four neighbours
        float[] out = LatentWarp.warp(z, C, H, W, null, List.of(new LatentWarp.Move(4, 2, 0, 3)), 1.0);
        for (int ch = 0; ch < C; ch++) {
            assertEquals(at(z, ch, 4, 2), at(out, ch, 4, 5), "the handle cell lands on the target");
            assertEquals(at(z, ch, 3, 2), at(out, ch, 3, 5));
            assertEquals(at(z, ch, 4, 1), at(out, ch, 4, 4));
            assertEquals(at(z, ch, 4, 3), at(out, ch, 4, 6));
            // the vacated cells take the latent 3 cells on (outside the region)
            assertEquals(at(z, ch, 4, 4), at(out, ch, 4, 1), "(4,1): 3 on is (4,4), outside the region");
            assertEquals(at(z, ch, 3, 5), at(out, ch, 3, 2));
            // (4,2): 3 on is (4,5), outside the region
            assertEquals(at(z, ch, 4, 5), at(out, ch, 4, 2));
            assertEquals(at(z, ch, 0, 0), at(out, ch, 0, 0), "far cells stay");
            assertEquals(at(z, ch, 4, 9), at(out, ch, 4, 9));
        }
    }

    @Test
    void nothingOutsideTheMaskChangesAndMovesStopAtIt() {
        float[] z = latent();
        boolean[] editable = new boolean[H * W];
        for (int r = 0; r < H; r++) {
            for (int c = 0; c < 5; c++) {
                editable[r * W + c] = true; // columns 0..4 may change
            }
        }
        float[] out = LatentWarp.warp(z, C, H, W, editable, List.of(new LatentWarp.Move(4, 1, 0, 2)), 1.5);
        for (int ch = 0; ch < C; ch++) {
            for (int r = 0; r < H; r++) {
                for (int c = 5; c < W; c++) {
                    assertEquals(at(z, ch, r, c), at(out, ch, r, c), "outside the mask at " + r + "," + c);
                }
            }
            assertEquals(at(z, ch, 4, 1), at(out, ch, 4, 3), "inside the mask the region moves");
            assertEquals(at(z, ch, 4, 2), at(out, ch, 4, 4));
        }
    }

    @Test
    void vectorsRoundToWholeCellsAndAZeroMoveChangesNothing() {
        float[] z = latent();
        assertArrayEquals(z, LatentWarp.warp(z, C, H, W, null, List.of(new LatentWarp.Move(4, 4, 0.3, -0.4)), 2));
        float[] out = LatentWarp.warp(z, C, H, W, null, List.of(new LatentWarp.Move(2, 4, 2.6, 0.2)), 0);
        assertEquals(at(z, 0, 2, 4), at(out, 0, 5, 4), "2.6 rows round to 3");
        assertEquals(at(z, 0, 3, 4), at(out, 0, 3, 4), "radius 0 moves the handle's cell only");
    }

    @Test
    void movesApplyOneAfterTheOther() {
        float[] z = latent();
        float[] out = LatentWarp.warp(z, C, H, W, null,
                List.of(new LatentWarp.Move(1, 1, 0, 2), new LatentWarp.Move(1, 3, 3, 0)), 0);
        assertEquals(at(z, 0, 1, 1), at(out, 0, 4, 3), "the second move carries what the first put there");
    }

    @Test
    void badInputIsRefused() {
        float[] z = latent();
        List<LatentWarp.Move> none = List.of();
        assertThrows(IllegalArgumentException.class, () -> LatentWarp.warp(z, C, H, W + 1, null, none, 1));
        assertThrows(IllegalArgumentException.class, () -> LatentWarp.warp(z, C, H, W, new boolean[3], none, 1));
        assertThrows(IllegalArgumentException.class, () -> LatentWarp.warp(z, C, H, W, null, none, -1));
        assertThrows(IllegalArgumentException.class, () -> new LatentWarp.Move(Double.NaN, 0, 0, 0));
    }
}
