package org.draglora.engine.unet;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.List;
import org.draglora.engine.nn.Conv2d;
import org.draglora.engine.nn.GroupNorm;
import org.draglora.engine.weights.WeightScope;

/**
 * Port of diffusers {@code Transformer2DModel} (models/transformers/transformer_2d.py, v0.27),
 * SD 1.5 path: use_linear_projection false (1x1 conv projections), GroupNorm eps 1e-6 (hard-coded
 * in diffusers, not norm_eps). Keys: norm, proj_in, transformer_blocks.N, proj_out.
 * Shapes: (B, C, H, W), text (B, M, Ctext) -> (B, C, H, W).
 */
public final class Transformer2DModel {

    private final GroupNorm norm;
    private final Conv2d projIn;
    private final List<BasicTransformerBlock> transformerBlocks = new ArrayList<>();
    private final Conv2d projOut;

    public Transformer2DModel(WeightScope w, long channels, int heads, long crossAttentionDim, int layers, int groups) {
        norm = new GroupNorm(w.child("norm"), groups, channels, 1e-6);
        projIn = new Conv2d(w.child("proj_in"), channels, channels, 1, 1, 0);
        for (int i = 0; i < layers; i++) {
            transformerBlocks.add(new BasicTransformerBlock(
                    w.child("transformer_blocks").child(i), channels, heads, crossAttentionDim));
        }
        projOut = new Conv2d(w.child("proj_out"), channels, channels, 1, 1, 0);
    }

    /** The attentions of every transformer block, in call order. */
    public List<Attention> attentions() {
        List<Attention> all = new ArrayList<>();
        transformerBlocks.forEach(b -> all.addAll(b.attentions()));
        return all;
    }

    public NDArray forward(NDArray hiddenStates, NDArray encoderHiddenStates, ForwardContext ctx) {
        Shape s = hiddenStates.getShape();
        long b = s.get(0);
        long c = s.get(1);
        long h = s.get(2);
        long w = s.get(3);
        NDArray x = projIn.forward(norm.forward(hiddenStates));
        // (B, C, H, W) -> (B, H, W, C) -> (B, H*W, C)
        x = x.transpose(0, 2, 3, 1).reshape(b, h * w, c);
        for (BasicTransformerBlock block : transformerBlocks) {
            x = block.forward(x, encoderHiddenStates, ctx);
        }
        // (B, H*W, C) -> (B, H, W, C) -> (B, C, H, W)
        x = x.reshape(b, h, w, c).transpose(0, 3, 1, 2);
        return projOut.forward(x).add(hiddenStates);
    }
}
