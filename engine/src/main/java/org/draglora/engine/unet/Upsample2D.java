package org.draglora.engine.unet;

import ai.djl.ndarray.NDArray;
import org.draglora.engine.nn.Conv2d;
import org.draglora.engine.nn.Ops;
import org.draglora.engine.weights.WeightScope;

/**
 * Port of diffusers {@code Upsample2D} with a conv (models/upsampling.py, v0.27): nearest-neighbour
 * x2 then a 3x3 conv. Key: {@code conv}. Shapes: (B, C, H, W) -> (B, C, 2H, 2W).
 */
public final class Upsample2D {

    private final Conv2d conv;

    public Upsample2D(WeightScope w, long channels) {
        this.conv = new Conv2d(w.child("conv"), channels, channels, 3, 1, 1);
    }

    public NDArray forward(NDArray hiddenStates) {
        return conv.forward(Ops.upsampleNearest2x(hiddenStates));
    }
}
