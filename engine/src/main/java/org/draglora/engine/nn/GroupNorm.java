package org.draglora.engine.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.draglora.engine.weights.WeightScope;

/**
 * {@code torch.nn.GroupNorm} with affine parameters (not in DJL): normalise each group of
 * channels over (C/G, H, W), then scale and shift per channel. Keys: {@code weight}, {@code bias}
 * (C). Shapes: x (B, C, ...) -> same.
 */
public final class GroupNorm {

    private final NDArray weight;
    private final NDArray bias;
    private final int groups;
    private final long channels;
    private final float eps;

    public GroupNorm(WeightScope w, int groups, long channels, double eps) {
        if (channels % groups != 0) {
            throw new IllegalArgumentException(w.path() + ": " + channels + " channels are not divisible into "
                    + groups + " groups");
        }
        this.weight = w.get("weight", channels);
        this.bias = w.get("bias", channels);
        this.groups = groups;
        this.channels = channels;
        this.eps = (float) eps;
    }

    public NDArray forward(NDArray x) {
        Shape shape = x.getShape();
        long batch = shape.get(0);
        // (B, C, H, W) -> (B, G, C/G*H*W): layer norm over the last axis is group norm
        NDArray grouped = x.reshape(batch, groups, -1);
        long groupSize = grouped.getShape().get(2);
        NDManager m = x.getManager();
        NDArray normed;
        try (NDArray ones = m.ones(new Shape(groupSize), x.getDataType());
                NDArray zeros = m.zeros(new Shape(groupSize), x.getDataType())) {
            normed = ai.djl.nn.norm.LayerNorm.layerNorm(grouped, new Shape(groupSize), ones, zeros, eps)
                    .singletonOrThrow();
        }
        // (B, G, C/G*H*W) -> (B, C, H, W); affine per channel, broadcast as (C, 1, ..., 1)
        long[] affine = new long[shape.dimension() - 1];
        affine[0] = channels;
        java.util.Arrays.fill(affine, 1, affine.length, 1);
        // the reshaped views belong to the weights' manager (first operand), so close them here
        // rather than let every call add two arrays to the model's manager
        try (NDArray scale = weight.reshape(affine);
                NDArray shift = bias.reshape(affine)) {
            return normed.reshape(shape).mul(scale).add(shift);
        }
    }
}
