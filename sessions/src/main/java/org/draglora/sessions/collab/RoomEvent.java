package org.draglora.sessions.collab;

import java.util.List;
import org.draglora.sessions.edit.SessionState;
import org.draglora.sessions.edit.StepSummary;

/**
 * What a session's room tells each connected client. Step progress and cursors are
 * {@linkplain #droppable() droppable}: a client that reads slowly may get only the latest of them;
 * everything else (state changes, edits, the result, errors) always arrives, in order.
 */
public sealed interface RoomEvent {

    /** Whether a newer event of the same {@link #coalesceKey()} makes this one worthless. */
    default boolean droppable() {
        return false;
    }

    /** Droppable events with equal keys replace each other; {@code null} for the others. */
    default String coalesceKey() {
        return null;
    }

    /** The first event a client gets: who it is and everything it needs to draw the session. */
    record Welcome(String participantId, boolean canEdit, SessionState state, List<Participant> participants)
            implements RoomEvent {}

    /** The session changed other than by a step (points, mask, prompt, status, restart...). */
    record StateChanged(SessionState state) implements RoomEvent {}

    /**
     * An engine step ran; {@code n} is its place in the timeline.
     *
     * @param state the session after it
     * @param step the step
     * @param n the step's index in the timeline
     */
    record Stepped(SessionState state, StepSummary step, int n) implements RoomEvent {
        @Override
        public boolean droppable() {
            return true;
        }

        @Override
        public String coalesceKey() {
            return "step";
        }
    }

    /** Participant {@code by} changed the session ({@code point} names the point, when one). */
    record Edited(Participant by, String action, Integer point, int revision) implements RoomEvent {}

    /** Someone joined or left. */
    record ParticipantsChanged(List<Participant> participants) implements RoomEvent {}

    /** Someone moved their pointer over the image. */
    record CursorMoved(String participantId, double x, double y) implements RoomEvent {
        @Override
        public boolean droppable() {
            return true;
        }

        @Override
        public String coalesceKey() {
            return "cursor:" + participantId;
        }
    }

    /** The result exists. */
    record Finished(int revision) implements RoomEvent {}

    /** A step failed. */
    record Failed(int revision, String message) implements RoomEvent {}

    /** The receiver's command {@code request} was accepted. */
    record Acked(String request, int revision, Integer point) implements RoomEvent {}

    /** The receiver's command {@code request} was refused (or could not be read). */
    record Rejected(String request, String message) implements RoomEvent {}
}
