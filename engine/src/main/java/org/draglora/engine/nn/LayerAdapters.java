package org.draglora.engine.nn;

import ai.djl.ndarray.NDArray;

/**
 * Per-call changes to {@link AdaptableLayer}s ({@link Linear} and {@link Conv2d} layers), looked up
 * by the layer's diffusers key path (for example
 * {@code up_blocks.2.attentions.0.transformer_blocks.0.attn1.to_q} or
 * {@code up_blocks.1.resnets.0.conv1}). This is how one
 * shared, never-mutated base model runs with each session's LoRA: the adapters travel with the
 * forward call, not inside the modules.
 */
public interface LayerAdapters {

    /** No adapters: the base weights as loaded. */
    LayerAdapters NONE = new LayerAdapters() {};

    /** A weight to use instead of the base weight (a fused view), or {@code null}. */
    default NDArray weight(String path) {
        return null;
    }

    /**
     * An additive term for input {@code x} (a LoRA branch), or {@code null}: (..., out) for a
     * linear layer, (B, out, H, W) for a convolution (which has stride 1 and padding k / 2).
     */
    default NDArray delta(String path, NDArray x) {
        return null;
    }
}
