package org.draglora.engine.unet;

import ai.djl.ndarray.NDArray;

/**
 * The core of one attention call, after the q/k/v projections and before {@code to_out}
 * (diffusers' attention processors). Shapes: q (B, Nq, C), k and v (B, Nk, C) -> (B, Nq, C).
 */
public interface AttnProcessor {

    NDArray attend(Attention attn, NDArray q, NDArray k, NDArray v);
}
