package org.draglora.engine.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;

/** Stateless tensor functions shared by the modules (activations, attention, resampling). */
public final class Ops {

    private Ops() {}

    /** SiLU (swish): {@code x * sigmoid(x)}. */
    public static NDArray silu(NDArray x) {
        return x.mul(Activation.sigmoid(x));
    }

    /** GELU with the exact erf form ({@code torch.nn.functional.gelu}, approximate='none'). */
    public static NDArray gelu(NDArray x) {
        return Activation.gelu(x);
    }

    /** CLIP's quick GELU: {@code x * sigmoid(1.702 x)}. */
    public static NDArray quickGelu(NDArray x) {
        return x.mul(Activation.sigmoid(scale(x, 1.702)));
    }

    /**
     * Multi-head scaled dot-product attention without a mask. Shapes: q (B, Nq, C), k and v
     * (B, Nk, C) with C = heads * headDim -> (B, Nq, C). Heads are split head-index-major,
     * {@code (B, N, heads, d)}, as diffusers' {@code head_to_batch_dim} does.
     */
    public static NDArray attention(NDArray q, NDArray k, NDArray v, int heads, double scale) {
        return attention(q, k, v, heads, scale, null);
    }

    /**
     * As {@link #attention(NDArray, NDArray, NDArray, int, double)} with an additive mask
     * broadcastable to (B, heads, Nq, Nk) (for CLIP's causal mask), or {@code null}.
     */
    public static NDArray attention(NDArray q, NDArray k, NDArray v, int heads, double scale, NDArray mask) {
        long b = q.getShape().get(0);
        long nq = q.getShape().get(1);
        long c = q.getShape().get(2);
        long d = c / heads;
        // (B, N, C) -> (B, N, heads, d) -> (B, heads, N, d); scaling q (Nq*C values) instead of the
        // scores (heads*Nq*Nk values) saves a pass over the largest tensor of the UNet at 64x64
        NDArray qh = scale(q, scale).reshape(b, nq, heads, d).transpose(0, 2, 1, 3);
        NDArray kh = k.reshape(b, k.getShape().get(1), heads, d).transpose(0, 2, 1, 3);
        NDArray vh = v.reshape(b, v.getShape().get(1), heads, d).transpose(0, 2, 1, 3);
        // scores (B, heads, Nq, Nk)
        NDArray scores = qh.matMul(kh.transpose(0, 1, 3, 2));
        if (mask != null) {
            scores = scores.add(mask);
        }
        NDArray probs = scores.softmax(3);
        // (B, heads, Nq, d) -> (B, Nq, heads, d) -> (B, Nq, C)
        return probs.matMul(vh).transpose(0, 2, 1, 3).reshape(b, nq, c);
    }

    /**
     * Turns an array made from Java values ({@code manager.create(float[], shape)}) into one whose
     * memory libtorch owns. DJL wraps Java data with {@code from_blob}: the memory belongs to a
     * direct buffer that lives only as long as the Java handle, so a view, or an autograd node that
     * saved the array for backward, would read freed memory once the handle closes (a SIGSEGV or,
     * worse, silent NaNs). Every array made from Java data goes through here.
     */
    public static NDArray owned(NDArray fromJava) {
        NDArray copy = fromJava.duplicate();
        fromJava.close();
        return copy;
    }

    /**
     * {@code x * c}, safe under autograd. DJL's {@code mul(Number)} wraps the scalar in a
     * {@code from_blob} tensor and closes it right away; mul's backward keeps that tensor, so the
     * backward pass may read freed memory once the garbage collector runs (intermittently wrong or
     * NaN gradients). The scalar here is a libtorch-owned 0-d tensor of x's type.
     */
    public static NDArray scale(NDArray x, double c) {
        try (NDArray s = x.getManager().full(new ai.djl.ndarray.types.Shape(), (float) c, x.getDataType())) {
            return x.mul(s);
        }
    }

