package org.draglora.engine.edit;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import java.util.List;
import org.draglora.engine.drag.DragMode;
import org.draglora.engine.drag.MaskLoss;
import org.draglora.engine.drag.MotionSupervision;
import org.draglora.engine.drag.PointTracking;
import org.draglora.engine.nn.Ops;
import org.draglora.engine.optim.AdamW;
import org.draglora.engine.schedule.DdimScheduler;
import org.draglora.engine.unet.UNetOutput;

/**
 * The DragDiffusion baseline (ALGORITHM.md §10, DD:utils/drag_utils.py:79-161): the latent itself
 * is optimised with Adam (lr 0.01) for K iterations under the RecLoRA UNet; tracking with the
 * square window and the channel sum from the second iteration; the drag loss against
 * {@code stopgrad(F1)} around the current handle plus the mask loss; no ILFA, no DDS, no switching.
 */
final class DragDiffusionIteration extends DragIteration {

    private final NDArray latent;
    private final AdamW optimizer;

    DragDiffusionIteration(DragRun run) {
        super(run);
        this.latent = run.keep(run.zOrig.duplicate());
        this.latent.setRequiresGradient(true);
        var o = settings.optimization();
        this.optimizer = new AdamW(List.of(latent),
                new AdamW.Settings(o.learningRate(), o.weightDecay(), o.beta1(), o.beta2(), o.epsilon()), run.manager);
    }

    @Override
    Outcome next() {
        long t = run.dragTimestep;
        try (NDManager s = run.manager.newSubManager();
                GradientCollector gc = Engine.getInstance().newGradientCollector()) {
            NDArray z = Ops.borrow(latent, s);
            UNetOutput out = run.forward(z, t, run.recContext());
            DdimScheduler.StepResult stepped = scheduler.step(out.sample(), t, z, steps());
            NDArray f1 = run.features(out, stepped.predOriginalSample());
            run.rememberFeatures(f1);
            NDArray x0 = keepX0(stepped.predOriginalSample());
            if (iterations != 0) {
                List<PointTracking.TrackResult> tracked = track(f1);
                for (int i = 0; i < tracked.size(); i++) {
                    run.points.get(i).handle = tracked.get(i).handle();
                    run.points.get(i).lastMinD = tracked.get(i).minD();
                }
            }
            if (reached()) {
                return new Outcome(true, DragMode.DOO, StepRecord.Losses.NONE, 1, 1, 0, x0, "reached");
            }
            var motion = settings.motion();
            NDArray drag = MotionSupervision.dragDiffusionLoss(f1, handles(), targets(), motion.radius(),
                    motion.skipRadius()).loss();
            NDArray total = drag;
            double maskValue = Double.NaN;
            if (!run.maskEmpty) {
                NDArray mask = MaskLoss.compute(stepped.prevSample(), Ops.borrow(run.zPrev0, s), run.latentMask,
                        settings.regularization().lambdaMask());
                maskValue = value(mask);
                total = total.add(mask);
            }
            double totalValue = value(total);
            requireFinite(totalValue, "DragDiffusion");
            gc.backward(total);
            optimizer.step();
            iterations++;
            boolean done = iterations >= settings.optimization().maxSteps();
            return new Outcome(done, DragMode.DOO, new StepRecord.Losses(totalValue, value(drag), maskValue, Double.NaN),
                    1, 1, 1, x0, null);
        }
    }

    @Override
    NDArray finalLatent() {
        return latent.stopGradient();
    }

    @Override
    void finishOptimisation() {
        latent.setRequiresGradient(false);
    }
}
