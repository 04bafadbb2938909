package org.draglora.sessions.edit;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.draglora.sessions.CborSerializable;

/**
 * An edit session's state, rebuilt from its events alone ({@link #apply}). Immutable.
 *
 * @param revision the number of events so far: every change the clients see has a new one
 * @param status where the session is
 * @param startRequested the user pressed start (dragging begins as soon as preparation is done)
 * @param spec the inputs of the current epoch ({@code null} while empty)
 * @param epoch 0, then +1 per restart
 * @param points the current points by session id (the engine assigns the same ids)
 * @param maskHash the current mask in the blob store ({@code null} = empty)
 * @param nextPointId the id of the next added point
 * @param changes this epoch's changes with the drag step before which each applies, in order
 * @param dragSteps drag iterations run in this epoch
 * @param enginePhase the engine's phase after the last step ("RECLORA" before the first)
 * @param mode "DOO" or "ILFA_ONLY": the drag mode of the next step
 * @param timeline every step of this epoch
 * @param resultHash the result image in the blob store, once finished
 * @param loraHash the edit's LoRA (PEFT safetensors) in the blob store, once finished
 * @param failure why the last step failed, when it did
 * @param undo inverses of the changes that undo would revert, last on top
 * @param redo inverses of undone changes, last on top
 */
