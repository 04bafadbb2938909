package org.draglora.http.sessions;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.draglora.sessions.collab.RoomEvent;
import org.draglora.sessions.edit.SessionState;
import org.draglora.sessions.edit.StepSummary;
import org.junit.jupiter.api.Test;

/** What a slow WebSocket client receives: the latest progress, every event that must not be lost, in order. */
class CoalescingTest {

    private static RoomEvent.Stepped step(int n) {
        StepSummary s = new StepSummary("DRAG", n, 80, "DOO", List.of(), 0.1, 0.1, 2, 1, 1000, null, null, "DRAG");
        return new RoomEvent.Stepped(SessionState.empty(), s, n);
    }

    @Test
    void aNewStepReplacesTheWaitingOneAndKeepsTheRest() {
        List<RoomEvent> waiting = Coalescing.start(step(1));
        waiting = Coalescing.add(waiting, new RoomEvent.Acked("r", 3, null));
        waiting = Coalescing.add(waiting, new RoomEvent.CursorMoved("p1", 1, 1));
        waiting = Coalescing.add(waiting, step(2));
        waiting = Coalescing.add(waiting, new RoomEvent.CursorMoved("p2", 5, 5));
        waiting = Coalescing.add(waiting, new RoomEvent.CursorMoved("p1", 2, 2));
        waiting = Coalescing.add(waiting, new RoomEvent.Finished(9));
        assertEquals(5, waiting.size(), waiting.toString());
        assertInstanceOf(RoomEvent.Acked.class, waiting.get(0));
        assertEquals(2, ((RoomEvent.Stepped) waiting.get(1)).n());
        assertEquals("p2", ((RoomEvent.CursorMoved) waiting.get(2)).participantId());
        assertEquals(2.0, ((RoomEvent.CursorMoved) waiting.get(3)).x());
        assertInstanceOf(RoomEvent.Finished.class, waiting.get(4));
    }

    @Test
    void aClientThatNeverReadsIsGivenUp() {
        List<RoomEvent> waiting = Coalescing.start(new RoomEvent.Finished(1));
        for (int i = 0; i < Coalescing.MAX_WAITING - 1; i++) {
            waiting = Coalescing.add(waiting, new RoomEvent.Acked("r" + i, i, null));
        }
        List<RoomEvent> full = waiting;
        assertThrows(IllegalStateException.class, () -> Coalescing.add(full, new RoomEvent.Acked("last", 0, null)));
    }

    @Test
    void aSlowReaderGetsFewerStepsButEveryFinalEvent() throws Exception {
        ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "coalescing");
        try {
            List<RoomEvent> events = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                events.add(step(i));
                if (i % 50 == 0) {
                    events.add(new RoomEvent.Acked("r" + i, i, null));
                }
            }
            events.add(new RoomEvent.Finished(999));
            List<RoomEvent> got = Source.from(events)
                    .conflateWithSeed(Coalescing::start, Coalescing::add)
                    .mapConcat(l -> l)
                    .throttle(1, Duration.ofMillis(20)) // the slow client
                    .runWith(Sink.seq(), system).toCompletableFuture().get(30, TimeUnit.SECONDS);
            long steps = got.stream().filter(e -> e instanceof RoomEvent.Stepped).count();
            long acks = got.stream().filter(e -> e instanceof RoomEvent.Acked).count();
            assertTrue(steps < 100, "steps were coalesced: " + steps);
            assertEquals(4, acks, "no ack is dropped");
            assertInstanceOf(RoomEvent.Finished.class, got.get(got.size() - 1));
            assertEquals(199, ((RoomEvent.Stepped) got.get(got.size() - 2)).n(), "the latest step arrives");
            int last = -1;
            for (RoomEvent e : got) {
                if (e instanceof RoomEvent.Stepped s) {
                    assertTrue(s.n() > last, "steps stay in order");
                    last = s.n();
                }
            }
        } finally {
            system.terminate();
        }
    }
}
