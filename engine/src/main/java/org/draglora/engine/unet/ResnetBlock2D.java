package org.draglora.engine.unet;

import static org.draglora.engine.nn.Ops.silu;

import ai.djl.ndarray.NDArray;
import java.util.List;
import org.draglora.engine.nn.Conv2d;
import org.draglora.engine.nn.GroupNorm;
import org.draglora.engine.nn.LayerAdapters;
import org.draglora.engine.nn.Linear;
import org.draglora.engine.nn.Ops;
import org.draglora.engine.weights.WeightScope;

/**
 * Port of diffusers {@code ResnetBlock2D} (models/resnet.py, v0.27), SD 1.5 path: default
 * time-embedding norm, no up/down sampling inside, output_scale_factor 1, dropout 0.
 *
 * <p>Keys: norm1, conv1, time_emb_proj (only with a time embedding: UNet yes, VAE no), norm2,
 * conv2, conv_shortcut (only when in != out). Shapes: hiddenStates (B, Cin, H, W), temb (B, Ct)
 * or {@code null} -> (B, Cout, H, W).
 */
public final class ResnetBlock2D {

    private final GroupNorm norm1;
    private final Conv2d conv1;
    private final Linear timeEmbProj;
    private final GroupNorm norm2;
    private final Conv2d conv2;
    private final Conv2d convShortcut;

    /**
     * @param tembChannels channels of the time embedding, 0 for none (VAE)
     * @param groups GroupNorm groups
     * @param eps GroupNorm eps (1e-5 in the UNet, 1e-6 in the VAE)
     */
    public ResnetBlock2D(WeightScope w, long in, long out, long tembChannels, int groups, double eps) {
        norm1 = new GroupNorm(w.child("norm1"), groups, in, eps);
        conv1 = new Conv2d(w.child("conv1"), in, out, 3, 1, 1);
        timeEmbProj = tembChannels == 0 ? null : new Linear(w.child("time_emb_proj"), tembChannels, out, true);
        norm2 = new GroupNorm(w.child("norm2"), groups, out, eps);
        conv2 = new Conv2d(w.child("conv2"), out, out, 3, 1, 1);
        convShortcut = in == out ? null : new Conv2d(w.child("conv_shortcut"), in, out, 1, 1, 0);
    }

    /** The forward pass with the base weights (the VAE's resnets). */
    public NDArray forward(NDArray hiddenStates, NDArray temb) {
        return forward(hiddenStates, temb, LayerAdapters.NONE);
    }

    /** The forward pass with per-call adapters on conv1 and conv2 (LoRA on the resnet convolutions). */
    public NDArray forward(NDArray hiddenStates, NDArray temb, LayerAdapters adapters) {
        return Ops.scoped(hiddenStates, h -> {
            NDArray x = conv1.forward(silu(norm1.forward(h)), adapters);
            if (timeEmbProj != null) {
                // temb: (B, Ct) -> (B, Cout) -> (B, Cout, 1, 1), broadcast over H, W
                x = x.add(timeEmbProj.forward(silu(Ops.borrow(temb, h.getManager()))).expandDims(2).expandDims(3));
            }
            x = conv2.forward(silu(norm2.forward(x)), adapters);
            NDArray shortcut = convShortcut == null ? h : convShortcut.forward(h);
            return shortcut.add(x);
        });
    }

    /** The 3x3 convolutions LoRA can adapt: conv1 and conv2 (the 1x1 shortcut is left alone). */
    public List<Conv2d> convs() {
        return List.of(conv1, conv2);
    }
}
