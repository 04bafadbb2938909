package org.draglora.engine.edit;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import java.util.ArrayList;
import java.util.List;
import org.draglora.engine.drag.DragMode;
import org.draglora.engine.drag.GridPoint;
import org.draglora.engine.drag.IlfaMethod;
import org.draglora.engine.drag.ImagePoint;
import org.draglora.engine.drag.LatentFollow;
import org.draglora.engine.drag.LatentWarp;
import org.draglora.engine.drag.MaskLoss;
import org.draglora.engine.drag.MotionSupervision;
import org.draglora.engine.drag.PointTracking;
import org.draglora.engine.drag.SwitchingRule;
import org.draglora.engine.lora.FusedLora;
import org.draglora.engine.lora.LoraSet;
import org.draglora.engine.lora.PerSampleAdapters;
import org.draglora.engine.nn.LayerAdapters;
import org.draglora.engine.nn.Ops;
import org.draglora.engine.optim.AdamW;
import org.draglora.engine.runtime.NoGrad;
import org.draglora.engine.schedule.DdimScheduler;
import org.draglora.engine.unet.ForwardContext;
import org.draglora.engine.unet.UNetOutput;

/**
 * DragLoRA's online optimisation, one iteration per call (ALGORITHM.md §5-§8,
 * DL:utils/drag_utils_lora.py:119-344): forward with the drag LoRA, track the points (from the
 * second iteration), apply the adaptive switching rule, stop when every handle is within reach,
 * otherwise a DOO step (drag + mask + DDS losses, AdamW on the LoRA) or none (ILFA-only), then
 * ILFA inside the mask.
 *
 * <p>Faster than the reference where it wastes work: an iteration that makes no optimiser step
 * reuses its forward's noise prediction for ILFA (the LoRA did not change), so an ILFA-only
 * iteration is one UNet forward instead of two, and records no autograd graph; the two DDS
 * forwards (RecLoRA and drag LoRA) run as one batched pass with per-sample LoRA.
 *
 * <p>With {@link IlfaMethod#SHIFT} (the embedded model's choice) ILFA moves the latent with the
 * tracked handles ({@link LatentFollow}) instead of re-noising it; the moves of the iteration
 * that reaches the targets apply too, so the final latent sits where tracking last had the handles.
 */
final class DragLoraIteration extends DragIteration {

    private final LoraSet dragLora;
    private final AdamW optimizer;
    private DragMode mode = DragMode.DOO;
    private SwitchingRule.Counters counters = SwitchingRule.Counters.initial();
    private int dooSteps;
    private FusedLora finalFused;
    private final LatentFollow follow;
    private final List<LatentWarp.Move> shifts = new ArrayList<>();

    DragLoraIteration(DragRun run) {
        super(run);
        // DragLoRA starts as the RecLoRA (ALGORITHM.md §3.3: at step 0 DragLoRA UNet == ori UNet)
        this.dragLora = run.recLora.copy(run.manager);
        this.dragLora.setRequiresGradient(true);
        var o = settings.optimization();
        this.optimizer = new AdamW(dragLora.parameters(),
                new AdamW.Settings(o.learningRate(), o.weightDecay(), o.beta1(), o.beta2(), o.epsilon()), run.manager);
        this.follow = settings.ilfa() == IlfaMethod.SHIFT ? new LatentFollow(run.model.latentScale()) : null;
    }

