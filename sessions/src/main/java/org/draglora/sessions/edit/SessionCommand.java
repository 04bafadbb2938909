package org.draglora.sessions.edit;

import org.apache.pekko.actor.typed.ActorRef;
import org.draglora.sessions.gpu.JobOutcome;

/**
 * What an edit session accepts. User commands reply with a {@link Reply}; they take effect at the
 * next step boundary.
 */
public sealed interface SessionCommand {

    /** The answer to a user command. */
    sealed interface Reply {}

    /** Accepted; the session is now at {@code revision}; {@code pointId} names a new point. */
    record Accepted(int revision, Integer pointId) implements Reply {}

    /** Refused, with the reason. Nothing changed. */
    record Refused(String reason) implements Reply {}

    /** Create the edit (image and mask are already in the blob store) and start preparing it. */
    record Open(SessionSpec spec, ActorRef<Reply> replyTo) implements SessionCommand {}

    /**
     * Take over another session's history (an imported bundle): {@code events} from the first,
     * whose blobs are already in the blob store. Only an empty session accepts it.
     */
    record Import(java.util.List<SessionEvent> events, ActorRef<Reply> replyTo) implements SessionCommand {}

    /** Add a point pair. */
    record AddPoint(PointPair pair, ActorRef<Reply> replyTo) implements SessionCommand {}

    /** Move point {@code id}'s handle and/or target. */
    record MovePoint(int id, PointPair pair, ActorRef<Reply> replyTo) implements SessionCommand {}

    /** Remove point {@code id}. */
    record RemovePoint(int id, ActorRef<Reply> replyTo) implements SessionCommand {}

    /** Replace the editable mask ({@code null} = empty); the bytes are in the blob store. */
    record SetMask(String maskHash, ActorRef<Reply> replyTo) implements SessionCommand {}

    /**
     * Change the prompt. The RecLoRA and the inversion depend on it, so the edit begins again
     * (a restart) with the new prompt and the current points and mask.
     */
    record SetPrompt(String prompt, ActorRef<Reply> replyTo) implements SessionCommand {}

    /** Drag (as soon as preparation is done). */
    record Start(ActorRef<Reply> replyTo) implements SessionCommand {}

    /** Stop between steps. */
    record Pause(ActorRef<Reply> replyTo) implements SessionCommand {}

    /** Continue after a pause. */
    record Resume(ActorRef<Reply> replyTo) implements SessionCommand {}

    /** Stop for good and release the tensors. */
    record Cancel(ActorRef<Reply> replyTo) implements SessionCommand {}

    /** Begin again from the current points and mask (the RecLoRA comes from the cache). */
    record Restart(ActorRef<Reply> replyTo) implements SessionCommand {}

    /** Revert the last point or mask change. */
    record Undo(ActorRef<Reply> replyTo) implements SessionCommand {}

    /** Re-apply the last undone change. */
    record Redo(ActorRef<Reply> replyTo) implements SessionCommand {}

    /** The current state. */
    record Get(ActorRef<SessionState> replyTo) implements SessionCommand {}

    /** What the session holds right now, beyond its journaled state. */
    record Runtime(boolean tensorsHeld, boolean stepInFlight, String mode) {}

    /** The session's runtime facts (tensors held, step in flight, the mode behaviour). */
    record GetRuntime(ActorRef<Runtime> replyTo) implements SessionCommand {}

    /** Send the state to {@code listener} after every event from now on. */
    record Subscribe(ActorRef<SessionState> listener) implements SessionCommand {}

    /** Release the tensors now if the session is idle (passivation). */
    record Passivate(ActorRef<Reply> replyTo) implements SessionCommand {}

    /** Internal: a step job finished. */
    record StepDone(int epoch, JobOutcome<EngineSlot.StepResult> outcome) implements SessionCommand {}

    /** Internal: retry a submission the scheduler refused (queue full), or check for idleness. */
    enum Tick implements SessionCommand { RETRY, IDLE_CHECK }
}
