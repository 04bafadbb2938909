package org.draglora.engine.nn;

import ai.djl.ndarray.NDArray;
import org.draglora.engine.weights.WeightScope;

/**
 * {@code torch.nn.Linear}: {@code y = x W^T + b}. Keys: {@code weight} (out, in), {@code bias}
 * (out) when present. Shapes: x (..., in) -> (..., out).
 */
public final class Linear implements AdaptableLayer {

    private final String path;
    private final NDArray weight;
    private final NDArray bias;

    public Linear(WeightScope w, long in, long out, boolean bias) {
        this.path = w.path();
        this.weight = w.get("weight", out, in);
        this.bias = bias ? w.get("bias", out) : null;
    }

    @Override
    public String path() {
        return path;
    }

    @Override
    public NDArray weight() {
        return weight;
    }

    /** The bias (out), or {@code null}. */
    public NDArray bias() {
        return bias;
    }

    public NDArray forward(NDArray x) {
        return ai.djl.nn.core.Linear.linear(x, weight, bias).singletonOrThrow();
    }

    /** The forward pass with a fused weight and/or an additive adapter for this layer, if any. */
    public NDArray forward(NDArray x, LayerAdapters adapters) {
        NDArray override = adapters.weight(path);
        NDArray y = ai.djl.nn.core.Linear.linear(x, override != null ? override : weight, bias).singletonOrThrow();
        NDArray delta = adapters.delta(path, x);
        return delta == null ? y : y.add(delta);
    }
}
