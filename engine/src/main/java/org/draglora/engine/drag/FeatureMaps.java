package org.draglora.engine.drag;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.List;
import java.util.Objects;
import org.draglora.engine.nn.Ops;

/**
 * The feature map F(z) that drag editing supervises, and the mask resampling of the reference.
 *
 * <p>F(z): each selected UNet feature ({@code [mid, up0, up1, up2, up3]}, default index 3 =
 * up_blocks.2, 640 channels) is resized bilinearly to the grid and the results are concatenated
 * along channels (ALGORITHM.md §1.3, DL:utils/pipelines/drag_pipeline_lora.py:408-430).
 *
 * <p>Resizing follows PyTorch {@code F.interpolate} exactly. Bilinear, {@code align_corners=False}
 * (aten/src/ATen/native/UpSample.h {@code area_pixel_compute_source_index},
 * {@code compute_source_index_and_lambda}): {@code src = scale*(dst+0.5)-0.5} with the float32
 * scale {@code in/out}, clamped at 0, {@code i0 = min(floor(src), in-1)}, {@code i1 = min(i0+1, in-1)},
 * weight {@code src - i0}. Nearest: {@code i = min(floor(dst*scale), in-1)} in float32. The index and
 * weight tables are built on the host (in float32 arithmetic, as ATen does) and applied as two
 * matrix products, so the bilinear resize is differentiable with no per-element Java loop.
 */
public final class FeatureMaps {

    /** The reference's default {@code unet_feature_idx = [3]} (ALGORITHM.md §12, DL:run_dragbench_draglora.py:108). */
    public static final List<Integer> DEFAULT_FEATURE_IDX = List.of(3);

    private FeatureMaps() {}

    /**
     * Bilinear resize with {@code F.interpolate(f, (outH, outW), mode='bilinear', align_corners=False)}
     * semantics; differentiable with respect to {@code f}. Shapes: (B, C, h, w) -> (B, C, outH, outW).
     * The result belongs to {@code f}'s manager; the interpolation matrices are freed.
     */
    public static NDArray resizeBilinear(NDArray f, int outH, int outW) {
        Shape s = f.getShape();
        if (s.dimension() != 4) {
            throw new IllegalArgumentException("resizeBilinear expects (B, C, h, w), got " + s);
        }
        requirePositive(outH, outW);
        int h = Math.toIntExact(s.get(2));
        int w = Math.toIntExact(s.get(3));
        return Ops.scoped(f, x -> {
            NDManager m = x.getManager();
            NDArray rows = matrix(m, bilinearWeights(h, outH), outH, h, x.getDataType()); // (outH, h)
            NDArray cols = matrix(m, bilinearWeights(w, outW), outW, w, x.getDataType()); // (outW, w)
            NDArray colsT = cols.transpose(1, 0); // (outW, w) -> (w, outW)
            // (B, C, h, w) @ (w, outW) -> (B, C, h, outW); (outH, h) @ (B, C, h, outW) -> (B, C, outH, outW)
            return rows.matMul(x.matMul(colsT));
        });
    }

    /**
     * The feature map F: each {@code unetFeatures[idx]} for idx in {@code featureIdx}, resized to
     * {@code (gridH, gridW)} and concatenated along channels. Shapes: each feature (B, C_i, h_i, w_i)
     * -> (B, sum C_i, gridH, gridW).
     */
    public static NDArray featureMap(List<NDArray> unetFeatures, List<Integer> featureIdx, int gridH, int gridW) {
        Objects.requireNonNull(unetFeatures, "unetFeatures");
        if (featureIdx.isEmpty()) {
            throw new IllegalArgumentException("featureIdx must name at least one feature");
        }
        NDList resized = new NDList();
        for (int idx : featureIdx) {
            if (idx < 0 || idx >= unetFeatures.size()) {
                throw new IllegalArgumentException("feature index " + idx + " is outside [0, " + unetFeatures.size()
                        + ") (the UNet returns [mid, up0, up1, up2, up3])");
            }
            resized.add(resizeBilinear(unetFeatures.get(idx), gridH, gridW));
        }
        if (resized.size() == 1) {
            return resized.singletonOrThrow();
        }
        NDArray out = NDArrays.concat(resized, 1);
        resized.close();
        return out;
    }

    /**
     * F as {@code features} describe it: the selected UNet features on the grid, then, when
     * {@code features.x0Weight()} is not 0, the x0 prediction {@code x0} (B, 4, h, w) on the same
     * grid times that weight. Shapes: (B, C, gh, gw), or (B, C + 4, gh, gw).
     */
    public static NDArray featureMap(List<NDArray> unetFeatures, NDArray x0, DragSettings.Features features, int gridH,
            int gridW) {
        NDArray unet = featureMap(unetFeatures, features.featureIdx(), gridH, gridW);
        if (features.x0Weight() == 0) {
            return unet;
        }
        Objects.requireNonNull(x0, "x0 prediction (the features ask for it)");
        // (B, 4, h, w) -> (B, 4, gh, gw), weighted (Ops.scale: DJL's mul(Number) leaves the backward
        // reading a freed scalar); (B, C, gh, gw) ++ that -> (B, C + 4, gh, gw)
        NDArray x0Grid = Ops.scale(resizeBilinear(x0, gridH, gridW), features.x0Weight());
        return NDArrays.concat(new NDList(unet, x0Grid), 1);
    }

    /** {@link #featureMap(List, List, int, int)} with the reference's default index [3]. */
    public static NDArray featureMap(List<NDArray> unetFeatures, int gridH, int gridW) {
        return featureMap(unetFeatures, DEFAULT_FEATURE_IDX, gridH, gridW);
    }

