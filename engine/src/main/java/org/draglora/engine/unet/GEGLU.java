package org.draglora.engine.unet;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import org.draglora.engine.nn.Linear;
import org.draglora.engine.nn.Ops;
import org.draglora.engine.weights.WeightScope;

/**
 * Port of diffusers {@code GEGLU} (models/activations.py, v0.27). Key: {@code proj}
 * (Linear dim -> 2*inner). The first half of the projection is the value, the second the gate:
 * {@code value * gelu(gate)} with exact erf GELU. Shapes: (B, N, dim) -> (B, N, inner).
 */
public final class GEGLU {

    private final Linear proj;

    public GEGLU(WeightScope w, long dim, long inner) {
        this.proj = new Linear(w.child("proj"), dim, 2 * inner, true);
    }

    public NDArray forward(NDArray hiddenStates) {
        NDArray projected = proj.forward(hiddenStates);
        // (B, N, 2*inner) -> value (B, N, inner), gate (B, N, inner); DJL needs a positive axis
        NDList halves = projected.split(2, projected.getShape().dimension() - 1);
        return halves.get(0).mul(Ops.gelu(halves.get(1)));
    }
}
