package org.draglora.engine.edit;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.ArrayList;
import java.util.List;
import org.draglora.engine.drag.DragMode;
import org.draglora.engine.drag.DragSettings;
import org.draglora.engine.drag.GridPoint;
import org.draglora.engine.drag.PointTracking;
import org.draglora.engine.lora.LoraSet;
import org.draglora.engine.nn.LayerAdapters;
import org.draglora.engine.nn.Ops;
import org.draglora.engine.runtime.NoGrad;
import org.draglora.engine.schedule.DdimScheduler;
import org.draglora.engine.unet.UNetOutput;

/**
 * The drag phase of one edit, one iteration per {@link #next()}: {@link DragLoraIteration}
 * (LoRA optimisation with DOO, ILFA and adaptive switching), {@link DragDiffusionIteration}
 * (latent optimisation) or {@link LatentWarpIteration} (the latent moved directly, no optimisation).
 * All start from the inverted latent; the optimising two also from the initial features F0.
 */
abstract class DragIteration {

    /**
     * What one iteration did.
     *
     * @param x0 the x0 prediction of this iteration, detached, in the run's manager (the caller
     *     closes it), or {@code null}
     */
    record Outcome(boolean done, DragMode mode, StepRecord.Losses losses, int forwardPasses, int forwardSamples,
            int backwardPasses, NDArray x0, String event) {}

    final DragRun run;
    final DragSettings settings;
    final DdimScheduler scheduler;
    int iterations;

    DragIteration(DragRun run) {
        this.run = run;
        this.settings = run.settings;
        this.scheduler = run.model.scheduler();
    }

    /** The iteration of the run's method, initialised ({@link #initialise()}). */
    static DragIteration start(DragRun run) {
        DragIteration it = switch (run.settings.optimization().target()) {
            case LORA -> new DragLoraIteration(run);
            case LATENT -> new DragDiffusionIteration(run);
            case WARP -> new LatentWarpIteration(run);
        };
        it.initialise();
        return it;
    }

    /** Computes F0 and z_{t-1}^0 from the inverted latent and anchors every point at F0 (§5.1). */
    void initialise() {
        try (NDManager s = run.manager.newSubManager(); NoGrad ignored = NoGrad.open()) {
            NDArray z0 = Ops.borrow(run.zOrig, s);
            UNetOutput out = run.forward(z0, run.dragTimestep, run.recContext());
            DdimScheduler.StepResult stepped = scheduler.step(out.sample(), run.dragTimestep, z0, steps());
            NDArray f0 = run.features(out, stepped.predOriginalSample());
            run.zPrev0 = run.keep(stepped.prevSample());
            run.rememberFeatures(f0);
            for (TrackedPoint p : run.points) {
                run.anchor(p, run.lastFeatures);
            }
        }
    }

    /** Runs one iteration. */
    abstract Outcome next();

    /** The latent the final denoising starts from. */
    abstract NDArray finalLatent();

    /** Ends the optimisation: parameters stop requiring gradients, the final adapters are fixed. */
    abstract void finishOptimisation();

    /**
     * The adapters of the edited model for the final denoising: the RecLoRA UNet, unless the method
     * trains adapters of its own (DragLoRA).
     */
    LayerAdapters finalAdapters() {
        return run.recFused;
    }

    /** The trained drag LoRA, or {@code null} when the method trains none (the default). */
    LoraSet trainedLora() {
        return null;
    }

    /** The point set changed (live edit); methods without switching state have nothing to reset. */
    void pointsChanged() {
    }

    int steps() {
        return settings.schedule().inferenceSteps();
    }

    /** Tracks every point in {@code features}; returns the results aligned with the points. */
    List<PointTracking.TrackResult> track(NDArray features) {
        List<NDArray> refs = new ArrayList<>();
        List<GridPoint> handles = new ArrayList<>();
        List<GridPoint> targets = new ArrayList<>();
        for (TrackedPoint p : run.points) {
            refs.add(p.referenceVector);
            handles.add(p.handle);
            targets.add(p.target);
        }
        return PointTracking.trackAll(refs, features, handles, targets, settings.tracking());
    }

    List<GridPoint> handles() {
        List<GridPoint> h = new ArrayList<>();
        run.points.forEach(p -> h.add(p.handle));
        return h;
    }

    List<GridPoint> targets() {
        List<GridPoint> t = new ArrayList<>();
        run.points.forEach(p -> t.add(p.target));
        return t;
    }

    List<NDArray> patches() {
        List<NDArray> patches = new ArrayList<>();
        run.points.forEach(p -> patches.add(p.referencePatch));
        return patches;
    }

    boolean reached() {
        return org.draglora.engine.drag.SwitchingRule.reached(handles(), targets(), settings.reachRadius());
    }

    /** A detached copy of x0 in the run's manager, for previews. */
    NDArray keepX0(NDArray x0) {
        return run.keep(x0.stopGradient());
    }

    static double value(NDArray scalar) {
        return scalar.toType(ai.djl.ndarray.types.DataType.FLOAT64, false).getDouble();
    }

    static void requireFinite(double loss, String what) {
        if (!Double.isFinite(loss)) {
            throw new IllegalStateException("the " + what + " loss is " + loss + "; the step was not applied");
        }
    }
}
