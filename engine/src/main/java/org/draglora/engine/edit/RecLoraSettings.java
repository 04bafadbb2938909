package org.draglora.engine.edit;

/**
 * Settings of the reconstruction LoRA fitted to the input image before editing (ALGORITHM.md §4;
 * DL:utils/lora_utils.py:100-326, bench run_lora_training.py:101-104).
 *
 * @param rank LoRA rank (16)
 * @param steps training steps (80)
 * @param lr AdamW learning rate (5e-4)
 * @param weightDecay AdamW weight decay (1e-2)
 * @param batch copies of the image per step, each with its own crop, noise and timestep (4)
 */
public record RecLoraSettings(int rank, int steps, double lr, double weightDecay, int batch) {

    public RecLoraSettings {
        if (rank < 1 || steps < 0 || !(lr > 0) || weightDecay < 0 || batch < 1) {
            throw new IllegalArgumentException("invalid RecLoRA settings: rank " + rank + ", steps " + steps + ", lr " + lr
                    + ", weight decay " + weightDecay + ", batch " + batch);
        }
    }

    /** The reference values. */
    public static RecLoraSettings reference() {
        return new RecLoraSettings(16, 80, 5e-4, 1e-2, 4);
    }

    /** A copy with another number of steps. */
    public RecLoraSettings withSteps(int n) {
        return new RecLoraSettings(rank, n, lr, weightDecay, batch);
    }
}
