package org.draglora.engine.vae;

import ai.djl.ndarray.NDArray;
import java.util.ArrayList;
import java.util.List;
import org.draglora.engine.unet.Downsample2D;
import org.draglora.engine.unet.ResnetBlock2D;
import org.draglora.engine.weights.WeightScope;

/**
 * Port of diffusers {@code DownEncoderBlock2D} (models/unets/unet_2d_blocks.py, v0.27) as the VAE
 * encoder builds it: resnets without time embedding (GroupNorm eps 1e-6), then, except in the last
 * block, a Downsample2D with padding 0 (asymmetric right/bottom zero pad, stride-2 3x3 conv).
 *
 * <p>Keys: resnets.N, downsamplers.0.conv. Shapes: (B, Cin, H, W) -> (B, Cout, H/2, W/2), or
 * (B, Cout, H, W) without the downsampler.
 */
public final class DownEncoderBlock2D {

    private final List<ResnetBlock2D> resnets = new ArrayList<>();
    private final Downsample2D downsampler;

    DownEncoderBlock2D(WeightScope w, long in, long out, int layers, int groups, boolean addDownsample) {
        for (int j = 0; j < layers; j++) {
            resnets.add(new ResnetBlock2D(w.child("resnets").child(j), j == 0 ? in : out, out, 0, groups,
                    AutoencoderKL.NORM_EPS));
        }
        // downsample_padding=0 in diffusers' vae.py Encoder
        downsampler = addDownsample ? new Downsample2D(w.child("downsamplers").child(0), out, 0) : null;
    }

    public NDArray forward(NDArray hiddenStates) {
        NDArray x = hiddenStates;
        for (ResnetBlock2D resnet : resnets) {
            x = resnet.forward(x, null);
        }
        return downsampler == null ? x : downsampler.forward(x);
    }
}
