package org.draglora.engine.unet;

import ai.djl.ndarray.NDArray;
import java.util.ArrayList;
import java.util.List;
import org.draglora.engine.weights.WeightScope;

/**
 * Port of diffusers {@code CrossAttnDownBlock2D} (models/unets/unet_2d_blocks.py, v0.27): per layer
 * a resnet then a transformer, then an optional downsampler. Keys: resnets.N, attentions.N,
 * downsamplers.0. Shapes: (B, Cin, H, W) -> (B, Cout, H/2, W/2) (or H, W in the last block).
 */
public final class CrossAttnDownBlock2D implements DownBlock {

    private final List<ResnetBlock2D> resnets = new ArrayList<>();
    private final List<Transformer2DModel> transformers = new ArrayList<>();
    private final Downsample2D downsampler;

    CrossAttnDownBlock2D(WeightScope w, UNet2DConditionConfig cfg, long in, long out, long temb, int heads,
            boolean addDownsample) {
        for (int j = 0; j < cfg.layersPerBlock(); j++) {
            resnets.add(new ResnetBlock2D(w.child("resnets").child(j), j == 0 ? in : out, out, temb,
                    cfg.normNumGroups(), cfg.normEps()));
            transformers.add(new Transformer2DModel(w.child("attentions").child(j), out, heads,
                    cfg.crossAttentionDim(), cfg.transformerLayersPerBlock(), cfg.normNumGroups()));
        }
        downsampler = addDownsample
                ? new Downsample2D(w.child("downsamplers").child(0), out, cfg.downsamplePadding()) : null;
    }

    @Override
    public Output forward(NDArray hiddenStates, NDArray temb, NDArray encoderHiddenStates, ForwardContext ctx) {
        List<NDArray> res = new ArrayList<>();
        NDArray x = hiddenStates;
        for (int j = 0; j < resnets.size(); j++) {
            x = resnets.get(j).forward(x, temb, ctx.adapters());
            x = transformers.get(j).forward(x, encoderHiddenStates, ctx);
            res.add(x);
        }
        if (downsampler != null) {
            x = downsampler.forward(x);
            res.add(x);
        }
        return new Output(x, res);
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
