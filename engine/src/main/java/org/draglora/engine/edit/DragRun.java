package org.draglora.engine.edit;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.draglora.engine.drag.DragGeometry;
import org.draglora.engine.drag.DragMode;
import org.draglora.engine.drag.DragSettings;
import org.draglora.engine.drag.FeatureMaps;
import org.draglora.engine.drag.GridPoint;
import org.draglora.engine.drag.ImagePoint;
import org.draglora.engine.drag.LatentWarp;
import org.draglora.engine.drag.MaskLoss;
import org.draglora.engine.drag.MotionSupervision;
import org.draglora.engine.io.ImageTensors;
import org.draglora.engine.io.RgbImage;
import org.draglora.engine.lora.FusedLora;
import org.draglora.engine.lora.LoraSet;
import org.draglora.engine.nn.Ops;
import org.draglora.engine.runtime.ExitGuard;
import org.draglora.engine.runtime.NoGrad;
import org.draglora.engine.unet.ForwardContext;
import org.draglora.engine.unet.UNetOutput;

/**
 * One edit's tensors and its single-step operations, so that a session can interleave the edit
 * with other sessions and with user input (ARCHITECTURE.md, Engine). {@link #step()} runs the next
 * step of the current phase and returns its {@link StepRecord}:
 *
 * <ol>
 *   <li>{@link Phase#RECLORA}: one RecLoRA training step (skipped when the cache has it);
 *   <li>{@link Phase#INVERSION}: one DDIM inversion step, 35 to t = 681 (ALGORITHM.md §3.4);
 *   <li>{@link Phase#DRAG}: one drag iteration, DOO + ILFA or ILFA-only for DragLoRA, one latent
 *       optimisation step for DragDiffusion ({@link DragIteration});
 *   <li>{@link Phase#DENOISE}: one step of the final denoising with mutual self-attention (§9);
 *   <li>{@link Phase#DECODE}: the VAE decode; then {@link Phase#DONE}.
 * </ol>
 *
 * <p>Live edits between steps (applied to the next step): {@link #addPoint} anchors the new handle
 * at the current features (the features of the latest drag iteration, or of the inverted latent
 * before the first), so it pulls what is under the click now; {@link #movePoint} with a new target
 * only changes the direction of the following steps; with a new handle it re-anchors the point at
 * the current features; {@link #removePoint} drops a point; {@link #setMask} changes the mask loss
 * and ILFA from the next step on (outside the new mask the latent returns to the inverted one).
 * Any change to the point set restarts the adaptive switching in DOO mode with fresh counters,
 * since its statistics describe the old set. Not thread-safe: one caller at a time (the session's
 * GPU job).
 */
public final class DragRun implements AutoCloseable {

    /** The phases, in order. */
    public enum Phase { RECLORA, INVERSION, DRAG, DENOISE, DECODE, DONE }

    final EditModel model;
    final DragSettings settings;
    final RecLoraSettings recSettings;
    final RandomStream random;
    final DragGeometry geometry;
    final NDManager manager;
    final int latentH;
    final int latentW;
    final long dragTimestep;
    private final long[] inversionTimesteps;
    private final long[] denoiseTimesteps;
    private final DragRequest request;
    private final RecLoraCache cache;
    private final String cacheKey;
    private final boolean previews;

    private Phase phase = Phase.RECLORA;
    private int phaseIndex;
    final NDArray image;
    final NDArray text;
    NDArray latentMask;
    boolean maskEmpty;
    private RecLoraTrainer trainer;
    LoraSet recLora;
    FusedLora recFused;
    NDArray zOrig;
    NDArray z;
    NDArray zPrev0;
    NDArray lastFeatures;
    final List<TrackedPoint> points = new ArrayList<>();
    private int nextPointId;
    private DragIteration iteration;
    NDArray zSrc;
    NDArray zTgt;
    private byte[] result;

