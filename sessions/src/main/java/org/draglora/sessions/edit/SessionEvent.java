package org.draglora.sessions.edit;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import org.draglora.sessions.CborSerializable;

/**
 * What happened to an edit session: the journal. Events carry user intent and step summaries;
 * images, masks, previews and results are blob-store hashes. Replaying them rebuilds the
 * {@link SessionState} exactly.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({
    @JsonSubTypes.Type(value = SessionEvent.Opened.class, name = "opened"),
    @JsonSubTypes.Type(value = SessionEvent.Changed.class, name = "changed"),
    @JsonSubTypes.Type(value = SessionEvent.Started.class, name = "started"),
    @JsonSubTypes.Type(value = SessionEvent.Paused.class, name = "paused"),
    @JsonSubTypes.Type(value = SessionEvent.Resumed.class, name = "resumed"),
    @JsonSubTypes.Type(value = SessionEvent.Cancelled.class, name = "cancelled"),
    @JsonSubTypes.Type(value = SessionEvent.Restarted.class, name = "restarted"),
    @JsonSubTypes.Type(value = SessionEvent.Stepped.class, name = "stepped"),
    @JsonSubTypes.Type(value = SessionEvent.Finished.class, name = "finished"),
    @JsonSubTypes.Type(value = SessionEvent.Failed.class, name = "failed")})
public sealed interface SessionEvent extends CborSerializable {

    /** The session's revision after this event: 1 for the first, +1 for each next one. */
    int revision();

    /**
     * Every blob-store hash {@code events} name (images, masks, preview frames, results, LoRAs),
     * in first-use order: what a history needs from the blob store.
     */
    static java.util.Set<String> blobHashes(java.util.List<SessionEvent> events) {
        java.util.Set<String> hashes = new java.util.LinkedHashSet<>();
        for (SessionEvent e : events) {
            if (e instanceof Opened o) {
                hashes.add(o.spec().imageHash());
                hashes.add(o.spec().maskHash());
            } else if (e instanceof Restarted r) {
                hashes.add(r.spec().imageHash());
                hashes.add(r.spec().maskHash());
            } else if (e instanceof Changed c) {
                if (c.change().change() instanceof Change.SetMask m) {
                    hashes.add(m.maskHash());
                }
                if (c.inverse() instanceof Change.SetMask m) {
                    hashes.add(m.maskHash());
                }
            } else if (e instanceof Stepped s) {
                hashes.add(s.step().previewHash());
            } else if (e instanceof Finished f) {
                hashes.add(f.resultHash());
                hashes.add(f.loraHash());
            }
        }
        hashes.remove(null);
        return hashes;
    }

    /** How a change came about, for the undo and redo stacks. */
    enum Origin { EDIT, UNDO, REDO }

    /** The edit was created from {@code spec}. */
    record Opened(int revision, SessionSpec spec) implements SessionEvent {}

    /**
     * A point or mask change was accepted; {@code inverse} undoes it.
     *
     * @param revision the session's revision after it
     * @param change the change and the drag step before which the engine applies it
     * @param inverse the change that undoes it
     * @param origin a user edit, an undo or a redo
     */
    record Changed(int revision, TimedChange change, Change inverse, Origin origin) implements SessionEvent {}

    /** The user asked to drag (it begins once preparation is done). */
    record Started(int revision) implements SessionEvent {}

    /** Paused between steps. */
    record Paused(int revision) implements SessionEvent {}

    /** Resumed. */
    record Resumed(int revision) implements SessionEvent {}

    /** Cancelled for good. */
    record Cancelled(int revision) implements SessionEvent {}

    /** Begun again from {@code spec} (the points and mask at the time of the restart). */
    record Restarted(int revision, SessionSpec spec) implements SessionEvent {}

    /** One engine step ran. */
    record Stepped(int revision, StepSummary step) implements SessionEvent {}

    /**
     * The result image is in the blob store under {@code resultHash}, the edit's LoRA (PEFT
     * safetensors) under {@code loraHash} ({@code null} when the edit had none).
     */
    record Finished(int revision, String resultHash, String loraHash) implements SessionEvent {}

    /** A step failed with {@code reason}. */
    record Failed(int revision, String reason) implements SessionEvent {}
}
