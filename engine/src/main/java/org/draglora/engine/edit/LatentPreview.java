package org.draglora.engine.edit;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import org.draglora.engine.nn.Ops;

/**
 * A cheap RGB preview of an SD latent without the VAE: a fixed linear map from the 4 latent
 * channels to RGB at latent resolution (the widely used SD 1.x latent-to-RGB factors, as in
 * ComfyUI's latent previews), for showing progress every step. Not a reconstruction.
 */
public final class LatentPreview {

    /** (4, 3): rows are latent channels, columns R, G, B; for latents scaled by 0.18215. */
    private static final float[] SD15_FACTORS = {
        0.3512f, 0.2297f, 0.3227f,
        0.3250f, 0.4974f, 0.2350f,
        -0.2829f, 0.1762f, 0.2721f,
        -0.2120f, -0.2616f, -0.7177f};

    private LatentPreview() {}

    /**
     * RGB bytes (row-major, 3 per pixel) of the first latent of {@code latent} (B, 4, h, w).
     *
     * @return {@code h * w * 3} values in 0..255
     */
    public static byte[] rgb(NDArray latent) {
        long h = latent.getShape().get(2);
        long w = latent.getShape().get(3);
        NDArray factors = Ops.owned(latent.getManager().create(SD15_FACTORS, new Shape(4, 3)));
        // (1, 4, h, w) -> (4, h*w) -> (h*w, 4) @ (4, 3) -> (h*w, 3)
        NDArray first = latent.get("0:1").toType(DataType.FLOAT32, false).reshape(4, h * w).transpose();
        float[] rgb = first.matMul(factors).add(1f).div(2f).clip(0f, 1f).mul(255f).toFloatArray();
        byte[] out = new byte[rgb.length];
        for (int i = 0; i < rgb.length; i++) {
            out[i] = (byte) (int) rgb[i];
        }
        return out;
    }
}
