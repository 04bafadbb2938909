package org.draglora.engine.lora;

import ai.djl.ndarray.NDArray;

/**
 * One LoRA pair on a linear layer (diffusers 0.24 {@code LoRALinearLayer}, ALGORITHM.md §1.4):
 * {@code y = W x + b + scale * up(down(x))}, no bias in either factor.
 *
 * @param down A, {@code lora_A} / {@code lora.down}: (rank, in)
 * @param up B, {@code lora_B} / {@code lora.up}: (out, rank)
 * @param scale alpha / rank, or 1 when the file stores no alpha (the reference's case)
 */
public record LoraAdapter(NDArray down, NDArray up, float scale) {

    public LoraAdapter {
        long[] d = down.getShape().getShape();
        long[] u = up.getShape().getShape();
        if (d.length != 2 || u.length != 2 || d[0] != u[1]) {
            throw new IllegalArgumentException("LoRA factors do not chain: down " + down.getShape() + ", up "
                    + up.getShape());
        }
    }

    /** The rank r. */
    public long rank() {
        return down.getShape().get(0);
    }

    /** Input features. */
    public long in() {
        return down.getShape().get(1);
    }

    /** Output features. */
    public long out() {
        return up.getShape().get(0);
    }
}