    /**
     * Nearest resize with {@code F.interpolate(mask, (outH, outW), mode='nearest')} semantics.
     * Shapes: (1, 1, H, W) -> (1, 1, outH, outW), or (H, W) -> (outH, outW). The result belongs to
     * the mask's manager.
     */
    public static NDArray resizeMaskNearest(NDArray mask, int outH, int outW) {
        Shape s = mask.getShape();
        boolean plain = s.dimension() == 2;
        if (!plain && !(s.dimension() == 4 && s.get(0) == 1 && s.get(1) == 1)) {
            throw new IllegalArgumentException("resizeMaskNearest expects (1, 1, H, W) or (H, W), got " + s);
        }
        requirePositive(outH, outW);
        int h = Math.toIntExact(s.get(s.dimension() - 2));
        int w = Math.toIntExact(s.get(s.dimension() - 1));
        return Ops.scoped(mask, x -> {
            NDManager m = x.getManager();
            NDArray values = x.getDataType() == DataType.FLOAT32 ? x : x.toType(DataType.FLOAT32, false);
            NDArray rows = matrix(m, nearestWeights(h, outH), outH, h, DataType.FLOAT32); // (outH, h)
            NDArray cols = matrix(m, nearestWeights(w, outW), outW, w, DataType.FLOAT32); // (outW, w)
            NDArray colsT = cols.transpose(1, 0); // (outW, w) -> (w, outW)
            // one-hot selection matrices: exact for finite values
            // (.., h, w) @ (w, outW) -> (.., h, outW); (outH, h) @ (.., h, outW) -> (.., outH, outW)
            return rows.matMul(values.matMul(colsT));
        });
    }

    /**
     * The reference's mask at grid resolution: {@code m = mask/255; m[m>0] = 1}, then nearest to
     * (Hf, Wf) (ALGORITHM.md §3.5, DL:run_dragbench_draglora.py:207-210). Any positive value is
     * editable, so 0/1 and 0/255 masks give the same result. Shapes: (H, W) or (1, 1, H, W) ->
     * (1, 1, Hf, Wf), float32, values {0, 1}.
     */
    public static NDArray gridMask(NDArray imageMask, DragGeometry geometry) {
        Shape s = imageMask.getShape();
        long h = s.get(s.dimension() - 2);
        long w = s.get(s.dimension() - 1);
        if (h != geometry.imageHeight() || w != geometry.imageWidth()) {
            throw new IllegalArgumentException("mask is " + h + "x" + w + " but the image is "
                    + geometry.imageHeight() + "x" + geometry.imageWidth());
        }
        return Ops.scoped(imageMask, x -> {
            // (H, W) or (1, 1, H, W) -> (1, 1, H, W)
            NDArray binary = x.gt(0).toType(DataType.FLOAT32, false).reshape(1, 1, h, w);
            return resizeMaskNearest(binary, geometry.gridHeight(), geometry.gridWidth());
        });
    }

    /**
     * The latent-resolution mask M_lat: the grid mask resized again with nearest to (h, w), the
     * reference's two-stage path (ALGORITHM.md §3.5, DL:utils/drag_utils_lora.py:165). For a 512
     * image and a 64 latent, {@code M_lat[i, j] = mask[8i, 8j]}. Shapes: (H, W) or (1, 1, H, W) ->
     * (1, 1, latentH, latentW), float32, values {0, 1}; 1 = editable.
     */
    public static NDArray latentMask(NDArray imageMask, DragGeometry geometry, int latentH, int latentW) {
        return Ops.scoped(imageMask, x -> resizeMaskNearest(gridMask(x, geometry), latentH, latentW));
    }

    /** Row {@code o} of the (out, in) bilinear matrix holds ATen's two weights of output pixel o. */
    static float[] bilinearWeights(int in, int out) {
        float[] m = new float[out * in];
        if (in == out) { // ATen copies: index0 = index1 = dst, lambda0 = 1
            for (int o = 0; o < out; o++) {
                m[o * in + o] = 1f;
            }
            return m;
        }
        float scale = (float) in / out;
        for (int o = 0; o < out; o++) {
            float src = scale * (o + 0.5f) - 0.5f;
            if (src < 0) {
                src = 0f;
            }
            int i0 = Math.min((int) Math.floor(src), in - 1);
            float lambda1 = Math.min(Math.max(src - i0, 0f), 1f);
            int i1 = i0 < in - 1 ? i0 + 1 : i0;
            m[o * in + i0] += 1f - lambda1;
            m[o * in + i1] += lambda1;
        }
        return m;
    }

    /** The (out, in) one-hot matrix of ATen's {@code nearest_idx}. */
    static float[] nearestWeights(int in, int out) {
        float[] m = new float[out * in];
        float scale = (float) in / out;
        for (int o = 0; o < out; o++) {
            int i;
            if (in == out) {
                i = o;
            } else if (out == 2 * in) {
                i = o >> 1;
            } else {
                i = Math.min((int) Math.floor(o * scale), in - 1);
            }
            m[o * in + i] = 1f;
        }
        return m;
    }

    private static NDArray matrix(NDManager m, float[] values, int rows, int cols, DataType type) {
        NDArray a = Ops.owned(m.create(values, new Shape(rows, cols)));
        return type == DataType.FLOAT32 ? a : a.toType(type, false);
    }

    private static void requirePositive(int outH, int outW) {
        if (outH < 1 || outW < 1) {
            throw new IllegalArgumentException("output size must be positive, got " + outH + "x" + outW);
        }
    }
}
