package org.draglora.engine.clip;

import ai.djl.ndarray.NDArray;
import org.draglora.engine.nn.Linear;
import org.draglora.engine.nn.Ops;
import org.draglora.engine.weights.WeightScope;

/**
 * Port of transformers {@code CLIPAttention} (models/clip/modeling_clip.py, transformers 4.38,
 * eager attention): multi-head self-attention whose q projection, bias included, is multiplied by
 * {@code head_dim^-0.5} before the scores, with an additive causal mask and no padding mask.
 *
 * <p>Keys under {@code text_model.encoder.layers.N.self_attn.}: q_proj, k_proj, v_proj, out_proj
 * (all with bias). Shapes: hiddenStates (B, L, C), causalMask (L, L) additive -> (B, L, C).
 */
public final class CLIPAttention {

    private final Linear qProj;
    private final Linear kProj;
    private final Linear vProj;
    private final Linear outProj;
    private final int heads;
    private final float scale;

    CLIPAttention(WeightScope w, CLIPTextConfig cfg) {
        long c = cfg.hiddenSize();
        qProj = new Linear(w.child("q_proj"), c, c, true);
        kProj = new Linear(w.child("k_proj"), c, c, true);
        vProj = new Linear(w.child("v_proj"), c, c, true);
        outProj = new Linear(w.child("out_proj"), c, c, true);
        heads = cfg.numAttentionHeads();
        scale = (float) Math.pow(cfg.headDim(), -0.5);
    }

    public NDArray forward(NDArray hiddenStates, NDArray causalMask) {
        NDArray q = Ops.scale(qProj.forward(hiddenStates), scale);
        NDArray k = kProj.forward(hiddenStates);
        NDArray v = vProj.forward(hiddenStates);
        // q is already scaled, so the scores use scale 1 (an exact no-op multiply)
        NDArray attended = Ops.attention(q, k, v, heads, 1.0, causalMask);
        return outProj.forward(attended); // dropout p = 0: omitted
    }
}
