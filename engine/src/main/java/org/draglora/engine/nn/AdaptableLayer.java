package org.draglora.engine.nn;

import ai.djl.ndarray.NDArray;

/**
 * A layer that per-call {@link LayerAdapters} can change: a LoRA branch adds to its output, a
 * fused view replaces its weight. Looked up by its diffusers key path.
 */
public interface AdaptableLayer {

    /** The diffusers key path of this layer. */
    String path();

    /** The base weight: (out, in) for a linear layer, (out, in, k, k) for a convolution. */
    NDArray weight();
}
