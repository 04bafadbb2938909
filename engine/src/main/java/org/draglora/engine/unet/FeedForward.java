package org.draglora.engine.unet;

import ai.djl.ndarray.NDArray;
import org.draglora.engine.nn.Linear;
import org.draglora.engine.weights.WeightScope;

/**
 * Port of diffusers {@code FeedForward} with GEGLU (models/attention.py, v0.27), mult 4. Keys:
 * {@code net.0.proj} (the GEGLU), {@code net.2} (Linear inner -> dim); net.1 is dropout.
 * Shapes: (B, N, dim) -> (B, N, dim).
 */
public final class FeedForward {

    private final GEGLU net0;
    private final Linear net2;

    public FeedForward(WeightScope w, long dim) {
        long inner = 4 * dim;
        this.net0 = new GEGLU(w.child("net").child(0), dim, inner);
        this.net2 = new Linear(w.child("net").child(2), inner, dim, true);
    }

    public NDArray forward(NDArray hiddenStates) {
        return net2.forward(net0.forward(hiddenStates));
    }
}
