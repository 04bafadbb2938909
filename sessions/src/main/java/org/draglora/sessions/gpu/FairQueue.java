package org.draglora.sessions.gpu;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * The scheduler's queue: bounded, fair between sessions by measured device time, interactive work
 * before background work.
 *
 * <p>Fairness is start-time fair queueing on device time: each session has a virtual time, the
 * device time it has been charged; the next job comes from the waiting session with the smallest
 * virtual time, so a session whose steps are cheap (ILFA-only, one forward) runs more of them than
 * a session whose steps are expensive (DOO, forward and backward), and both get the same share of
 * the device. A session that starts waiting after an idle spell starts at the virtual time of the
 * last job served, so idling earns no credit to monopolise the device later. Within a session
 * jobs run in order.
 *
 * <p>Priority: interactive jobs of any session go before background jobs, except a background job
 * that has waited longer than the promotion delay, which goes first.
 *
 * <p>Not thread-safe: owned by one actor.
 *
 * @param <E> the queued entries
 */
public final class FairQueue<E> {

    private record Waiting<E>(E entry, long since) {}

    private static final class SessionQueue<E> {
        final Deque<Waiting<E>> interactive = new ArrayDeque<>();
        final Deque<Waiting<E>> background = new ArrayDeque<>();
        long virtualNanos;
        long chargedNanos;

        boolean isEmpty() {
            return interactive.isEmpty() && background.isEmpty();
        }

        int size() {
            return interactive.size() + background.size();
        }
    }

    private final int capacity;
    private final long promotionNanos;
    private final LongSupplier clock;
    private final Map<String, SessionQueue<E>> sessions = new LinkedHashMap<>();
    private long lastServedVirtualNanos;
    private int size;

    /**
     * @param clock nanoseconds, for the promotion of waiting background jobs ({@code System::nanoTime})
     */
    public FairQueue(int capacity, long promotionNanos, LongSupplier clock) {
        if (capacity < 1 || promotionNanos < 0) {
            throw new IllegalArgumentException("need capacity >= 1 and promotion >= 0, got " + capacity + ", "
                    + promotionNanos);
        }
        this.capacity = capacity;
        this.promotionNanos = promotionNanos;
        this.clock = clock;
    }

    /** Queues {@code entry} for {@code session}; false, and nothing queued, when the queue is full. */
    public boolean offer(String session, JobPriority priority, E entry) {
        if (size >= capacity) {
            return false;
        }
        SessionQueue<E> q = sessions.computeIfAbsent(session, s -> new SessionQueue<>());
        if (q.isEmpty()) {
            // a session that starts waiting gets no credit for the time it was idle
            q.virtualNanos = Math.max(q.virtualNanos, lastServedVirtualNanos);
        }
        (priority == JobPriority.INTERACTIVE ? q.interactive : q.background).addLast(new Waiting<>(entry, clock.getAsLong()));
        size++;
        return true;
    }

    /** The next entry to run, or null when nothing waits. */
    public E poll() {
        if (size == 0) {
            return null;
        }
        long now = clock.getAsLong();
        SessionQueue<E> promoted = null;
        SessionQueue<E> interactive = null;
        SessionQueue<E> background = null;
        for (SessionQueue<E> q : sessions.values()) {
            Waiting<E> b = q.background.peekFirst();
            if (b != null && now - b.since() >= promotionNanos
                    && (promoted == null || b.since() < promoted.background.peekFirst().since())) {
                promoted = q;
            }
            if (!q.interactive.isEmpty() && (interactive == null || q.virtualNanos < interactive.virtualNanos)) {
                interactive = q;
            }
            if (b != null && (background == null || q.virtualNanos < background.virtualNanos)) {
                background = q;
            }
        }
        Waiting<E> next;
        SessionQueue<E> from;
        if (promoted != null) {
            from = promoted;
            next = promoted.background.pollFirst();
        } else if (interactive != null) {
            from = interactive;
            next = interactive.interactive.pollFirst();
        } else {
            from = background;
            next = background.background.pollFirst();
        }
        lastServedVirtualNanos = Math.max(lastServedVirtualNanos, from.virtualNanos);
        size--;
        return next.entry();
    }

    /** Charges {@code session} with device time a job of it used. */
    public void charge(String session, long deviceNanos) {
        SessionQueue<E> q = sessions.computeIfAbsent(session, s -> new SessionQueue<>());
        q.virtualNanos += deviceNanos;
        q.chargedNanos += deviceNanos;
    }

    /** Removes and returns every waiting entry of {@code session}, interactive first. */
    public List<E> removeSession(String session) {
        SessionQueue<E> q = sessions.get(session);
        List<E> removed = new ArrayList<>();
        if (q != null) {
            q.interactive.forEach(w -> removed.add(w.entry()));
            q.background.forEach(w -> removed.add(w.entry()));
            size -= q.size();
            q.interactive.clear();
            q.background.clear();
        }
        return removed;
    }

    /** Removes and returns every waiting entry of every session. */
    public List<E> removeAll() {
        List<E> removed = new ArrayList<>();
        for (String session : new ArrayList<>(sessions.keySet())) {
            removed.addAll(removeSession(session));
        }
        return removed;
    }

    /** Drops what the queue remembers of a session that ended (its charged time); it must not be waiting. */
    public void forget(String session) {
        SessionQueue<E> q = sessions.get(session);
        if (q != null && q.isEmpty()) {
            sessions.remove(session);
        }
    }

    /** Entries waiting. */
    public int size() {
        return size;
    }

    /** Entries waiting for {@code session}. */
    public int size(String session) {
        SessionQueue<E> q = sessions.get(session);
        return q == null ? 0 : q.size();
    }

    /** Device time charged per session, for the sessions the queue remembers. */
    public Map<String, Long> chargedNanos() {
        Map<String, Long> out = new HashMap<>();
        sessions.forEach((s, q) -> out.put(s, q.chargedNanos));
        return out;
    }
}
