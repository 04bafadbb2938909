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
 * Port of diffusers {@code Decoder} (models/autoencoders/vae.py, v0.27), SD 1.5 path (group norm,
 * no spatial norm): conv_in, mid block, UpDecoderBlock2D per block on the reversed channels
 * (upsampling in all but the last), then group norm, SiLU and conv_out.
 *
 * <p>Keys under {@code decoder.}: conv_in, mid_block, up_blocks.N, conv_norm_out, conv_out.
 * Shapes: z (B, latent, h, w) -> (B, out, h * 2^(n-1), w * 2^(n-1)), n = number of blocks.
 */
public final class Decoder {

    private final String path;
    private final Conv2d convIn;
    private final UNetMidBlock2D midBlock;
    private final List<UpDecoderBlock2D> upBlocks = new ArrayList<>();
    private final GroupNorm convNormOut;
    private final Conv2d convOut;

    Decoder(WeightScope w, AutoencoderKLConfig cfg) {
        this.path = w.path();
        List<Integer> ch = cfg.blockOutChannels();
        int n = cfg.blockCount();
        int groups = cfg.normNumGroups();
        convIn = new Conv2d(w.child("conv_in"), cfg.latentChannels(), ch.get(n - 1), 3, 1, 1);
        midBlock = new UNetMidBlock2D(w.child("mid_block"), ch.get(n - 1), groups);
        long out = ch.get(n - 1);
        for (int i = 0; i < n; i++) {
            long in = out;
            out = ch.get(n - 1 - i);
            upBlocks.add(new UpDecoderBlock2D(w.child("up_blocks").child(i), in, out, cfg.layersPerBlock() + 1,
                    groups, i < n - 1));
        }
        convNormOut = new GroupNorm(w.child("conv_norm_out"), groups, ch.get(0), AutoencoderKL.NORM_EPS);
        convOut = new Conv2d(w.child("conv_out"), ch.get(0), cfg.outChannels(), 3, 1, 1);
    }

    /** The decoded image; {@code tap} sees conv_in, mid_block and up_blocks.N, by key path. */
    public NDArray forward(NDArray z, FeatureTap tap) {
        NDArray x = convIn.forward(z);
        tap.accept(path + ".conv_in", x);
        x = midBlock.forward(x);
        tap.accept(path + ".mid_block", x);
        for (int i = 0; i < upBlocks.size(); i++) {
            x = upBlocks.get(i).forward(x);
            tap.accept(path + ".up_blocks." + i, x);
        }
        return convOut.forward(silu(convNormOut.forward(x)));
    }
}