    /**
     * Prepares an edit: the prompt embedding, the image tensor, the mask and the points. RecLoRA
     * comes from {@code cache} when it holds it ({@code cache} may be null: no caching).
     */
    public DragRun(EditModel model, DragRequest request, NDArray promptEmbedding, NDManager parent, RecLoraCache cache,
            boolean previews) {
        this.model = model;
        this.request = request;
        this.settings = request.drag();
        this.recSettings = request.recLora();
        this.random = new RandomStream(request.seed());
        this.cache = cache;
        this.previews = previews;
        this.manager = parent.newSubManager();
        this.geometry = settings.features().geometry(request.height(), request.width());
        int scale = model.latentScale();
        this.latentH = request.height() / scale;
        this.latentW = request.width() / scale;
        int steps = settings.schedule().inferenceSteps();
        this.dragTimestep = model.scheduler().dragTimestep(steps, settings.schedule().inversionStrength());
        long[] grid = model.scheduler().timesteps(steps); // descending, e.g. 981 ... 1
        List<Long> down = new ArrayList<>();
        for (long t : grid) {
            if (t <= dragTimestep) {
                down.add(t);
            }
        }
        this.denoiseTimesteps = down.stream().mapToLong(Long::longValue).toArray();
        this.inversionTimesteps = new long[denoiseTimesteps.length];
        for (int i = 0; i < denoiseTimesteps.length; i++) {
            inversionTimesteps[i] = denoiseTimesteps[denoiseTimesteps.length - 1 - i];
        }
        this.image = ImageTensors.toTensor(new RgbImage(request.width(), request.height(), request.rgb()), manager);
        this.text = keep(promptEmbedding.duplicate());
        setMask(request.editable());
        for (DragRequest.PointPair p : request.points()) {
            addPoint(p.handle(), p.target());
        }
        this.cacheKey = RecLoraCache.key(model.fingerprint(), request.rgb(), request.width(), request.height(),
                request.prompt(), recSettings, request.seed());
        Optional<LoraSet> cached = loadCached();
        if (cached.isPresent()) {
            useRecLora(cached.get());
            phase = Phase.INVERSION;
        }
    }

    private Optional<LoraSet> loadCached() {
        if (cache == null) {
            return Optional.empty();
        }
        try {
            return cache.load(cacheKey, model.unet(), manager);
        } catch (IOException e) {
            throw new UncheckedIOException("reading the RecLoRA cache " + cache.file(cacheKey), e);
        }
    }

    /**
     * Skips RecLoRA fitting and inversion: the drag starts from {@code recLoraSet} and the given
     * inverted latent (1, 4, h, w) at the drag timestep. For benchmarks that time the drag phase
     * alone, and for tests.
     */
    public void skipToDrag(LoraSet recLoraSet, NDArray invertedLatent) {
        if (phase != Phase.RECLORA || trainer != null) {
            throw new IllegalStateException("skipToDrag must come before the first step");
        }
        useRecLora(recLoraSet);
        replaceZ(invertedLatent.duplicate());
        zOrig = keep(z.duplicate());
        advance(Phase.DRAG);
    }

    /** The current phase. */
    public Phase phase() {
        return phase;
    }

    /** Whether the edit is done. */
    public boolean finished() {
        return phase == Phase.DONE;
    }

    /** Whether RecLoRA came from the cache. */
    public boolean recLoraFromCache() {
        return trainer == null && recLora != null;
    }

    /** The image geometry (image and feature-grid sizes). */
    public DragGeometry geometry() {
        return geometry;
    }

    /** The result image (RGB bytes, row-major), once finished. */
    public byte[] result() {
        if (result == null) {
            throw new IllegalStateException("the edit has not finished (phase " + phase + ")");
        }
        return result.clone();
    }

    /** The trainable drag LoRA (DragLoRA methods, once the drag phase started), or the RecLoRA before. */
    public LoraSet lora() {
        LoraSet drag = iteration == null ? null : iteration.trainedLora();
        return drag != null ? drag : recLora;
    }

    /**
     * Runs the next step, as one span of the process's {@link ExitGuard}: an exit that begins
     * meanwhile waits for it, and a step asked for after that never starts (the caller stays parked
     * until the process is gone).
     */
    public StepRecord step() {
        try (ExitGuard.Span span = ExitGuard.process().enter()) {
            long t0 = System.nanoTime();
            return switch (phase) {
                case RECLORA -> recLoraStep(t0);
                case INVERSION -> inversionStep(t0);
                case DRAG -> dragStep(t0);
                case DENOISE -> denoiseStep(t0);
                case DECODE -> decodeStep(t0);
                case DONE -> throw new IllegalStateException("the edit has finished");
            };
        }
    }

    /**
     * Stops the edit when an optimised loss is NaN or infinite: the weights it updated are
     * garbage from here on, and every later step would only spread them.
     */
    private static void requireFinite(double loss, String where) {
        if (!Double.isFinite(loss)) {
            throw new NonFiniteLossException("the loss is " + loss + " at " + where + ": the optimisation diverged"
                    + " (check the model's weights and the learning rate); restart to try again");
        }
    }

