package org.draglora.engine.lora;

import ai.djl.ndarray.NDArray;

/**
 * One LoRA pair (ALGORITHM.md §1.4), no bias in either factor.
 *
 * <ul>
 *   <li>On a linear layer (diffusers 0.24 {@code LoRALinearLayer}): {@code y = W x + b + scale * up(down(x))},
 *       down (rank, in), up (out, rank).
 *   <li>On a convolution (diffusers {@code LoRAConv2dLayer}, PEFT's conv LoRA, LoCon): down is a
 *       kxk convolution to the rank with the layer's stride 1 and padding k / 2, up a 1x1
 *       convolution; down (rank, in, k, k), up (out, rank, 1, 1).
 * </ul>
 *
 * @param down A, {@code lora_A} / {@code lora.down}
 * @param up B, {@code lora_B} / {@code lora.up}
 * @param scale alpha / rank, or 1 when the file stores no alpha (the reference's case)
 */
public record LoraAdapter(NDArray down, NDArray up, float scale) {

    public LoraAdapter {
        long[] d = down.getShape().getShape();
        long[] u = up.getShape().getShape();
        boolean linear = d.length == 2 && u.length == 2;
        boolean conv = d.length == 4 && u.length == 4 && d[2] == d[3] && d[2] % 2 == 1 && u[2] == 1 && u[3] == 1;
        if (!(linear || conv) || d[0] != u[1]) {
            throw new IllegalArgumentException("LoRA factors do not chain: down " + down.getShape() + ", up "
                    + up.getShape());
        }
    }

    /** The rank r. */
    public long rank() {
        return down.getShape().get(0);
    }

    /** Input features (channels of a convolution). */
    public long in() {
        return down.getShape().get(1);
    }

    /** Output features (channels of a convolution). */
    public long out() {
        return up.getShape().get(0);
    }

    /** Whether this pair adapts a convolution. */
    public boolean isConv() {
        return down.getShape().dimension() == 4;
    }

    /** The kernel size of a convolution's down factor, 1 for a linear layer. */
    public long kernel() {
        return isConv() ? down.getShape().get(2) : 1;
    }
}
