package org.draglora.engine.vae;

import ai.djl.ndarray.NDArray;
import java.util.ArrayList;
import java.util.List;
import org.draglora.engine.unet.ResnetBlock2D;
import org.draglora.engine.unet.Upsample2D;
import org.draglora.engine.weights.WeightScope;

/**
 * Port of diffusers {@code UpDecoderBlock2D} (models/unets/unet_2d_blocks.py, v0.27) as the VAE
 * decoder builds it: {@code layers_per_block + 1} resnets without time embedding (GroupNorm eps
 * 1e-6) and no skip connections, then, except in the last block, a nearest x2 Upsample2D with a
 * 3x3 conv.
 *
 * <p>Keys: resnets.N, upsamplers.0.conv. Shapes: (B, Cin, H, W) -> (B, Cout, 2H, 2W), or
 * (B, Cout, H, W) without the upsampler.
 */
public final class UpDecoderBlock2D {

    private final List<ResnetBlock2D> resnets = new ArrayList<>();
    private final Upsample2D upsampler;

    UpDecoderBlock2D(WeightScope w, long in, long out, int layers, int groups, boolean addUpsample) {
        for (int j = 0; j < layers; j++) {
            resnets.add(new ResnetBlock2D(w.child("resnets").child(j), j == 0 ? in : out, out, 0, groups,
                    AutoencoderKL.NORM_EPS));
        }
        upsampler = addUpsample ? new Upsample2D(w.child("upsamplers").child(0), out) : null;
    }

    public NDArray forward(NDArray hiddenStates) {
        NDArray x = hiddenStates;
        for (ResnetBlock2D resnet : resnets) {
            x = resnet.forward(x, null);
        }
        return upsampler == null ? x : upsampler.forward(x);
    }
}