    /** An optimised loss became NaN or infinite. */
    public static final class NonFiniteLossException extends IllegalStateException {
        NonFiniteLossException(String message) {
            super(message);
        }
    }

    // ---- phases ------------------------------------------------------------------------------

    private StepRecord recLoraStep(long t0) {
        if (trainer == null) {
            trainer = new RecLoraTrainer(model, image, text, recSettings, random, manager);
        }
        double loss = recSettings.steps() == 0 ? Double.NaN : trainer.step();
        int index = trainer.stepsDone() - 1;
        if (recSettings.steps() > 0) {
            requireFinite(loss, "RecLoRA step " + index); // before a diverged LoRA could reach the cache
        }
        if (trainer.done()) {
            trainer.lora().setRequiresGradient(false);
            if (cache != null) {
                try {
                    cache.store(cacheKey, trainer.lora());
                } catch (IOException e) {
                    throw new UncheckedIOException("writing the RecLoRA cache " + cache.file(cacheKey), e);
                }
            }
            useRecLora(trainer.lora());
            advance(Phase.INVERSION);
        }
        return record(Phase.RECLORA, index, recSettings.steps(), null, StepRecord.Losses.of(loss), 1,
                recSettings.batch(), 1, t0, null, null);
    }

    private void useRecLora(LoraSet lora) {
        recLora = lora;
        recFused = lora.fuse(model.unet(), manager);
    }

    private StepRecord inversionStep(long t0) {
        try (NDManager s = manager.newSubManager()) {
            NDArray latent;
            if (phaseIndex == 0) {
                // z0 = E(x).mean * 0.18215: the posterior mean, not a sample (ALGORITHM.md §1.2)
                latent = Ops.scale(model.vae().encode(Ops.borrow(image, s)).mean(), model.scalingFactor());
            } else {
                latent = Ops.borrow(z, s);
            }
            long t = inversionTimesteps[phaseIndex];
            NDArray eps = model.unet().forward(latent, t, text, ForwardContext.of(recFused)).sample();
            NDArray next = model.scheduler().inverseStep(eps, t, latent, settings.schedule().inferenceSteps()).prevSample();
            replaceZ(next);
        }
        int index = phaseIndex++;
        if (phaseIndex == inversionTimesteps.length) {
            zOrig = keep(z.duplicate());
            advance(Phase.DRAG);
        }
        return record(Phase.INVERSION, index, inversionTimesteps.length, null, StepRecord.Losses.NONE, 1, 1, 0, t0, null,
                null);
    }

    private StepRecord dragStep(long t0) {
        if (points.isEmpty()) {
            throw new IllegalStateException("the drag needs at least one handle/target pair; add a point first");
        }
        if (iteration == null) {
            iteration = DragIteration.start(this);
        }
        DragIteration.Outcome o = iteration.next();
        int index = phaseIndex++;
        if (o.backwardPasses() > 0) {
            requireFinite(o.losses().total(), "drag step " + index);
        }
        if (o.done()) {
            zSrc = keep(zOrig.duplicate());
            zTgt = keep(iteration.finalLatent().duplicate());
            iteration.finishOptimisation();
            advance(Phase.DENOISE);
        }
        StepRecord.Preview preview = previews && o.x0() != null ? latentPreview(o.x0()) : null;
        if (o.x0() != null) {
            o.x0().close();
        }
        return record(Phase.DRAG, index, settings.optimization().maxSteps(), o.mode(), o.losses(), o.forwardPasses(),
                o.forwardSamples(), o.backwardPasses(), t0, preview, o.event());
    }

    private StepRecord denoiseStep(long t0) {
        int forwards;
        try (NDManager s = manager.newSubManager()) {
            MutualSelfAttention.Result r = MutualSelfAttention.step(this, s, Ops.borrow(zSrc, s), Ops.borrow(zTgt, s),
                    denoiseTimesteps[phaseIndex], phaseIndex);
            zSrc.close();
            zTgt.close();
            zSrc = keep(r.source());
            zTgt = keep(settings.keepOutsideMask() && !maskEmpty ? outsideMaskFromSource(r.target(), s) : r.target());
            forwards = r.forwardPasses();
        }
        int index = phaseIndex++;
        if (phaseIndex == denoiseTimesteps.length) {
            advance(Phase.DECODE);
        }
        StepRecord.Preview preview = previews ? latentPreview(zTgt) : null;
        return record(Phase.DENOISE, index, denoiseTimesteps.length, null, StepRecord.Losses.NONE, forwards, forwards, 0,
                t0, preview, null);
    }

