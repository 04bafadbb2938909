package org.draglora.engine.optim;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.ArrayList;
import java.util.List;
import org.draglora.engine.runtime.NoGrad;

/**
 * {@code torch.optim.AdamW} (decoupled weight decay, no amsgrad) over a fixed list of arrays that
 * require gradients, updated in place: {@code p -= lr*wd*p; m = b1 m + (1-b1) g;
 * v = b2 v + (1-b2) g^2; p -= lr * (m / (1-b1^t)) / (sqrt(v / (1-b2^t)) + eps)}. With weight decay
 * 0 it is {@code torch.optim.Adam}. The moments live in the manager given at creation.
 *
 * <p>Defaults of the reference: RecLoRA lr 5e-4, DragLoRA lr 1e-4, both wd 1e-2, betas (0.9, 0.999),
 * eps 1e-8 (ALGORITHM.md §4, §5.1; DL:utils/drag_utils_lora.py:155-161); DragDiffusion's latent
 * Adam lr 0.01, wd 0 (§10).
 */
public final class AdamW {

    /** Hyperparameters. */
    public record Settings(double lr, double weightDecay, double beta1, double beta2, double eps) {
        public Settings {
            if (!(lr > 0) || weightDecay < 0 || !(beta1 >= 0 && beta1 < 1) || !(beta2 >= 0 && beta2 < 1) || !(eps > 0)) {
                throw new IllegalArgumentException("invalid AdamW settings: lr " + lr + ", weight decay " + weightDecay
                        + ", betas " + beta1 + "/" + beta2 + ", eps " + eps);
            }
        }

        /** AdamW with torch's betas and eps. */
        public static Settings of(double lr, double weightDecay) {
            return new Settings(lr, weightDecay, 0.9, 0.999, 1e-8);
        }
    }

    private final List<NDArray> params;
    private final List<NDArray> m = new ArrayList<>();
    private final List<NDArray> v = new ArrayList<>();
    private Settings settings;
    private int step;

    public AdamW(List<NDArray> params, Settings settings, NDManager stateManager) {
        this.params = List.copyOf(params);
        this.settings = settings;
        for (NDArray p : this.params) {
            m.add(stateManager.zeros(p.getShape(), p.getDataType()));
            v.add(stateManager.zeros(p.getShape(), p.getDataType()));
        }
    }

    /** The first moments, aligned with the parameters (for checkpoints). */
    public List<NDArray> firstMoments() {
        return java.util.Collections.unmodifiableList(m);
    }

    /** The second moments, aligned with the parameters (for checkpoints). */
    public List<NDArray> secondMoments() {
        return java.util.Collections.unmodifiableList(v);
    }

    /** Restores the step count after the moments were loaded from a checkpoint. */
    public void restoreSteps(int steps) {
        if (steps < 0) {
            throw new IllegalArgumentException("steps must be >= 0, got " + steps);
        }
        this.step = steps;
    }

    /** The learning rate used from the next step on (for warm-up and schedules). */
    public void setLearningRate(double lr) {
        this.settings = new Settings(lr, settings.weightDecay(), settings.beta1(), settings.beta2(), settings.eps());
    }

    /** The current learning rate. */
    public double learningRate() {
        return settings.lr();
    }

    /** Number of steps taken. */
    public int steps() {
        return step;
    }

    /**
     * One update from the parameters' accumulated gradients, which are then zeroed. Parameters
     * without a gradient (not reached by the loss) are left alone, as torch does.
     */
    public void step() {
        step++;
        float lr = (float) settings.lr();
        float b1 = (float) settings.beta1();
        float b2 = (float) settings.beta2();
        double bias1 = 1 - Math.pow(settings.beta1(), step);
        double bias2 = 1 - Math.pow(settings.beta2(), step);
        // torch: step_size = lr / bias1; denom = sqrt(v) / sqrt(bias2) + eps
        float stepSize = (float) (settings.lr() / bias1);
        float sqrtBias2 = (float) Math.sqrt(bias2);
        try (NoGrad ignored = NoGrad.open()) {
            for (int i = 0; i < params.size(); i++) {
                NDArray p = params.get(i);
                NDArray g = p.getGradient();
                if (g == null) {
                    continue;
                }
                try (NDManager scratch = p.getManager().newSubManager()) {
                    g.attach(scratch); // getGradient() hands out a new handle each call
                    NDArray grad = g.duplicate();
                    grad.attach(scratch);
                    if (settings.weightDecay() != 0) {
                        p.muli(1f - lr * (float) settings.weightDecay());
                    }
                    m.get(i).muli(b1).addi(grad.mul(1f - b1));
                    v.get(i).muli(b2).addi(grad.square().muli(1f - b2));
                    NDArray denom = v.get(i).sqrt().divi(sqrtBias2).addi((float) settings.eps());
                    denom.attach(scratch);
                    NDArray update = m.get(i).div(denom).muli(stepSize);
                    update.attach(scratch);
                    p.subi(update);
                    // zero the accumulated gradient in place (DJL's zeroGradients does not reach these;
                    // g - g would keep a NaN)
                    ai.djl.pytorch.jni.JniUtils.zeroGrad((ai.djl.pytorch.engine.PtNDArray) p);
                }
            }
        }
    }
}