    @Override
    Outcome next() {
        int forwards = 0;
        int samples = 0;
        int backwards = 0;
        String event = null;
        StepRecord.Losses losses = StepRecord.Losses.NONE;
        long t = run.dragTimestep;
        try (NDManager s = run.manager.newSubManager()) {
            NDArray z = Ops.borrow(run.z, s);
            GradientCollector gc = mode == DragMode.DOO ? Engine.getInstance().newGradientCollector() : null;
            try {
                UNetOutput out = run.forward(z, t, ForwardContext.of(dragLora));
                forwards++;
                samples++;
                DdimScheduler.StepResult stepped = scheduler.step(out.sample(), t, z, steps());
                NDArray f1 = run.features(out, stepped.predOriginalSample());
                run.rememberFeatures(f1);
                NDArray x0 = keepX0(stepped.predOriginalSample());
                if (counters.k() != 0) {
                    event = trackAndSwitch(f1);
                }
                if (reached()) {
                    applyShifts();
                    return new Outcome(true, mode, losses, forwards, samples, backwards, x0, "reached");
                }
                NDArray ilfaEps = null;
                if (mode == DragMode.DOO) {
                    if (gc == null) {
                        // leaving ILFA-only: this iteration needs the graph after all
                        gc = Engine.getInstance().newGradientCollector();
                        out = run.forward(z, t, ForwardContext.of(dragLora));
                        forwards++;
                        samples++;
                        stepped = scheduler.step(out.sample(), t, z, steps());
                        f1 = run.features(out, stepped.predOriginalSample());
                    }
                    losses = dooLoss(gc, s, f1, stepped);
                    forwards++;
                    samples += 2;
                    backwards++;
                    gc.close();
                    gc = null;
                    optimizer.step();
                    dooSteps++;
                    counters = new SwitchingRule.Counters(counters.k() + 1, counters.retain(), counters.nomove(),
                            counters.ilfaRun());
                } else {
                    ilfaEps = out.sample().stopGradient();
                }
                if (gc != null) {
                    gc.close();
                    gc = null;
                }
                if (settings.ilfa() == IlfaMethod.SHIFT) {
                    applyShifts();
                } else if (settings.ilfa() == IlfaMethod.RENOISE && !run.maskEmpty) {
                    if (ilfaEps == null) {
                        try (NoGrad ignored = NoGrad.open()) {
                            ilfaEps = run.forward(z, t, ForwardContext.of(dragLora)).sample();
                        }
                        forwards++;
                        samples++;
                    }
                    ilfa(s, z, ilfaEps);
                }
                iterations++;
                boolean done = dooSteps >= settings.optimization().maxSteps();
                return new Outcome(done, mode, losses, forwards, samples, backwards, x0, event);
            } finally {
                if (gc != null) {
                    gc.close();
                }
            }
        }
    }

    /** Tracks every point and applies the switching rule; returns the rule's event, if any. */
    private String trackAndSwitch(NDArray f1) {
        List<GridPoint> before = handles();
        List<PointTracking.TrackResult> tracked = track(f1);
        double[] minD = new double[tracked.size()];
        List<GridPoint> after = new ArrayList<>();
        List<GridPoint> expected = new ArrayList<>();
        for (int i = 0; i < tracked.size(); i++) {
            minD[i] = tracked.get(i).minD();
            after.add(tracked.get(i).handle());
            expected.add(run.points.get(i).expected);
        }
        SwitchingRule.Decision d = SwitchingRule.decide(
                new SwitchingRule.Input(mode, counters, minD, before, after, expected), settings.switching());
        for (int i = 0; i < run.points.size(); i++) {
            TrackedPoint p = run.points.get(i);
            p.handle = d.handles().get(i);
            p.lastMinD = minD[i];
        }
        if (follow != null) {
            for (TrackedPoint p : run.points) {
                ImagePoint anchor = run.geometry.toImage(run.geometry.toGrid(p.userHandle));
                follow.update(p.id, p.userHandle, p.userTarget, anchor, run.geometry.toImage(p.handle))
                        .ifPresent(shifts::add);
            }
        }
        mode = d.mode();
        counters = d.counters();
        return d.event() == SwitchingRule.Event.NONE ? null : d.event().name();
    }

    /**
     * L = L_drag + L_mask + L_DDS, then backward (ALGORITHM.md §5.3-§5.6). A non-finite loss throws
     * before anything changed.
     */
    private StepRecord.Losses dooLoss(GradientCollector gc, NDManager s, NDArray f1, DdimScheduler.StepResult stepped) {
        var motion = settings.motion();
        MotionSupervision.Result drag = MotionSupervision.dragLoss(f1, patches(), handles(), targets(), motion.radius(),
                motion.skipRadius());
        for (int i = 0; i < run.points.size(); i++) {
            run.points.get(i).expected = drag.expected().get(i);
        }
        NDArray total = drag.loss();
        double maskValue = Double.NaN;
        if (!run.maskEmpty) {
            NDArray mask = MaskLoss.compute(stepped.prevSample(), Ops.borrow(run.zPrev0, s), run.latentMask,
                    settings.regularization().lambdaMask());
            maskValue = value(mask);
            total = total.add(mask);
        }
        double ddsValue = Double.NaN;
        if (settings.regularization().lambdaDds() > 0) {
            NDArray dds = dds(s, stepped.predOriginalSample());
            ddsValue = value(dds);
            total = total.add(dds);
        }
        double totalValue = value(total);
        requireFinite(totalValue, "DragLoRA");
        gc.backward(total);
        return new StepRecord.Losses(totalValue, value(drag.loss()), maskValue, ddsValue);
    }

