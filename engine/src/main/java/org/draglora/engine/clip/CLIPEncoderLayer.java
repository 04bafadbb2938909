package org.draglora.engine.clip;

import ai.djl.ndarray.NDArray;
import org.draglora.engine.nn.LayerNorm;
import org.draglora.engine.weights.WeightScope;

/**
 * Port of transformers {@code CLIPEncoderLayer} (models/clip/modeling_clip.py, transformers 4.38),
 * pre-LN: {@code x = x + self_attn(layer_norm1(x))}, then {@code x = x + mlp(layer_norm2(x))}.
 *
 * <p>Keys under {@code text_model.encoder.layers.N.}: self_attn, layer_norm1, mlp, layer_norm2.
 * Shapes: hiddenStates (B, L, C), causalMask (L, L) -> (B, L, C).
 */
public final class CLIPEncoderLayer {

    private final CLIPAttention selfAttn;
    private final LayerNorm layerNorm1;
    private final CLIPMLP mlp;
    private final LayerNorm layerNorm2;

    CLIPEncoderLayer(WeightScope w, CLIPTextConfig cfg) {
        selfAttn = new CLIPAttention(w.child("self_attn"), cfg);
        layerNorm1 = new LayerNorm(w.child("layer_norm1"), cfg.hiddenSize(), cfg.layerNormEps());
        mlp = new CLIPMLP(w.child("mlp"), cfg);
        layerNorm2 = new LayerNorm(w.child("layer_norm2"), cfg.hiddenSize(), cfg.layerNormEps());
    }

    public NDArray forward(NDArray hiddenStates, NDArray causalMask) {
        NDArray x = hiddenStates.add(selfAttn.forward(layerNorm1.forward(hiddenStates), causalMask));
        return x.add(mlp.forward(layerNorm2.forward(x)));
    }
}
