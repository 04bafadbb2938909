package org.draglora.engine.edit;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import org.draglora.engine.nn.Ops;

/** Between RGB bytes and the model's image tensors: (1, 3, H, W) in [-1, 1] (ALGORITHM.md §1.2, §3.10). */
public final class ImageArrays {

    private ImageArrays() {}

    /** {@code uint8 / 127.5 - 1}, HWC bytes -> (1, 3, H, W). */
    public static NDArray fromRgb(byte[] rgb, int width, int height, NDManager manager) {
        if (rgb.length != width * height * 3) {
            throw new IllegalArgumentException(rgb.length + " bytes for a " + width + "x" + height + " RGB image");
        }
        float[] chw = new float[rgb.length];
        int plane = width * height;
        for (int i = 0; i < plane; i++) {
            for (int c = 0; c < 3; c++) {
                chw[c * plane + i] = (rgb[i * 3 + c] & 0xFF) / 127.5f - 1f;
            }
        }
        return Ops.owned(manager.create(chw, new Shape(1, 3, height, width)));
    }

    /** {@code clamp(x/2 + 0.5, 0, 1) * 255}, truncated, of the first image of (B, 3, H, W) -> HWC bytes. */
    public static byte[] toRgb(NDArray image) {
        long h = image.getShape().get(2);
        long w = image.getShape().get(3);
        float[] chw = image.get("0").toType(DataType.FLOAT32, false).div(2f).add(0.5f).clip(0f, 1f).mul(255f)
                .toFloatArray();
        int plane = (int) (h * w);
        byte[] rgb = new byte[plane * 3];
        for (int i = 0; i < plane; i++) {
            for (int c = 0; c < 3; c++) {
                rgb[i * 3 + c] = (byte) (int) chw[c * plane + i];
            }
        }
        return rgb;
    }
}
