package org.draglora.engine.unet;

import ai.djl.ndarray.NDArray;
import java.util.List;
import org.draglora.engine.weights.WeightScope;

/**
 * Port of diffusers {@code UNetMidBlock2DCrossAttn} (models/unets/unet_2d_blocks.py, v0.27) with
 * one layer: resnets.0, attentions.0, resnets.1. Shapes: (B, C, H, W) -> (B, C, H, W).
 */
public final class UNetMidBlock2DCrossAttn {

    private final ResnetBlock2D resnet0;
    private final Transformer2DModel attention0;
    private final ResnetBlock2D resnet1;

    UNetMidBlock2DCrossAttn(WeightScope w, UNet2DConditionConfig cfg, long channels, long temb, int heads) {
        resnet0 = new ResnetBlock2D(w.child("resnets").child(0), channels, channels, temb, cfg.normNumGroups(),
                cfg.normEps());
        attention0 = new Transformer2DModel(w.child("attentions").child(0), channels, heads, cfg.crossAttentionDim(),
                cfg.transformerLayersPerBlock(), cfg.normNumGroups());
        resnet1 = new ResnetBlock2D(w.child("resnets").child(1), channels, channels, temb, cfg.normNumGroups(),
                cfg.normEps());
    }

    public NDArray forward(NDArray hiddenStates, NDArray temb, NDArray encoderHiddenStates, ForwardContext ctx) {
        NDArray x = resnet0.forward(hiddenStates, temb, ctx.adapters());
        x = attention0.forward(x, encoderHiddenStates, ctx);
        return resnet1.forward(x, temb, ctx.adapters());
    }

    List<ResnetBlock2D> resnets() {
        return List.of(resnet0, resnet1);
    }

    List<Attention> attentions() {
        return attention0.attentions();
    }
}