    /** {@code target} inside the edit mask, the source trajectory's latent outside it: (1, 4, h, w). */
    private NDArray outsideMaskFromSource(NDArray target, NDManager s) {
        NDArray m = Ops.borrow(latentMask, s); // (1, 1, h, w), 1 = editable
        return target.mul(m).add(Ops.borrow(zSrc, s).mul(m.neg().add(1f)));
    }

    private StepRecord decodeStep(long t0) {
        try (NDManager s = manager.newSubManager(); NoGrad ignored = NoGrad.open()) {
            NDArray decoded = model.vae().decode(Ops.divide(Ops.borrow(zTgt, s), model.scalingFactor()));
            result = ImageTensors.fromTensor(decoded.get("0:1")).rgb();
        }
        advance(Phase.DONE);
        return record(Phase.DECODE, 0, 1, null, StepRecord.Losses.NONE, 0, 0, 0, t0,
                new StepRecord.Preview(request.width(), request.height(), result.clone()), null);
    }

    private void advance(Phase next) {
        phase = next;
        phaseIndex = 0;
    }

    // ---- live edits --------------------------------------------------------------------------

    /**
     * Adds a handle/target pair (image pixels) and returns its id. In the drag phase the handle is
     * anchored at the current features; before it, at the inverted latent's features when the drag
     * starts.
     */
    public int addPoint(ImagePoint handle, ImagePoint target) {
        requireEditable();
        DragRequest.requireInside(handle, request.width(), request.height(), "handle");
        DragRequest.requireInside(target, request.width(), request.height(), "target");
        TrackedPoint p = new TrackedPoint(nextPointId++, handle, target, geometry);
        if (lastFeatures != null) {
            anchor(p, lastFeatures);
        }
        points.add(p);
        pointsChanged();
        return p.id;
    }

    /** Moves a point's handle and/or target ({@code null} = unchanged). */
    public void movePoint(int id, ImagePoint handle, ImagePoint target) {
        requireEditable();
        TrackedPoint p = point(id);
        if (target != null) {
            DragRequest.requireInside(target, request.width(), request.height(), "target");
            p.target = geometry.toGrid(target);
            p.userTarget = target;
        }
        if (handle != null) {
            DragRequest.requireInside(handle, request.width(), request.height(), "handle");
            p.handle = geometry.toGrid(handle);
            p.userHandle = handle;
            p.expected = p.handle;
            if (lastFeatures != null) {
                anchor(p, lastFeatures);
            }
            pointsChanged();
        }
    }

    /** Removes a point; the last point cannot be removed while dragging. */
    public void removePoint(int id) {
        requireEditable();
        TrackedPoint p = point(id);
        if (points.size() == 1) {
            throw new IllegalArgumentException("cannot remove the last point of an edit");
        }
        points.remove(p);
        p.anchor(null, null);
        pointsChanged();
    }

    /** Replaces the editable mask ({@code null} or all false = empty). */
    public void setMask(boolean[] editable) {
        if (phase.ordinal() > Phase.DRAG.ordinal()) {
            throw new IllegalStateException("the drag has finished; the mask can no longer change");
        }
        if (editable != null && editable.length != request.width() * request.height()) {
            throw new IllegalArgumentException("mask has " + editable.length + " pixels, the image "
                    + request.width() * request.height());
        }
        float[] m = new float[request.width() * request.height()];
        for (int i = 0; editable != null && i < m.length; i++) {
            m[i] = editable[i] ? 1f : 0f;
        }
        try (NDManager s = manager.newSubManager()) {
            NDArray imageMask = Ops.owned(s.create(m, new Shape(request.height(), request.width())));
            NDArray lm = FeatureMaps.latentMask(imageMask, geometry, latentH, latentW);
            if (latentMask != null) {
                latentMask.close();
            }
            latentMask = keep(lm);
        }
        maskEmpty = MaskLoss.isEmpty(latentMask);
    }

    /** The current points: id -> (handle, target) in image pixels. */
    public Map<Integer, DragRequest.PointPair> points() {
        Map<Integer, DragRequest.PointPair> m = new LinkedHashMap<>();
        for (TrackedPoint p : points) {
            m.put(p.id, new DragRequest.PointPair(geometry.toImage(p.handle), geometry.toImage(p.target)));
        }
        return m;
    }

    private void requireEditable() {
        if (phase.ordinal() > Phase.DRAG.ordinal()) {
            throw new IllegalStateException("the drag has finished; points can no longer change");
        }
    }

