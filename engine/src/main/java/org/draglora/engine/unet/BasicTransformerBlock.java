package org.draglora.engine.unet;

import ai.djl.ndarray.NDArray;
import java.util.List;
import org.draglora.engine.nn.LayerNorm;
import org.draglora.engine.nn.Ops;
import org.draglora.engine.weights.WeightScope;

/**
 * Port of diffusers {@code BasicTransformerBlock} (models/attention.py, v0.27), SD 1.5 path:
 * layer norms (eps 1e-5), self-attention, cross-attention on the text states, GEGLU feed-forward,
 * each with a residual. Keys: norm1, attn1, norm2, attn2, norm3, ff.
 * Shapes: hiddenStates (B, N, C), encoderHiddenStates (B, M, Ctext) -> (B, N, C).
 */
public final class BasicTransformerBlock {

    private final LayerNorm norm1;
    private final Attention attn1;
    private final LayerNorm norm2;
    private final Attention attn2;
    private final LayerNorm norm3;
    private final FeedForward ff;

    public BasicTransformerBlock(WeightScope w, long dim, int heads, long crossAttentionDim) {
        norm1 = new LayerNorm(w.child("norm1"), dim, 1e-5);
        attn1 = new Attention(w.child("attn1"), Attention.Spec.unet(dim, 0, heads));
        norm2 = new LayerNorm(w.child("norm2"), dim, 1e-5);
        attn2 = new Attention(w.child("attn2"), Attention.Spec.unet(dim, crossAttentionDim, heads));
        norm3 = new LayerNorm(w.child("norm3"), dim, 1e-5);
        ff = new FeedForward(w.child("ff"), dim);
    }

    /** attn1 then attn2. */
    public List<Attention> attentions() {
        return List.of(attn1, attn2);
    }

    public NDArray forward(NDArray hiddenStates, NDArray encoderHiddenStates, ForwardContext ctx) {
        return Ops.scoped(hiddenStates, h -> {
            NDArray x = attn1.forward(norm1.forward(h), null, ctx).add(h);
            x = attn2.forward(norm2.forward(x), encoderHiddenStates, ctx).add(x);
            return ff.forward(norm3.forward(x)).add(x);
        });
    }
}
