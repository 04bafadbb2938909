package org.draglora.engine.session;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Objects;
import org.draglora.engine.edit.DragRequest;
import org.draglora.engine.edit.DragRun;
import org.draglora.engine.edit.EditModel;
import org.draglora.engine.edit.ModelDragDefaults;
import org.draglora.engine.edit.RecLoraCache;
import org.draglora.engine.model.ModelPath;
import org.draglora.engine.runtime.EngineRuntime;

/**
 * The engine as the session layer sees it: one loaded model on one device, from which edits are
 * opened as opaque {@link EngineEdit} handles. Nothing in this API exposes a tensor, so the
 * session module (which must not import DJL) can own edits while only the device thread runs them.
 *
 * <p>Any thread may call it: every method that touches tensors runs on the runtime's
 * {@link org.draglora.engine.runtime.DeviceThread} (the model is loaded there too), and so does
 * every method of the edits it opens. A second thread running libtorch ops would halve the speed
 * of both (DeviceThread explains why).
 */
public final class EditEngine implements AutoCloseable {

    private final EditModel model;
    private final ModelDragDefaults defaults;
    private final EngineRuntime runtime;
    private final RecLoraCache cache;

    /**
     * @param cacheDir the RecLoRA cache (a second edit of the same image skips the fitting), or
     *     {@code null} for none
     */
    public EditEngine(EditModel model, ModelDragDefaults defaults, EngineRuntime runtime, Path cacheDir) {
        this.model = Objects.requireNonNull(model, "model");
        this.defaults = Objects.requireNonNull(defaults, "defaults");
        this.runtime = Objects.requireNonNull(runtime, "runtime");
        this.cache = cacheDir == null ? null : new RecLoraCache(cacheDir);
    }

    /** Loads the model at {@code mp} with its {@code draglora.json} defaults. */
    public static EditEngine load(ModelPath mp, EngineRuntime runtime, Path cacheDir) throws IOException {
        ModelDragDefaults defaults = ModelDragDefaults.read(mp);
        EditModel model = runtime.deviceThread().call(() -> EditModel.load(mp, runtime));
        return new EditEngine(model, defaults, runtime, cacheDir);
    }

    /**
     * The largest image side this model edits: twice its native size (the UNet's sample size
     * times the VAE's factor: 512 for SD 1.5, 64 for the embedded model). Beyond it the
     * attention over the latent grows quadratically past what a drag edit can afford (a 512-pixel
     * image on the embedded model needs over 20 GB) and the model knows nothing of such images.
     */
    public int maxImageSide() {
        return 2 * model.unet().config().sampleSize() * model.latentScale();
    }

    /** The model's architecture defaults (applied by callers that build {@link DragRequest}s). */
    public ModelDragDefaults defaults() {
        return defaults;
    }

    /**
     * Opens an edit: encodes the prompt and prepares the run (RecLoRA from the cache when it holds
     * it). The handle owns native memory until {@link EngineEdit#close()}.
     */
    public EngineEdit open(DragRequest request, boolean previews) {
        return runtime.deviceThread().call(() -> {
            NDManager manager = runtime.newManager();
            try {
                NDArray text = model.encodePrompt(request.prompt(), manager);
                DragRun run = new DragRun(model, request, text, manager, cache, previews);
                text.close();
                return new EngineEdit(manager, run, runtime.deviceThread());
            } catch (RuntimeException e) {
                manager.close();
                throw e;
            }
        });
    }

    /**
     * Native arrays alive on this engine's device: the model's weights plus those of every open
     * edit. Between edits it returns to the same number; a leak check for long runs.
     */
    public int liveArrays() {
        return runtime.deviceThread().call(runtime::liveArrays);
    }

    @Override
    public void close() {
        runtime.deviceThread().release(model::close);
    }
}
