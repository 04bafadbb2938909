package org.draglora.sessions.edit;

import java.util.List;
import org.draglora.engine.drag.ImagePoint;
import org.draglora.engine.edit.DragRequest;
import org.draglora.engine.edit.StepRecord;
import org.draglora.engine.session.EditEngine;
import org.draglora.engine.session.EngineEdit;
import org.draglora.sessions.store.BlobStore;

/**
 * A session's engine handle and what has been applied to it. Only the device thread (jobs run by
 * the GPU scheduler) touches it. It brings the engine to any recorded state by re-execution: it
 * opens the edit from the spec and runs the steps again, applying every recorded change before
 * the drag step where it was applied live. Because every random draw depends only on the seed
 * and the step index, that reproduces the tensors exactly (same device and build), which is how a
 * passivated or crashed session comes back and how a replay reproduces the result.
 */
final class EngineSlot {

    /** What a step produced. */
    record StepResult(StepRecord record, String nextPhase, byte[] preview, byte[] result, byte[] lora) {}

    private final EditEngine engine;
    private final BlobStore blobs;
    private volatile EngineEdit edit; // written on the device thread, read by the session for its runtime report
    private int epoch = -1;
    private int applied;
    private int dragSteps;
    private int postSteps;

    EngineSlot(EditEngine engine, BlobStore blobs) {
        this.engine = engine;
        this.blobs = blobs;
    }

    /** Whether tensors are held. */
    boolean open() {
        return edit != null;
    }

    /**
     * Runs the next step of the edit described by {@code s} (a snapshot of the session's state):
     * re-opens and fast-forwards first when the tensors were released or belong to another epoch,
     * then applies the changes due before this step.
     */
    StepResult step(SessionState s, boolean previews) {
        if (edit == null || epoch != s.epoch()) {
            release();
            openAndCatchUp(s, previews);
        }
        applyDueChanges(s);
        return runOne();
    }

    /** Frees the tensors (the state stays in the journal; the next step re-executes). */
    void release() {
        if (edit != null) {
            edit.close();
            edit = null;
        }
    }

    /**
     * Re-executes the whole edit of {@code s} from its spec and returns the result image:
     * a replay. The slot must not be in use by a live session.
     */
    byte[] reexecute(SessionState s) {
        release();
        openFresh(s, false);
        while (!edit.finished()) {
            applyDueChanges(s);
            runOne();
        }
        byte[] result = edit.result();
        release();
        return result;
    }

    /** Opens the edit of {@code s}'s epoch from its spec, with nothing applied or run yet. */
    private void openFresh(SessionState s, boolean previews) {
        edit = engine.open(SpecRequests.request(engine, blobs, s.spec()), previews);
        epoch = s.epoch();
        applied = 0;
        dragSteps = 0;
        postSteps = 0;
    }

    private void openAndCatchUp(SessionState s, boolean previews) {
        openFresh(s, previews);
        if (!s.prepared()) {
            return; // preparation is not replay-sensitive: the live loop simply continues it
        }
        while (isPreparing()) {
            edit.step();
        }
        int targetPost = 0;
        for (StepSummary st : s.timeline()) {
            if ("DENOISE".equals(st.phase()) || "DECODE".equals(st.phase())) {
                targetPost++;
            }
        }
        while (dragSteps < s.dragSteps() || postSteps < targetPost) {
            applyDueChanges(s);
            runOne();
        }
    }

    private boolean isPreparing() {
        String p = edit.phase().name();
        return "RECLORA".equals(p) || "INVERSION".equals(p);
    }

    private StepResult runOne() {
        StepRecord r = edit.step();
        if ("DRAG".equals(r.phase().name())) {
            dragSteps++;
        } else if ("DENOISE".equals(r.phase().name()) || "DECODE".equals(r.phase().name())) {
            postSteps++;
        }
        byte[] preview = r.preview() == null ? null : r.preview().rgb();
        byte[] result = edit.finished() ? edit.result() : null;
        byte[] lora = edit.finished() ? edit.loraSafetensors() : null; // kept with the result: the tensors go now
        return new StepResult(r, edit.phase().name(), preview, result, lora);
    }

    /**
     * Applies, in order, the recorded changes due before the next step. Changes wait while the
     * edit prepares and apply when the drag begins, live and in replays alike.
     */
    private void applyDueChanges(SessionState s) {
        if (isPreparing()) {
            return;
        }
        List<TimedChange> changes = s.changes();
        while (applied < changes.size() && changes.get(applied).atDragStep() <= dragSteps
                && "DRAG".equals(edit.phase().name())) {
            apply(changes.get(applied).change());
            applied++;
        }
    }

    private void apply(Change c) {
        if (c instanceof Change.AddPoint a) {
            int id = edit.addPoint(SpecRequests.handle(a.pair()), SpecRequests.target(a.pair()));
            if (id != a.id()) {
                throw new IllegalStateException("the engine numbered the new point " + id + ", the session " + a.id());
            }
        } else if (c instanceof Change.MovePoint m) {
            DragRequest.PointPair now = edit.points().get(m.id());
            ImagePoint h = SpecRequests.handle(m.pair());
            boolean handleMoved = now == null || now.handle().x() != h.x() || now.handle().y() != h.y();
            edit.movePoint(m.id(), handleMoved ? h : null, SpecRequests.target(m.pair()));
        } else if (c instanceof Change.RemovePoint r) {
            edit.removePoint(r.id());
        } else if (c instanceof Change.SetMask m) {
            edit.setMask(SpecRequests.mask(blobs, m.maskHash()));
        }
    }
}
