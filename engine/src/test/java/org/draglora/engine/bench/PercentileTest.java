package org.draglora.engine.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

class PercentileTest {

    @Test
    void nearestRankOfUnsortedValues() {
        List<Long> v = new ArrayList<>();
        for (long i = 1; i <= 100; i++) {
            v.add(i);
        }
        Collections.shuffle(v, new java.util.Random(1));
        assertEquals(50.0, Percentile.of(v, 50));
        assertEquals(95.0, Percentile.of(v, 95));
        assertEquals(99.0, Percentile.of(v, 99));
        assertEquals(100.0, Percentile.of(v, 100));
        assertEquals(1.0, Percentile.of(v, 0));
        assertEquals(2.0, Percentile.of(List.of(3.0, 1.0, 2.0), 50));
        assertTrue(Double.isNaN(Percentile.of(List.of(), 50)));
    }
}
