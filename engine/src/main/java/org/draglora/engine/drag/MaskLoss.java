package org.draglora.engine.drag;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import org.draglora.engine.nn.Ops;

/**
 * The background (mask) loss: keep the denoised latent outside the editable region where it was
 * (ALGORITHM.md §5.4, DL:utils/drag_utils_lora.py:253-255; DD:utils/drag_utils.py:151-152):
 * {@code L_mask = lambda * sum(|zPrev - zPrev0| * (1 - M_lat))}. It is a sum over all 4*h*w
 * elements, not a mean. Both latents are at t = 661: zPrev from the current latent and LoRA, zPrev0
 * fixed from the start.
 */
public final class MaskLoss {

    /** lambda_mask = 0.1 (ALGORITHM.md §12, DL:run_dragbench_draglora.py:348 default). */
    public static final double REFERENCE_LAMBDA = 0.1;

    private MaskLoss() {}

    /**
     * The loss, a scalar differentiable with respect to {@code zPrev}; a constant 0 with no graph when
     * the mask is empty ({@code using_mask = interp_mask.sum() != 0}, DL:utils/drag_utils_lora.py:166).
     *
     * @param zPrev the current step's z_{t-1}, (B, 4, h, w)
     * @param zPrev0 the initial z_{t-1}, same shape (no gradient flows into it)
     * @param latentMask M_lat, (1, 1, h, w) or broadcastable, 1 = editable
     * @param lambda the weight
     */
    public static NDArray compute(NDArray zPrev, NDArray zPrev0, NDArray latentMask, double lambda) {
        if (!zPrev.getShape().equals(zPrev0.getShape())) {
            throw new IllegalArgumentException("zPrev " + zPrev.getShape() + " and zPrev0 " + zPrev0.getShape()
                    + " differ in shape");
        }
        if (!(lambda >= 0) || Double.isInfinite(lambda)) {
            throw new IllegalArgumentException("lambda must be finite and >= 0, got " + lambda);
        }
        if (isEmpty(latentMask)) {
            return zPrev.getManager().zeros(new Shape(), zPrev.getDataType());
        }
        return Ops.scoped(zPrev, z -> {
            NDManager scratch = z.getManager();
            NDArray mask = Ops.borrow(latentMask, scratch);
            NDArray keep = mask.toType(z.getDataType(), false).neg().add(1); // 1 - M_lat
            NDArray fixed = Ops.borrow(zPrev0, scratch).stopGradient();
            // a float scalar: sum() is 0-d, and a 0-d float64 factor would promote the loss to float64
            return Ops.scale(z.sub(fixed).abs().mul(keep).sum(), lambda);
        });
    }

    /** {@link #compute} with lambda 0.1. */
    public static NDArray compute(NDArray zPrev, NDArray zPrev0, NDArray latentMask) {
        return compute(zPrev, zPrev0, latentMask, REFERENCE_LAMBDA);
    }

    /** Whether the mask has no editable element (its sum is 0). */
    public static boolean isEmpty(NDArray latentMask) {
        try (NDManager scratch = latentMask.getManager().newSubManager()) {
            return Ops.borrow(latentMask, scratch).toType(DataType.FLOAT64, false).sum().getDouble() == 0.0;
        }
    }
}
