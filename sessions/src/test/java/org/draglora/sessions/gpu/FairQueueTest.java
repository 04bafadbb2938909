package org.draglora.sessions.gpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The queue's policy, without actors: a manual clock, scripted job costs. */
class FairQueueTest {

    private long now;

    private FairQueue<String> queue(int capacity, long promotion) {
        return new FairQueue<>(capacity, promotion, () -> now);
    }

    @Test
    void sessionsShareTheDeviceByTimeNotByJobCount() {
        FairQueue<String> q = queue(1000, Long.MAX_VALUE);
        // "doo" jobs cost 4 units, "ilfa" jobs 1 unit; both sessions always have work waiting
        Map<String, Long> cost = Map.of("doo", 4L, "ilfa", 1L);
        Map<String, Integer> runs = new HashMap<>();
        for (String s : cost.keySet()) {
            q.offer(s, JobPriority.INTERACTIVE, s);
        }
        for (int i = 0; i < 500; i++) {
            String s = q.poll();
            runs.merge(s, 1, Integer::sum);
            q.charge(s, cost.get(s));
            q.offer(s, JobPriority.INTERACTIVE, s); // the session submits its next step
        }
        long dooTime = runs.get("doo") * 4L;
        long ilfaTime = runs.get("ilfa");
        assertTrue(Math.abs(dooTime - ilfaTime) <= 4, "device time " + dooTime + " vs " + ilfaTime);
        assertEquals(4.0, (double) runs.get("ilfa") / runs.get("doo"), 0.1, "four cheap steps per expensive one");
    }

    @Test
    void jobsOfOneSessionRunInOrder() {
        FairQueue<String> q = queue(10, Long.MAX_VALUE);
        q.offer("a", JobPriority.INTERACTIVE, "a1");
        q.offer("a", JobPriority.INTERACTIVE, "a2");
        q.offer("a", JobPriority.INTERACTIVE, "a3");
        assertEquals(List.of("a1", "a2", "a3"), List.of(q.poll(), q.poll(), q.poll()));
        assertNull(q.poll());
    }

    @Test
    void aFullQueueRefusesAndKeepsWhatItHas() {
        FairQueue<String> q = queue(2, Long.MAX_VALUE);
        assertTrue(q.offer("a", JobPriority.INTERACTIVE, "a1"));
        assertTrue(q.offer("b", JobPriority.BACKGROUND, "b1"));
        assertFalse(q.offer("c", JobPriority.INTERACTIVE, "c1"));
        assertEquals(2, q.size());
        assertEquals("a1", q.poll());
        assertTrue(q.offer("c", JobPriority.INTERACTIVE, "c1"), "room again after a job left");
    }

    @Test
    void interactiveWorkGoesFirstUntilBackgroundWorkHasWaitedTooLong() {
        FairQueue<String> q = queue(10, 100);
        q.offer("prep", JobPriority.BACKGROUND, "reclora");
        q.offer("edit", JobPriority.INTERACTIVE, "drag1");
        q.offer("edit", JobPriority.INTERACTIVE, "drag2");
        assertEquals("drag1", q.poll(), "interactive first, although queued later");
        now = 100;
        assertEquals("reclora", q.poll(), "promoted after waiting the promotion delay");
        assertEquals("drag2", q.poll());
    }

    @Test
    void idlingEarnsNoCredit() {
        FairQueue<String> q = queue(100, Long.MAX_VALUE);
        // session a works alone for a long time
        for (int i = 0; i < 10; i++) {
            q.offer("a", JobPriority.INTERACTIVE, "a");
            q.charge(q.poll(), 10);
        }
        // b arrives; a keeps submitting: b must not get 100 units of catch-up before a runs again
        q.offer("a", JobPriority.INTERACTIVE, "a");
        q.offer("b", JobPriority.INTERACTIVE, "b");
        List<String> order = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            String s = q.poll();
            order.add(s);
            q.charge(s, 10);
            q.offer(s, JobPriority.INTERACTIVE, s);
        }
        assertTrue(order.subList(0, 4).contains("a"), "a runs within the first rounds: " + order);
        assertEquals(3, order.stream().filter("b"::equals).count(), "alternating after b joins: " + order);
    }

    @Test
    void removingASessionReturnsItsJobsAndFreesTheirPlaces() {
        FairQueue<String> q = queue(3, Long.MAX_VALUE);
        q.offer("a", JobPriority.INTERACTIVE, "a1");
        q.offer("a", JobPriority.BACKGROUND, "a2");
        q.offer("b", JobPriority.INTERACTIVE, "b1");
        assertEquals(List.of("a1", "a2"), q.removeSession("a"));
        assertEquals(1, q.size());
        assertEquals(0, q.size("a"));
        assertEquals("b1", q.poll());
        q.charge("a", 5);
        q.forget("a");
        assertFalse(q.chargedNanos().containsKey("a"));
    }
}
