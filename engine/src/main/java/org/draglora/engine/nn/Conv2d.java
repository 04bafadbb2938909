package org.draglora.engine.nn;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.jni.JniUtils;
import org.draglora.engine.weights.WeightScope;

/**
 * {@code torch.nn.Conv2d} with square kernels, stride and symmetric padding. Keys: {@code weight}
 * (out, in, k, k), {@code bias} (out). Shapes: x (B, in, H, W) -> (B, out, H', W').
 *
 * <p>oneDNN bug (STACK.md §2): in PyTorch 2.7.1 on CPU the input gradient of a float32 conv with
 * k > 1 whose output-channel count is not a multiple of 16 is wrong or NaN. When that gradient can
 * be needed (autograd is recording), the kernel is zero-padded to a multiple of 16 output
 * channels and the output sliced back; the forward values are unchanged. {@link #conv} applies the
 * same guard to any kernel (LoRA branches on convolutions use it).
 */
public final class Conv2d implements AdaptableLayer {

    private final String path;
    private final NDArray weight;
    private final NDArray bias;
    private final int stride;
    private final int padding;

    public Conv2d(WeightScope w, long in, long out, int kernel, int stride, int padding) {
        this.path = w.path();
        this.weight = w.get("weight", out, in, kernel, kernel);
        this.bias = w.get("bias", out);
        this.stride = stride;
        this.padding = padding;
    }

    @Override
    public String path() {
        return path;
    }

    /** The kernel (out, in, k, k). */
    @Override
    public NDArray weight() {
        return weight;
    }

    public NDArray forward(NDArray x) {
        return conv(x, weight, bias, stride, padding);
    }

    /** The forward pass with a fused kernel and/or an additive LoRA branch for this layer, if any. */
    public NDArray forward(NDArray x, LayerAdapters adapters) {
        NDArray override = adapters.weight(path);
        NDArray y = conv(x, override != null ? override : weight, bias, stride, padding);
        NDArray delta = adapters.delta(path, x);
        return delta == null ? y : y.add(delta);
    }

    /**
     * {@code conv2d(x, w, b)} with dilation 1 and one group; {@code b} may be {@code null}. Shapes:
     * x (B, in, H, W), w (out, in, k, k), b (out) -> (B, out, H', W').
     */
    public static NDArray conv(NDArray x, NDArray w, NDArray b, int stride, int padding) {
        Shape s = new Shape(stride, stride);
        Shape p = new Shape(padding, padding);
        Shape d = new Shape(1, 1);
        Shape ws = w.getShape();
        long out = ws.get(0);
        if (needsChannelPadding(x, ws)) {
            long padded = (out + 15) / 16 * 16;
            // the padded kernel is made from x's manager and closed after the call (autograd keeps
            // its own reference), so nothing accumulates in the model's manager
            try (NDManager scratch = x.getManager().newSubManager()) {
                NDArray zw = scratch.zeros(new Shape(padded - out, ws.get(1), ws.get(2), ws.get(3)), w.getDataType());
                NDArray wp = NDArrays.concat(new NDList(w, zw), 0);
                wp.attach(scratch);
                NDArray bp = null;
                if (b != null) {
                    NDArray zb = scratch.zeros(new Shape(padded - out), w.getDataType());
                    bp = NDArrays.concat(new NDList(b, zb), 0);
                    bp.attach(scratch);
                }
                NDArray y = ai.djl.nn.convolutional.Conv2d.conv2d(x, wp, bp, s, p, d, 1).singletonOrThrow();
                // (B, padded, H', W') -> (B, out, H', W')
                NDArray sliced = y.get(new NDIndex(":, 0:" + out));
                sliced.attach(x.getManager());
                return sliced;
            }
        }
        return ai.djl.nn.convolutional.Conv2d.conv2d(x, w, b, s, p, d, 1).singletonOrThrow();
    }

    static boolean needsChannelPadding(NDArray x, Shape kernel) {
        return kernel.get(2) > 1 && kernel.get(0) % 16 != 0 && x.getDataType() == DataType.FLOAT32
                && x.getDevice().getDeviceType().equals(Device.Type.CPU) && gradientPossible(x);
    }

    boolean needsChannelPadding(NDArray x) {
        return needsChannelPadding(x, weight.getShape());
    }

    /**
     * Whether the input gradient may be computed: autograd is recording on this thread (inside a
     * gradient collector), or {@code x} itself requires a gradient. DJL reports intermediates of
     * a recorded graph as not requiring a gradient, so the grad mode is the reliable signal.
     */
    private static boolean gradientPossible(NDArray x) {
        return JniUtils.isGradMode() || x.hasGradient();
    }
}
