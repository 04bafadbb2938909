package org.draglora.engine.unet;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import org.draglora.engine.weights.WeightScope;

/**
 * Port of diffusers {@code CrossAttnUpBlock2D} (models/unets/unet_2d_blocks.py, v0.27): per layer
 * the skip state is concatenated, then a resnet and a transformer; an optional upsampler ends the
 * block. Keys: resnets.N, attentions.N, upsamplers.0.
 */
public final class CrossAttnUpBlock2D implements UpBlock {

    private final List<ResnetBlock2D> resnets = new ArrayList<>();
    private final List<Transformer2DModel> transformers = new ArrayList<>();
    private final Upsample2D upsampler;

    /**
     * @param in channels of the matching down block's input (the last skip's channels)
     * @param prevOut channels coming from the previous up block
     */
    CrossAttnUpBlock2D(WeightScope w, UNet2DConditionConfig cfg, long in, long out, long prevOut, long temb,
            int heads, boolean addUpsample) {
        int layers = cfg.layersPerBlock() + 1;
        for (int j = 0; j < layers; j++) {
            long skip = j == layers - 1 ? in : out;
            long resnetIn = j == 0 ? prevOut : out;
            resnets.add(new ResnetBlock2D(w.child("resnets").child(j), resnetIn + skip, out, temb,
                    cfg.normNumGroups(), cfg.normEps()));
            transformers.add(new Transformer2DModel(w.child("attentions").child(j), out, heads,
                    cfg.crossAttentionDim(), cfg.transformerLayersPerBlock(), cfg.normNumGroups()));
        }
        upsampler = addUpsample ? new Upsample2D(w.child("upsamplers").child(0), out) : null;
    }

    @Override
    public NDArray forward(NDArray hiddenStates, Deque<NDArray> skips, NDArray temb, NDArray encoderHiddenStates,
            ForwardContext ctx) {
        NDArray x = hiddenStates;
        for (int j = 0; j < resnets.size(); j++) {
            // (B, C, H, W) ++ (B, Cskip, H, W) -> (B, C + Cskip, H, W)
            x = NDArrays.concat(new ai.djl.ndarray.NDList(x, skips.removeLast()), 1);
            x = resnets.get(j).forward(x, temb, ctx.adapters());
            x = transformers.get(j).forward(x, encoderHiddenStates, ctx);
        }
        return upsampler == null ? x : upsampler.forward(x);
    }

    @Override
    public List<ResnetBlock2D> resnets() {
        return List.copyOf(resnets);
    }

    @Override
    public List<Attention> attentions() {
        List<Attention> all = new ArrayList<>();
        transformers.forEach(t -> all.addAll(t.attentions()));
        return all;
    }
}
