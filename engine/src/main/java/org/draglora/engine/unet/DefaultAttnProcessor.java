package org.draglora.engine.unet;

import ai.djl.ndarray.NDArray;
import org.draglora.engine.nn.Ops;

/** Plain scaled dot-product attention, diffusers' {@code AttnProcessor}. */
public final class DefaultAttnProcessor implements AttnProcessor {

    public static final DefaultAttnProcessor INSTANCE = new DefaultAttnProcessor();

    private DefaultAttnProcessor() {}

    @Override
    public NDArray attend(Attention attn, NDArray q, NDArray k, NDArray v) {
        return Ops.attention(q, k, v, attn.heads(), attn.scale());
    }
}