    /**
     * The DDS regulariser (ALGORITHM.md §5.5): t' ~ U{min..max}, w = 1 - abar[t'], z' = x0 re-noised
     * to t', e_ori (RecLoRA) and e_drag (drag LoRA, before this step's update) in one batched pass
     * without gradients, target = stopgrad(x0 - nan_to_num(w (e_ori - e_drag))),
     * L = 0.5 * lambda * mean((x0 - target)^2). Its gradient is lambda w (e_ori - e_drag) / N.
     */
    private NDArray dds(NDManager s, NDArray x0) {
        var reg = settings.regularization();
        int span = reg.ddsMaxTimestep() - reg.ddsMinTimestep() + 1;
        long tPrime = reg.ddsMinTimestep() + run.random.uniformInt(RandomStream.Purpose.DDS_TIMESTEP, dooSteps, span);
        float w = (float) (1 - scheduler.alphaCumprod(tPrime));
        NDArray target;
        try (NoGrad ignored = NoGrad.open()) {
            NDArray x0d = x0.stopGradient();
            NDArray noise = run.random.gaussian(s, x0d.getShape(), RandomStream.Purpose.DDS_NOISE, dooSteps);
            NDArray noisy = scheduler.addNoise(x0d, noise, tPrime);
            // (1, 4, h, w) -> (2, 4, h, w): sample 0 sees the RecLoRA, sample 1 the drag LoRA
            NDArray batch = ai.djl.ndarray.NDArrays.concat(new NDList(noisy, noisy), 0);
            NDArray text = Ops.borrow(run.text, s);
            NDArray text2 = text.broadcast(new Shape(2, text.getShape().get(1), text.getShape().get(2)));
            ForwardContext ctx = ForwardContext.of(new PerSampleAdapters(List.of(run.recLora, dragLora)));
            NDArray eps = run.model.unet().forward(batch, tPrime, text2, ctx).sample();
            NDList split = eps.split(2, 0);
            NDArray diff = Ops.scale(split.get(0).sub(split.get(1)), w);
            // nan_to_num: NaN -> 0, +-inf -> the largest finite float
            diff = ai.djl.ndarray.NDArrays.where(diff.isNaN(), diff.zerosLike(), diff).clip(-Float.MAX_VALUE, Float.MAX_VALUE);
            target = x0d.sub(diff);
        }
        return Ops.scale(x0.sub(target).square().mean(), 0.5 * reg.lambdaDds());
    }

    /**
     * ILFA (ALGORITHM.md §6): denoise t -> t-20 with the current LoRA, DDPM re-noise back to t with
     * fresh noise, inside the mask; outside it the latent is the inverted one.
     */
    private void ilfa(NDManager s, NDArray z, NDArray eps) {
        try (NoGrad ignored = NoGrad.open()) {
            NDArray noise = run.random.gaussian(s, z.getShape(), RandomStream.Purpose.ILFA_NOISE, iterations);
            run.replaceZ(Ilfa.adapt(scheduler, eps, z, noise, Ops.borrow(run.latentMask, s), Ops.borrow(run.zOrig, s),
                    run.dragTimestep, steps()));
        }
    }

    /** {@link IlfaMethod#SHIFT}: moves the latent by the moves tracking has asked for since the last call. */
    private void applyShifts() {
        if (!shifts.isEmpty()) {
            run.replaceZ(run.warpLatent(run.z, shifts));
            shifts.clear();
        }
    }

    @Override
    NDArray finalLatent() {
        return run.z;
    }

    @Override
    void finishOptimisation() {
        dragLora.setRequiresGradient(false);
        finalFused = dragLora.fuse(run.model.unet(), run.manager);
    }

    @Override
    LayerAdapters finalAdapters() {
        return finalFused;
    }

    @Override
    LoraSet trainedLora() {
        return dragLora;
    }

    @Override
    void pointsChanged() {
        mode = DragMode.DOO;
        counters = new SwitchingRule.Counters(counters.k(), 0, 0, 0);
        run.points.forEach(p -> p.expected = p.handle);
    }
}
