package org.draglora.http.sessions;

import java.util.ArrayList;
import java.util.List;
import org.draglora.sessions.collab.RoomEvent;

/**
 * The events waiting for a slow WebSocket client. A droppable event (step progress, a cursor)
 * replaces the waiting one of the same kind, so a client that cannot keep up gets the latest
 * progress, not a growing backlog; every other event (state changes, edits, the result, errors)
 * is kept, in order. A client so slow that {@link #MAX_WAITING} events that must not be dropped
 * pile up is disconnected (it reconnects and reads the state afresh).
 */
final class Coalescing {

    /** Non-droppable events that may wait before the client is given up. */
    static final int MAX_WAITING = 10_000;

    private Coalescing() {}

    /** A new backlog holding {@code first}. */
    static List<RoomEvent> start(RoomEvent first) {
        List<RoomEvent> waiting = new ArrayList<>();
        waiting.add(first);
        return waiting;
    }

    /** {@code waiting} with {@code next} added (replacing a droppable event of the same kind). */
    static List<RoomEvent> add(List<RoomEvent> waiting, RoomEvent next) {
        if (next.droppable()) {
            waiting.removeIf(e -> e.droppable() && e.coalesceKey().equals(next.coalesceKey()));
        }
        waiting.add(next);
        if (waiting.size() > MAX_WAITING) {
            throw new IllegalStateException("the client reads too slowly: " + waiting.size() + " events wait");
        }
        return waiting;
    }
}
