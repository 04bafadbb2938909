package org.draglora.engine.unet;

import ai.djl.ndarray.NDArray;
import java.util.ArrayList;
import java.util.List;
import org.draglora.engine.weights.WeightScope;

/**
 * Port of diffusers {@code DownBlock2D} (models/unets/unet_2d_blocks.py, v0.27): resnets only, then
 * an optional downsampler. Keys: resnets.N, downsamplers.0.
 */
public final class DownBlock2D implements DownBlock {

    private final List<ResnetBlock2D> resnets = new ArrayList<>();
    private final Downsample2D downsampler;

    DownBlock2D(WeightScope w, UNet2DConditionConfig cfg, long in, long out, long temb, boolean addDownsample) {
        for (int j = 0; j < cfg.layersPerBlock(); j++) {
            resnets.add(new ResnetBlock2D(w.child("resnets").child(j), j == 0 ? in : out, out, temb,
                    cfg.normNumGroups(), cfg.normEps()));
        }
        downsampler = addDownsample
                ? new Downsample2D(w.child("downsamplers").child(0), out, cfg.downsamplePadding()) : null;
    }

    @Override
    public Output forward(NDArray hiddenStates, NDArray temb, NDArray encoderHiddenStates, ForwardContext ctx) {
        List<NDArray> res = new ArrayList<>();
        NDArray x = hiddenStates;
        for (ResnetBlock2D resnet : resnets) {
            x = resnet.forward(x, temb, ctx.adapters());
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
        return List.of();
    }
}
