package org.draglora.engine.clip;

import ai.djl.ndarray.NDArray;
import org.draglora.engine.nn.Linear;
import org.draglora.engine.nn.Ops;
import org.draglora.engine.weights.WeightScope;

/**
 * Port of transformers {@code CLIPMLP} (models/clip/modeling_clip.py, transformers 4.38): fc1, the
 * configured activation (quick_gelu {@code x * sigmoid(1.702 x)} in SD 1.5, or exact gelu), fc2.
 *
 * <p>Keys under {@code text_model.encoder.layers.N.mlp.}: fc1 (C -> I), fc2 (I -> C).
 * Shapes: (B, L, C) -> (B, L, C).
 */
public final class CLIPMLP {

    private final Linear fc1;
    private final Linear fc2;
    private final boolean quickGelu;

    CLIPMLP(WeightScope w, CLIPTextConfig cfg) {
        fc1 = new Linear(w.child("fc1"), cfg.hiddenSize(), cfg.intermediateSize(), true);
        fc2 = new Linear(w.child("fc2"), cfg.intermediateSize(), cfg.hiddenSize(), true);
        quickGelu = cfg.hiddenAct().equals(CLIPTextConfig.QUICK_GELU);
    }

    public NDArray forward(NDArray hiddenStates) {
        NDArray x = fc1.forward(hiddenStates);
        x = quickGelu ? Ops.quickGelu(x) : Ops.gelu(x);
        return fc2.forward(x);
    }
}
