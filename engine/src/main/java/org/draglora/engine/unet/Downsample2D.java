package org.draglora.engine.unet;

import ai.djl.ndarray.NDArray;
import org.draglora.engine.nn.Conv2d;
import org.draglora.engine.weights.WeightScope;

/**
 * Port of diffusers {@code Downsample2D} with a conv (models/downsampling.py, v0.27). Key:
 * {@code conv}. With padding 1 (UNet) a 3x3 stride-2 conv; with padding 0 (VAE) the input is first
 * zero-padded by one on the right and bottom only ({@code F.pad(x, (0, 1, 0, 1))}). Shapes:
 * (B, C, H, W) -> (B, C, H/2, W/2).
 */
public final class Downsample2D {

    private final Conv2d conv;
    private final boolean asymmetricPad;

    public Downsample2D(WeightScope w, long channels, int padding) {
        this.conv = new Conv2d(w.child("conv"), channels, channels, 3, 2, padding);
        this.asymmetricPad = padding == 0;
    }

    public NDArray forward(NDArray hiddenStates) {
        NDArray x = hiddenStates;
        if (asymmetricPad) {
            // pad (left 0, right 1, top 0, bottom 1); DJL lists pads from the last axis backwards
            x = x.pad(new ai.djl.ndarray.types.Shape(0, 1, 0, 1), 0);
        }
        return conv.forward(x);
    }
}
