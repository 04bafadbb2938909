package org.draglora.engine.unet;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import org.draglora.engine.nn.GroupNorm;
import org.draglora.engine.nn.Linear;
import org.draglora.engine.nn.Ops;
import org.draglora.engine.weights.WeightScope;

/**
 * Port of diffusers {@code Attention} (models/attention_processor.py, v0.27), the SD 1.5 uses:
 * the UNet's self- and cross-attention (no q/k/v bias, several heads) and the VAE mid-block
 * attention (q/k/v bias, one head, its own group norm and residual on a 4-d input).
 *
 * <p>Keys: {@code to_q}, {@code to_k}, {@code to_v}, {@code to_out.0} and, for the VAE form,
 * {@code group_norm}. Weights and processor are separate: the computation between the projections
 * and {@code to_out} is the {@link AttnProcessor} the {@link ForwardContext} names for this path.
 * Shapes: tokens (B, N, queryDim), context (B, M, crossDim) -> (B, N, queryDim).
 */
public final class Attention {

    /**
     * The shape of one attention.
     *
     * @param queryDim channels of the queries (and of the output)
     * @param crossDim channels of the context, or 0 for self-attention
     * @param heads number of heads
     * @param dimHead channels per head
     * @param qkvBias whether to_q/to_k/to_v have a bias (VAE) or not (UNet)
     * @param groupNormGroups groups of the VAE's built-in group norm, 0 for none
     * @param groupNormEps eps of that group norm
     */
    public record Spec(long queryDim, long crossDim, int heads, long dimHead, boolean qkvBias,
            int groupNormGroups, double groupNormEps) {

        /** A UNet attention: self when {@code crossDim} is 0. */
        public static Spec unet(long queryDim, long crossDim, int heads) {
            if (queryDim % heads != 0) {
                throw new IllegalArgumentException(queryDim + " channels are not divisible into " + heads + " heads");
            }
            return new Spec(queryDim, crossDim, heads, queryDim / heads, false, 0, 0);
        }

        /** The VAE mid-block attention: one head over all channels, own group norm (eps 1e-6). */
        public static Spec vae(long channels, int groups) {
            return new Spec(channels, 0, 1, channels, true, groups, 1e-6);
        }
    }

    private final String path;
    private final Spec spec;
    private final double scale;
    private final GroupNorm groupNorm;
    private final Linear toQ;
    private final Linear toK;
    private final Linear toV;
    private final Linear toOut0;

    public Attention(WeightScope w, Spec spec) {
        this.path = w.path();
        this.spec = spec;
        long inner = spec.heads() * spec.dimHead();
        long contextDim = spec.crossDim() == 0 ? spec.queryDim() : spec.crossDim();
        this.scale = 1.0 / Math.sqrt(spec.dimHead());
        this.groupNorm = spec.groupNormGroups() == 0 ? null
                : new GroupNorm(w.child("group_norm"), spec.groupNormGroups(), spec.queryDim(), spec.groupNormEps());
        this.toQ = new Linear(w.child("to_q"), spec.queryDim(), inner, spec.qkvBias());
        this.toK = new Linear(w.child("to_k"), contextDim, inner, spec.qkvBias());
        this.toV = new Linear(w.child("to_v"), contextDim, inner, spec.qkvBias());
        this.toOut0 = new Linear(w.child("to_out").child(0), inner, spec.queryDim(), true);
    }

    /** The key path, e.g. {@code down_blocks.0.attentions.0.transformer_blocks.0.attn1}. */
    public String path() {
        return path;
    }

    /** Whether this is a self-attention. */
    public boolean isSelfAttention() {
        return spec.crossDim() == 0;
    }

    /** Number of heads. */
    public int heads() {
        return spec.heads();
    }

    /** The softmax scale, {@code dimHead^-0.5}. */
    public double scale() {
        return scale;
    }

    /** The four projections that LoRA adapts: to_q, to_k, to_v, to_out.0. */
    public java.util.List<Linear> projections() {
        return java.util.List.of(toQ, toK, toV, toOut0);
    }

    /**
     * Attention over tokens. {@code context} is {@code null} for self-attention.
     */
    public NDArray forward(NDArray hiddenStates, NDArray context, ForwardContext ctx) {
        return Ops.scoped(hiddenStates, h -> {
            NDArray source = context == null ? h : Ops.borrow(context, h.getManager());
            NDArray q = toQ.forward(h, ctx.adapters());
            NDArray k = toK.forward(source, ctx.adapters());
            NDArray v = toV.forward(source, ctx.adapters());
            NDArray attended = ctx.processor(path).attend(this, q, k, v);
            return toOut0.forward(attended, ctx.adapters()); // to_out.1 is dropout: omitted
        });
    }

    /**
     * The VAE form on a feature map: group norm, self-attention over the H*W tokens, residual.
     * Shapes: (B, C, H, W) -> (B, C, H, W).
     */
    public NDArray forwardSpatial(NDArray x) {
        Shape s = x.getShape();
        long b = s.get(0);
        long c = s.get(1);
        long h = s.get(2);
        long wd = s.get(3);
        NDArray normed = groupNorm == null ? x : groupNorm.forward(x);
        // (B, C, H, W) -> (B, C, H*W) -> (B, H*W, C)
        NDArray tokens = normed.reshape(b, c, h * wd).transpose(0, 2, 1);
        NDArray out = forward(tokens, null, ForwardContext.DEFAULT);
        // (B, H*W, C) -> (B, C, H*W) -> (B, C, H, W); residual, rescale_output_factor 1
        return out.transpose(0, 2, 1).reshape(b, c, h, wd).add(x);
    }
}
