package org.draglora.engine.nn;

import ai.djl.ndarray.NDArray;

/**
 * Per-call changes to {@link Linear} layers, looked up by the layer's diffusers key path (for
 * example {@code up_blocks.2.attentions.0.transformer_blocks.0.attn1.to_q}). This is how one
 * shared, never-mutated base model runs with each session's LoRA: the adapters travel with the
 * forward call, not inside the modules.
 */
public interface LinearAdapters {

    /** No adapters: the base weights as loaded. */
    LinearAdapters NONE = new LinearAdapters() {};

    /** A weight to use instead of the base weight (a fused view), or {@code null}. */
    default NDArray weight(String path) {
        return null;
    }

    /** An additive term for input {@code x} (a LoRA branch), or {@code null}. */
    default NDArray delta(String path, NDArray x) {
        return null;
    }
}
