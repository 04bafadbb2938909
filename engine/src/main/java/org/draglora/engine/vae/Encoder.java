package org.draglora.engine.vae;

import static org.draglora.engine.nn.Ops.silu;

import ai.djl.ndarray.NDArray;
import java.util.ArrayList;
import java.util.List;
import org.draglora.engine.nn.Conv2d;
import org.draglora.engine.nn.GroupNorm;
import org.draglora.engine.unet.FeatureTap;
import org.draglora.engine.weights.WeightScope;

/**
 * Port of diffusers {@code Encoder} (models/autoencoders/vae.py, v0.27), SD 1.5 path: conv_in,
 * DownEncoderBlock2D per block (downsampling in all but the last), mid block, then group norm, SiLU
 * and conv_out to {@code 2 * latent_channels} (double_z: mean and log-variance).
 *
 * <p>Keys under {@code encoder.}: conv_in, down_blocks.N, mid_block, conv_norm_out, conv_out.
 * Shapes: sample (B, in, H, W) -> (B, 2 * latent, H / 2^(n-1), W / 2^(n-1)), n = number of blocks.
 */
public final class Encoder {

    private final String path;
    private final Conv2d convIn;
    private final List<DownEncoderBlock2D> downBlocks = new ArrayList<>();
    private final UNetMidBlock2D midBlock;
    private final GroupNorm convNormOut;
    private final Conv2d convOut;

    Encoder(WeightScope w, AutoencoderKLConfig cfg) {
        this.path = w.path();
        List<Integer> ch = cfg.blockOutChannels();
        int n = cfg.blockCount();
        int groups = cfg.normNumGroups();
        convIn = new Conv2d(w.child("conv_in"), cfg.inChannels(), ch.get(0), 3, 1, 1);
        long out = ch.get(0);
        for (int i = 0; i < n; i++) {
            long in = out;
            out = ch.get(i);
            downBlocks.add(new DownEncoderBlock2D(w.child("down_blocks").child(i), in, out, cfg.layersPerBlock(),
                    groups, i < n - 1));
        }
        midBlock = new UNetMidBlock2D(w.child("mid_block"), ch.get(n - 1), groups);
        convNormOut = new GroupNorm(w.child("conv_norm_out"), groups, ch.get(n - 1), AutoencoderKL.NORM_EPS);
        convOut = new Conv2d(w.child("conv_out"), ch.get(n - 1), 2L * cfg.latentChannels(), 3, 1, 1);
    }

    /** The encoder output; {@code tap} sees conv_in, down_blocks.N, mid_block and the output, by key path. */
    public NDArray forward(NDArray sample, FeatureTap tap) {
        NDArray x = convIn.forward(sample);
        tap.accept(path + ".conv_in", x);
        for (int i = 0; i < downBlocks.size(); i++) {
            x = downBlocks.get(i).forward(x);
            tap.accept(path + ".down_blocks." + i, x);
        }
        x = midBlock.forward(x);
        tap.accept(path + ".mid_block", x);
        x = convOut.forward(silu(convNormOut.forward(x)));
        tap.accept(path, x);
        return x;
    }
}
