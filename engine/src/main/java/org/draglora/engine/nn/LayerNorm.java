package org.draglora.engine.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import org.draglora.engine.weights.WeightScope;

/**
 * {@code torch.nn.LayerNorm} over the last axis with affine parameters. Keys: {@code weight},
 * {@code bias} (C). Shapes: x (..., C) -> same.
 */
public final class LayerNorm {

    private final NDArray weight;
    private final NDArray bias;
    private final long channels;
    private final float eps;

    public LayerNorm(WeightScope w, long channels, double eps) {
        this.weight = w.get("weight", channels);
        this.bias = w.get("bias", channels);
        this.channels = channels;
        this.eps = (float) eps;
    }

    public NDArray forward(NDArray x) {
        return ai.djl.nn.norm.LayerNorm.layerNorm(x, new Shape(channels), weight, bias, eps).singletonOrThrow();
    }
}