public record SessionState(int revision, SessionStatus status, boolean startRequested, SessionSpec spec, int epoch,
        Map<Integer, PointPair> points, String maskHash, int nextPointId, List<TimedChange> changes, int dragSteps,
        String enginePhase, String mode, List<StepSummary> timeline, String resultHash, String loraHash, String failure,
        List<Change> undo, List<Change> redo) implements CborSerializable {

    public SessionState {
        points = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(points));
        changes = List.copyOf(changes);
        timeline = List.copyOf(timeline);
        undo = List.copyOf(undo);
        redo = List.copyOf(redo);
    }

    /** The state before any event. */
    public static SessionState empty() {
        return new SessionState(0, SessionStatus.EMPTY, false, null, 0, Map.of(), null, 0, List.of(), 0, "RECLORA",
                "DOO", List.of(), null, null, null, List.of(), List.of());
    }

    /** Whether the next engine step is a drag iteration. */
    public boolean nextStepIsDrag() {
        return "DRAG".equals(enginePhase);
    }

    /** Whether the edit is prepared (the engine reached the drag phase or beyond). */
    public boolean prepared() {
        return !"RECLORA".equals(enginePhase) && !"INVERSION".equals(enginePhase);
    }

    /** The state after {@code e}. */
    public SessionState apply(SessionEvent e) {
        if (e.revision() != revision + 1) {
            throw new IllegalStateException("event of revision " + e.revision() + " applied to revision " + revision);
        }
        Builder b = new Builder(this);
        b.revision = e.revision();
        if (e instanceof SessionEvent.Opened o) {
            b.begin(o.spec(), SessionStatus.PREPARING, false);
        } else if (e instanceof SessionEvent.Restarted r) {
            b.begin(r.spec(), SessionStatus.PREPARING, startRequested);
            b.epoch++;
        } else if (e instanceof SessionEvent.Changed c) {
            b.applyChange(c.change().change());
            b.changes.add(c.change());
            switch (c.origin()) {
                case EDIT -> {
                    b.undo.add(c.inverse());
                    b.redo.clear();
                }
                case UNDO -> {
                    b.undo.remove(b.undo.size() - 1);
                    b.redo.add(c.inverse());
                }
                case REDO -> {
                    b.redo.remove(b.redo.size() - 1);
                    b.undo.add(c.inverse());
                }
            }
        } else if (e instanceof SessionEvent.Started) {
            b.startRequested = true;
            if (status == SessionStatus.READY) {
                b.status = SessionStatus.DRAGGING;
            }
        } else if (e instanceof SessionEvent.Paused) {
            b.status = SessionStatus.PAUSED;
        } else if (e instanceof SessionEvent.Resumed) {
            b.status = !prepared() ? SessionStatus.PREPARING
                    : startRequested ? SessionStatus.DRAGGING : SessionStatus.READY;
        } else if (e instanceof SessionEvent.Cancelled) {
            b.status = SessionStatus.CANCELLED;
        } else if (e instanceof SessionEvent.Stepped s) {
            b.timeline.add(s.step());
            if (s.step().isDrag()) {
                b.dragSteps++;
                for (StepSummary.PointState p : s.step().points()) {
                    PointPair old = b.points.get(p.id());
                    if (old != null) {
                        b.points.put(p.id(), new PointPair(p.handleX(), p.handleY(), old.targetX(), old.targetY()));
                    }
                }
            }
            b.enginePhase = s.step().nextPhase();
            if (s.step().mode() != null) {
                b.mode = s.step().mode();
            }
            if (status == SessionStatus.PREPARING && prepared(s.step().nextPhase())) {
                b.status = startRequested ? SessionStatus.DRAGGING : SessionStatus.READY;
            }
        } else if (e instanceof SessionEvent.Finished f) {
            b.status = SessionStatus.FINISHED;
            b.resultHash = f.resultHash();
            b.loraHash = f.loraHash();
        } else if (e instanceof SessionEvent.Failed f) {
            b.status = SessionStatus.FAILED;
            b.failure = f.reason();
        } else {
            throw new IllegalArgumentException("unknown event " + e);
        }
        return b.build();
    }

    private static boolean prepared(String phase) {
        return !"RECLORA".equals(phase) && !"INVERSION".equals(phase);
    }

    /** A mutable copy for {@link #apply}. */
    private static final class Builder {
        int revision;
        SessionStatus status;
        boolean startRequested;
        SessionSpec spec;
        int epoch;
        final Map<Integer, PointPair> points;
        String maskHash;
        int nextPointId;
        final List<TimedChange> changes;
        int dragSteps;
        String enginePhase;
        String mode;
        final List<StepSummary> timeline;
        String resultHash;
        String loraHash;
        String failure;
        final List<Change> undo;
        final List<Change> redo;

        Builder(SessionState s) {
            revision = s.revision;
            status = s.status;
            startRequested = s.startRequested;
            spec = s.spec;
            epoch = s.epoch;
            points = new LinkedHashMap<>(s.points);
            maskHash = s.maskHash;
            nextPointId = s.nextPointId;
            changes = new ArrayList<>(s.changes);
            dragSteps = s.dragSteps;
            enginePhase = s.enginePhase;
            mode = s.mode;
            timeline = new ArrayList<>(s.timeline);
            resultHash = s.resultHash;
            loraHash = s.loraHash;
            failure = s.failure;
            undo = new ArrayList<>(s.undo);
            redo = new ArrayList<>(s.redo);
        }

        /** A new epoch from {@code newSpec}: its points get ids 0.., nothing has run. */
        void begin(SessionSpec newSpec, SessionStatus newStatus, boolean start) {
            spec = newSpec;
            status = newStatus;
            startRequested = start;
            points.clear();
            for (PointPair p : newSpec.points()) {
                points.put(points.size(), p);
            }
            nextPointId = points.size();
            maskHash = newSpec.maskHash();
            changes.clear();
            dragSteps = 0;
            enginePhase = "RECLORA";
            mode = "DOO";
            timeline.clear();
            resultHash = null;
            loraHash = null;
            failure = null;
            undo.clear();
            redo.clear();
        }

        void applyChange(Change c) {
            if (c instanceof Change.AddPoint a) {
                points.put(a.id(), a.pair());
                nextPointId = Math.max(nextPointId, a.id() + 1);
            } else if (c instanceof Change.MovePoint m) {
                points.put(m.id(), m.pair());
            } else if (c instanceof Change.RemovePoint r) {
                points.remove(r.id());
            } else if (c instanceof Change.SetMask m) {
                maskHash = m.maskHash();
            }
        }

        SessionState build() {
            return new SessionState(revision, status, startRequested, spec, epoch, points, maskHash, nextPointId, changes,
                    dragSteps, enginePhase, mode, timeline, resultHash, loraHash, failure, undo, redo);
        }
    }
}
