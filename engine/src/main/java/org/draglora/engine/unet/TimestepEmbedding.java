package org.draglora.engine.unet;

import ai.djl.ndarray.NDArray;
import org.draglora.engine.nn.Linear;
import org.draglora.engine.nn.Ops;
import org.draglora.engine.weights.WeightScope;

/**
 * Port of diffusers {@code TimestepEmbedding} (models/embeddings.py, v0.27): linear_1, SiLU,
 * linear_2. Keys: linear_1, linear_2. Shapes: (B, in) -> (B, timeEmbedDim).
 */
public final class TimestepEmbedding {

    private final Linear linear1;
    private final Linear linear2;

    public TimestepEmbedding(WeightScope w, long in, long timeEmbedDim) {
        linear1 = new Linear(w.child("linear_1"), in, timeEmbedDim, true);
        linear2 = new Linear(w.child("linear_2"), timeEmbedDim, timeEmbedDim, true);
    }

    public NDArray forward(NDArray sample) {
        return linear2.forward(Ops.silu(linear1.forward(sample)));
    }
}
