package org.draglora.engine.session;

import ai.djl.ndarray.NDManager;
import java.util.Map;
import org.draglora.engine.edit.DragRequest;
import org.draglora.engine.edit.DragRun;
import org.draglora.engine.drag.ImagePoint;
import org.draglora.engine.edit.StepRecord;
import org.draglora.engine.lora.LoraIo;
import org.draglora.engine.lora.LoraSet;
import org.draglora.engine.runtime.DeviceThread;

/**
 * One open edit: the opaque handle a session holds to its tensors (image, LoRA, latent, optimiser
 * state). It runs one step per call and takes live point and mask changes between steps. Closing
 * it frees every tensor; a session that was idle re-opens and re-executes to come back
 * (every random draw depends only on the seed and the step index, so the same inputs and the same
 * changes at the same steps give the same tensors).
 *
 * <p>Its methods run on the device thread whichever thread calls them; calls from several threads
 * at once are serialised there but interleave in no defined order, so one owner (a session) drives
 * it.
 */
public final class EngineEdit implements AutoCloseable {

    private final NDManager manager;
    private final DragRun run;
    private final DeviceThread device;
    private boolean closed; // read and written on the device thread only

    EngineEdit(NDManager manager, DragRun run, DeviceThread device) {
        this.manager = manager;
        this.run = run;
        this.device = device;
    }

    /** Runs the next step (RecLoRA, inversion, drag iteration, denoising or decoding). */
    public StepRecord step() {
        return whileOpen(run::step);
    }

    /** The current phase. */
    public DragRun.Phase phase() {
        return whileOpen(run::phase);
    }

    /** Whether the result is ready. */
    public boolean finished() {
        return whileOpen(run::finished);
    }

    /** The result image, RGB bytes row-major, once finished. */
    public byte[] result() {
        return whileOpen(run::result);
    }

    /**
     * The edit's LoRA as a PEFT safetensors file: the drag LoRA once DragLoRA has optimised, else
     * the RecLoRA (DragDiffusion edits the latent, not the LoRA); {@code null} before either exists.
     */
    public byte[] loraSafetensors() {
        return whileOpen(() -> {
            LoraSet lora = run.lora();
            if (lora == null) {
                return null;
            }
            try {
                return LoraIo.toBytes(lora, LoraIo.Naming.PEFT);
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
    }

    /** Adds a point pair and returns its engine id. */
    public int addPoint(ImagePoint handle, ImagePoint target) {
        return whileOpen(() -> run.addPoint(handle, target));
    }

    /** Moves a point's handle and/or target ({@code null} = unchanged). */
    public void movePoint(int id, ImagePoint handle, ImagePoint target) {
        whileOpen(() -> {
            run.movePoint(id, handle, target);
            return null;
        });
    }

    /** Removes a point (not the last one). */
    public void removePoint(int id) {
        whileOpen(() -> {
            run.removePoint(id);
            return null;
        });
    }

    /** Replaces the editable mask ({@code null} = empty). */
    public void setMask(boolean[] editable) {
        whileOpen(() -> {
            run.setMask(editable);
            return null;
        });
    }

    /** The current points, engine id -> (handle, target) in image pixels. */
    public Map<Integer, DragRequest.PointPair> points() {
        return whileOpen(run::points);
    }

    /** Runs {@code work} on the device thread, refusing once the tensors were released. */
    private <T> T whileOpen(java.util.function.Supplier<T> work) {
        return device.call(() -> {
            if (closed) {
                throw new IllegalStateException("the edit's tensors were released");
            }
            return work.get();
        });
    }

    @Override
    public void close() {
        device.release(() -> {
            if (!closed) {
                closed = true;
                run.close();
                manager.close();
            }
        });
    }
}
