package org.draglora.engine.vae;

import ai.djl.ndarray.NDArray;
import org.draglora.engine.unet.Attention;
import org.draglora.engine.unet.ResnetBlock2D;
import org.draglora.engine.weights.WeightScope;

/**
 * Port of diffusers {@code UNetMidBlock2D} (models/unets/unet_2d_blocks.py, v0.27) as the VAE
 * encoder and decoder build it: one layer, no time embedding, GroupNorm eps 1e-6 with
 * {@code norm_num_groups} groups, and a single-head self-attention over all channels
 * ({@code attention_head_dim = C}) with its own group norm and residual.
 *
 * <p>Keys: resnets.0, attentions.0 (group_norm, to_q, to_k, to_v, to_out.0), resnets.1.
 * Shapes: (B, C, H, W) -> (B, C, H, W).
 */
public final class UNetMidBlock2D {

    private final ResnetBlock2D resnet0;
    private final Attention attention0;
    private final ResnetBlock2D resnet1;

    UNetMidBlock2D(WeightScope w, long channels, int groups) {
        resnet0 = new ResnetBlock2D(w.child("resnets").child(0), channels, channels, 0, groups, AutoencoderKL.NORM_EPS);
        attention0 = new Attention(w.child("attentions").child(0), Attention.Spec.vae(channels, groups));
        resnet1 = new ResnetBlock2D(w.child("resnets").child(1), channels, channels, 0, groups, AutoencoderKL.NORM_EPS);
    }

    public NDArray forward(NDArray hiddenStates) {
        NDArray x = resnet0.forward(hiddenStates, null);
        x = attention0.forwardSpatial(x);
        return resnet1.forward(x, null);
    }
}