    private TrackedPoint point(int id) {
        for (TrackedPoint p : points) {
            if (p.id == id) {
                return p;
            }
        }
        throw new IllegalArgumentException("no point with id " + id);
    }

    private void pointsChanged() {
        if (iteration != null) {
            iteration.pointsChanged();
        }
    }

    /** Anchors {@code p} at {@code features} (1, C, Hf, Wf): reference vector and patch, detached. */
    void anchor(TrackedPoint p, NDArray features) {
        p.anchor(keep(MotionSupervision.referenceVector(features, p.handle)),
                keep(MotionSupervision.referencePatch(features, p.handle, settings.motion().radius())));
    }

    // ---- helpers -----------------------------------------------------------------------------

    /** Moves {@code a} to the run's manager. */
    NDArray keep(NDArray a) {
        a.attach(manager);
        return a;
    }

    /**
     * {@code latent} (1, C, h, w) with {@code moves} applied ({@link LatentWarp}): each handle's region
     * a disc of {@link LatentWarp#REGION_RADIUS_FRACTION} times the image's shorter side, inside the
     * edit mask, or anywhere when the mask is empty. A new array in the run's manager, of the latent's
     * data type.
     */
    NDArray warpLatent(NDArray latent, List<LatentWarp.Move> moves) {
        Shape shape = latent.getShape(); // (1, C, h, w)
        boolean[] editable = null;
        if (!maskEmpty) {
            float[] m = latentMask.toType(DataType.FLOAT32, false).toFloatArray(); // h*w cells
            editable = new boolean[m.length];
            for (int i = 0; i < m.length; i++) {
                editable[i] = m[i] > 0.5f;
            }
        }
        double radius = LatentWarp.REGION_RADIUS_FRACTION * Math.min(geometry.imageHeight(), geometry.imageWidth())
                / model.latentScale();
        float[] moved = LatentWarp.warp(latent.toType(DataType.FLOAT32, false).toFloatArray(), (int) shape.get(1),
                latentH, latentW, editable, moves, radius);
        return keep(manager.create(moved, shape).toType(latent.getDataType(), false));
    }

    /** Replaces the current latent with {@code next} (moved to the run's manager). */
    void replaceZ(NDArray next) {
        if (z != null) {
            z.close();
        }
        z = keep(next);
    }

    /** Replaces the latest features (for anchoring points added mid-run) with a detached copy. */
    void rememberFeatures(NDArray features) {
        NDArray copy = features.stopGradient();
        if (lastFeatures != null) {
            lastFeatures.close();
        }
        lastFeatures = keep(copy);
    }

    /** The edited model's adapters for the final denoising. */
    org.draglora.engine.nn.LayerAdapters finalAdapters() {
        return iteration.finalAdapters();
    }

    ForwardContext recContext() {
        return ForwardContext.of(recFused);
    }

    UNetOutput forward(NDArray latent, long t, ForwardContext ctx) {
        return model.unet().forward(latent, t, text, ctx);
    }

    /**
     * F of a UNet pass at the drag timestep ({@link FeatureMaps#featureMap(List, NDArray,
     * DragSettings.Features, int, int)}); {@code x0} is that pass's DDIM x0 prediction, which the
     * caller has from its scheduler step and which F includes only when the settings weigh it.
     */
    NDArray features(UNetOutput out, NDArray x0) {
        return FeatureMaps.featureMap(out.features(), x0, settings.features(), geometry.gridHeight(),
                geometry.gridWidth());
    }

    private StepRecord.Preview latentPreview(NDArray latent) {
        return new StepRecord.Preview(latentW, latentH, LatentPreview.rgb(latent));
    }

    private StepRecord record(Phase p, int index, int total, DragMode mode, StepRecord.Losses losses, int forwards,
            int samples, int backwards, long t0, StepRecord.Preview preview, String event) {
        List<StepRecord.PointState> states = new ArrayList<>();
        for (TrackedPoint tp : points) {
            ImagePoint h = geometry.toImage(tp.handle);
            ImagePoint t = geometry.toImage(tp.target);
            states.add(new StepRecord.PointState(tp.id, h.x(), h.y(), t.x(), t.y(), tp.lastMinD,
                    Math.hypot(h.x() - t.x(), h.y() - t.y())));
        }
        return new StepRecord(p, index, total, mode, states, losses, forwards, samples, backwards, System.nanoTime() - t0,
                preview, event, phase == Phase.DONE);
    }

    @Override
    public void close() {
        manager.close();
    }
}
