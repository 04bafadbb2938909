package org.draglora.engine.weights;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.io.IOException;
import java.nio.ByteBuffer;

/** Moves tensors between weight files and NDArrays, always as real copies. */
public final class WeightArrays {

    private WeightArrays() {}

    /**
     * Reads {@code key} of {@code source} into a new array of {@code manager} with element type
     * {@code dtype}. The array never aliases the file: a mapping is unmapped when its buffer is
     * collected, and DJL's {@code toType(sameType, true)} does not copy (STACK.md §3).
     */
    public static NDArray read(WeightSource source, String key, NDManager manager, DataType dtype) throws IOException {
        TensorInfo info = source.infos().get(key);
        if (info == null) {
            throw new IllegalArgumentException("no tensor '" + key + "' in " + source.describe());
        }
        ByteBuffer data = source.readFloat32(key);
        try (NDArray alias = manager.create(data, new Shape(info.shape()), DataType.FLOAT32)) {
            NDArray copy = alias.duplicate();
            if (dtype == DataType.FLOAT32) {
                return copy;
            }
            try (copy) {
                return copy.toType(dtype, false);
            }
        }
    }

    /** Adds an array to a writer as F32 (or as {@code storeAs}: F16, BF16). */
    public static SafetensorsWriter add(SafetensorsWriter writer, String name, NDArray array, DType storeAs) {
        float[] values = array.toType(DataType.FLOAT32, false).toFloatArray();
        return writer.addFloats(name, array.getShape().getShape(), values, storeAs);
    }
}
