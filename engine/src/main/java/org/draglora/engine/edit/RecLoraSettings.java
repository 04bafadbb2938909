package org.draglora.engine.edit;

import java.util.EnumSet;
import java.util.Set;
import org.draglora.engine.unet.LoraTarget;

/**
 * Settings of the reconstruction LoRA fitted to the input image before editing (ALGORITHM.md §4;
 * DL:utils/lora_utils.py:100-326, bench run_lora_training.py:101-104). DragLoRA's drag LoRA starts
 * as a copy of it, so {@code targets} are the drag LoRA's too.
 *
 * @param rank LoRA rank (16)
 * @param steps training steps (80)
 * @param lr AdamW learning rate (5e-4)
 * @param weightDecay AdamW weight decay (1e-2)
 * @param batch copies of the image per step, each with its own crop, noise and timestep (4)
 * @param targets the kinds of UNet layer adapted (the reference: attention projections only)
 */
public record RecLoraSettings(int rank, int steps, double lr, double weightDecay, int batch, Set<LoraTarget> targets) {

    public RecLoraSettings {
        if (rank < 1 || steps < 0 || !(lr > 0) || weightDecay < 0 || batch < 1 || targets.isEmpty()) {
            throw new IllegalArgumentException("invalid RecLoRA settings: rank " + rank + ", steps " + steps + ", lr " + lr
                    + ", weight decay " + weightDecay + ", batch " + batch + ", targets " + targets);
        }
        targets = Set.copyOf(EnumSet.copyOf(targets));
    }

    /** Settings adapting the attention projections, as the reference does. */
    public RecLoraSettings(int rank, int steps, double lr, double weightDecay, int batch) {
        this(rank, steps, lr, weightDecay, batch, EnumSet.of(LoraTarget.ATTENTION));
    }

    /** The reference values. */
    public static RecLoraSettings reference() {
        return new RecLoraSettings(16, 80, 5e-4, 1e-2, 4);
    }

    /** A copy with another number of steps. */
    public RecLoraSettings withSteps(int n) {
        return new RecLoraSettings(rank, n, lr, weightDecay, batch, targets);
    }

    /** A copy adapting other kinds of layer. */
    public RecLoraSettings withTargets(Set<LoraTarget> kinds) {
        return new RecLoraSettings(rank, steps, lr, weightDecay, batch, kinds);
    }

    /**
     * A stable description for cache keys: the reference targets leave out the targets, so keys
     * made before the targets existed stay valid.
     */
    String cacheDescription() {
        String base = "RecLoraSettings[rank=" + rank + ", steps=" + steps + ", lr=" + lr + ", weightDecay=" + weightDecay
                + ", batch=" + batch;
        if (targets.equals(Set.of(LoraTarget.ATTENTION))) {
            return base + "]";
        }
        return base + ", targets=" + EnumSet.copyOf(targets) + "]";
    }
}
