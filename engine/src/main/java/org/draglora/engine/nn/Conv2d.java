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
 * channels and the output sliced back; the forward values are unchanged.
 */
public final class Conv2d {

    private final NDArray weight;
    private final NDArray bias;
    private final long out;
    private final int kernel;
    private final int stride;
    private final int padding;

    public Conv2d(WeightScope w, long in, long out, int kernel, int stride, int padding) {
        this.weight = w.get("weight", out, in, kernel, kernel);
        this.bias = w.get("bias", out);
        this.out = out;
        this.kernel = kernel;
        this.stride = stride;
        this.padding = padding;
    }

    /** The kernel (out, in, k, k). */
    public NDArray weight() {
        return weight;
    }

    public NDArray forward(NDArray x) {
        Shape s = new Shape(stride, stride);
        Shape p = new Shape(padding, padding);
        Shape d = new Shape(1, 1);
        if (needsChannelPadding(x)) {
            long padded = (out + 15) / 16 * 16;
            Shape ws = weight.getShape();
            // the padded kernel is made from x's manager and closed after the call (autograd keeps
            // its own reference), so nothing accumulates in the model's manager
            try (NDManager scratch = x.getManager().newSubManager()) {
                NDArray zw = scratch.zeros(new Shape(padded - out, ws.get(1), ws.get(2), ws.get(3)), weight.getDataType());
                NDArray zb = scratch.zeros(new Shape(padded - out), weight.getDataType());
                NDArray wp = NDArrays.concat(new NDList(weight, zw), 0);
                NDArray bp = NDArrays.concat(new NDList(bias, zb), 0);
                wp.attach(scratch);
                bp.attach(scratch);
                NDArray y = ai.djl.nn.convolutional.Conv2d.conv2d(x, wp, bp, s, p, d, 1).singletonOrThrow();
                NDArray sliced = y.get(new NDIndex(":, 0:" + out));
                sliced.attach(x.getManager());
                return sliced;
            }
        }
        return ai.djl.nn.convolutional.Conv2d.conv2d(x, weight, bias, s, p, d, 1).singletonOrThrow();
    }

    boolean needsChannelPadding(NDArray x) {
        return kernel > 1 && out % 16 != 0 && x.getDataType() == DataType.FLOAT32
                && x.getDevice().getDeviceType().equals(Device.Type.CPU) && gradientPossible(x);
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
