package org.draglora.sessions.edit;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.persistence.jdbc.query.javadsl.JdbcReadJournal;
import org.apache.pekko.persistence.query.PersistenceQuery;
import org.apache.pekko.persistence.typed.PersistenceId;

/**
 * Reads a session's journal without starting the session: its events folded into the state it
 * had after the last one (the timeline, the changes with their step indices, the result). A
 * recovered session actor would resume running; this never does.
 */
public final class SessionHistory {

    private SessionHistory() {}

    /** The state of session {@code sessionId}, or empty when the journal has no event for it. */
    public static Optional<SessionState> load(ActorSystem<?> system, String sessionId, Duration timeout) {
        SessionState state = SessionState.empty();
        for (SessionEvent e : events(system, sessionId, timeout)) {
            state = state.apply(e);
        }
        return state.revision() == 0 ? Optional.empty() : Optional.of(state);
    }

    /** Every event of session {@code sessionId} in order (empty when the journal has none). */
    public static List<SessionEvent> events(ActorSystem<?> system, String sessionId, Duration timeout) {
        JdbcReadJournal journal = PersistenceQuery.get(system).getReadJournalFor(JdbcReadJournal.class,
                JdbcReadJournal.Identifier());
        String pid = PersistenceId.of(EditSession.ENTITY, sessionId).id();
        return journal.currentEventsByPersistenceId(pid, 0L, Long.MAX_VALUE)
                .map(envelope -> (SessionEvent) envelope.event())
                .runWith(Sink.seq(), system)
                .toCompletableFuture().orTimeout(timeout.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS).join();
    }
}
