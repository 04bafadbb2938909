package org.draglora.engine.unet;

import ai.djl.ndarray.NDArray;

/** Receives named intermediate tensors of a forward pass (parity tests, feature extraction). */
@FunctionalInterface
public interface FeatureTap {

    /** Ignores everything. */
    FeatureTap NONE = (name, value) -> {};

    /** Called with the diffusers name of an intermediate ({@code down_blocks.1}, {@code mid_block}). */
    void accept(String name, NDArray value);
}