    /** {@code x / c}, safe under autograd (see {@link #scale}). */
    public static NDArray divide(NDArray x, double c) {
        try (NDArray s = x.getManager().full(new ai.djl.ndarray.types.Shape(), (float) c, x.getDataType())) {
            return x.div(s);
        }
    }

    /**
     * A view of {@code a} owned by {@code manager}: no copy, gradients still flow. Results of an op
     * belong to its first operand's manager (STACK.md §2), so a long-lived input (a cached text
     * embedding, a session's latent) is borrowed into the step's manager before ops start from it;
     * otherwise every step would leave arrays in the long-lived manager.
     */
    public static NDArray borrow(NDArray a, ai.djl.ndarray.NDManager manager) {
        if (a.getManager() == manager) {
            return a;
        }
        NDArray view = a.reshape(a.getShape());
        view.attach(manager);
        return view;
    }

    /**
     * Runs {@code body} on {@code x} in a scratch manager and keeps only its result, which is
     * attached to {@code x}'s manager. DJL frees an intermediate only when its manager closes, so
     * without this a forward pass would hold every activation (attention scores included) until
     * the step ends: 12 GB for the SD 1.5 UNet at 512x512. Autograd keeps what backward needs on its
     * own; closing the Java handles is safe under a gradient collector.
     */
    public static NDArray scoped(NDArray x, java.util.function.UnaryOperator<NDArray> body) {
        if (RETAIN_INTERMEDIATES.get()) {
            return body.apply(x);
        }
        ai.djl.ndarray.NDManager parent = x.getManager();
        try (ai.djl.ndarray.NDManager scratch = parent.newSubManager()) {
            NDArray out = body.apply(borrow(x, scratch));
            out.attach(parent);
            return out;
        }
    }

    private static final ThreadLocal<Boolean> RETAIN_INTERMEDIATES = ThreadLocal.withInitial(() -> false);

    /**
     * Runs {@code run} with {@link #scoped} disabled on this thread, so that every array an op
     * creates stays in the caller's manager until it closes (the benchmark counts ops that way).
     */
    public static void withIntermediatesRetained(Runnable run) {
        RETAIN_INTERMEDIATES.set(true);
        try {
            run.run();
        } finally {
            RETAIN_INTERMEDIATES.set(false);
        }
    }

    /** Nearest-neighbour upsampling by 2 ({@code F.interpolate(scale_factor=2, mode="nearest")}). */
    public static NDArray upsampleNearest2x(NDArray x) {
        Shape s = x.getShape();
        long b = s.get(0);
        long c = s.get(1);
        long h = s.get(2);
        long w = s.get(3);
        // (B, C, H, W) -> (B, C, H, 1, W, 1) -> broadcast (B, C, H, 2, W, 2) -> (B, C, 2H, 2W)
        return x.reshape(b, c, h, 1, w, 1).broadcast(new Shape(b, c, h, 2, w, 2)).reshape(b, c, 2 * h, 2 * w);
    }

    /**
     * 2x2 mean pooling with stride 2 ({@code F.avg_pool2d(x, 2)}) of an array with even height and
     * width; differentiable.
     */
    public static NDArray averagePool2x(NDArray x) {
        Shape s = x.getShape();
        long b = s.get(0);
        long c = s.get(1);
        long h = s.get(2);
        long w = s.get(3);
        if (h % 2 != 0 || w % 2 != 0) {
            throw new IllegalArgumentException("2x2 pooling needs an even height and width, got " + s);
        }
        // (B, C, H, W) -> (B, C, H/2, 2, W/2, 2) -> mean over the cell's columns (B, C, H/2, 2, W/2) -> its rows
        // (B, C, H/2, W/2); DJL's PyTorch mean takes one axis at a time
        return x.reshape(b, c, h / 2, 2, w / 2, 2).mean(new int[] {5}).mean(new int[] {3});
    }
}
