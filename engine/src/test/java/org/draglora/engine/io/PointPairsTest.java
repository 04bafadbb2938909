package org.draglora.engine.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** {@link PointPairs} and {@link PointPair}. */
class PointPairsTest {

    @Test
    void parsesTheCommandLineSyntax() {
        assertEquals(List.of(new PointPair(1, 2, 3, 4)), PointPairs.parse("1,2:3,4"));
        assertEquals(List.of(new PointPair(10.5, 20, 30, 40), new PointPair(100, 0, 5, -6)),
                PointPairs.parse(" 10.5 , 20 : 30,40 ; 1e2,0:5,-6 "));
        assertEquals(List.of(new PointPair(0.5, 0, 7, 8)), PointPairs.parse(".5,+0:7.,8"));
    }

    @Test
    void formatIsTheInverse() {
        List<PointPair> pairs = List.of(new PointPair(120, 200, 180, 210), new PointPair(1.25, 0, 3, 4.5));
        assertEquals("120,200:180,210;1.25,0:3,4.5", PointPairs.format(pairs));
        assertEquals(pairs, PointPairs.parse(PointPairs.format(pairs)));
    }

    @Test
    void badInputNamesTheOffendingPiece() {
        expectError("", "no point pairs");
        expectError("   ", "no point pairs");
        expectError("1,2:3", "\"3\"");
        expectError("1,2:3,4;", "point pair 2 is empty");
        expectError("1,2:3,4;;5,6:7,8", "point pair 2 is empty");
        expectError("1,2,3:4,5", "\"1,2,3\"");
        expectError("a,2:3,4", "\"a\"");
        expectError("1,2:3,4;5,6:x,8", "point pair 2");
        expectError("1,2:3,4:5,6", "handle:target");
        expectError("1,2;3,4", "handle:target");
        expectError("NaN,1:2,3", "\"NaN\"");
        expectError("0x10,1:2,3", "\"0x10\"");
        expectError("1f,2:3,4", "\"1f\"");
        expectError("1,2:3,Infinity", "\"Infinity\"");
        expectError("1e999,1:2,3", "out of range");
    }

    @Test
    void alternatingPoints() {
        assertEquals(List.of(new PointPair(1, 2, 3, 4), new PointPair(5, 6, 7, 8)),
                PointPairs.fromAlternating(new double[][] {{1, 2}, {3, 4}, {5, 6}, {7, 8}}));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> PointPairs.fromAlternating(new double[][] {{1, 2}, {3, 4}, {5, 6}}));
        assertTrue(e.getMessage().contains("odd number of points (3)"), e.getMessage());
    }

    @Test
    void pointPairRules() {
        PointPair p = new PointPair(0, 0, 511, 511);
        assertTrue(p.isInside(512, 512));
        assertFalse(p.isInside(511, 512));
        assertFalse(new PointPair(-0.5, 0, 1, 1).isInside(512, 512));
        assertEquals(new PointPair(511, 511, 0, 0), p.swapped());
        assertThrows(IllegalArgumentException.class, () -> new PointPair(Double.NaN, 0, 0, 0));
        assertThrows(IllegalArgumentException.class, () -> new PointPair(0, 0, Double.POSITIVE_INFINITY, 0));
    }

    private static void expectError(String input, String fragment) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> PointPairs.parse(input),
                "input \"" + input + "\"");
        assertTrue(e.getMessage().contains(fragment), "\"" + input + "\" -> " + e.getMessage());
        assertFalse(e.getMessage().contains("\n"), e.getMessage());
    }
}
