package org.draglora.engine.weights;

import java.util.Arrays;

/**
 * Name, element type, shape and byte range of one tensor in a safetensors file.
 *
 * @param name the key in the file
 * @param dtype the stored element type
 * @param shape the dimensions, outermost first ({@code []} for a scalar)
 * @param begin first byte, relative to the start of the data section
 * @param end one past the last byte, relative to the start of the data section
 */
public record TensorInfo(String name, DType dtype, long[] shape, long begin, long end) {

    public TensorInfo {
        shape = shape.clone();
        long expected = elementCount(shape) * dtype.bytes();
        if (end - begin != expected) {
            throw new IllegalArgumentException(
                    "tensor '" + name + "': data_offsets [" + begin + ", " + end + ") hold "
                            + (end - begin) + " bytes but " + dtype + Arrays.toString(shape)
                            + " needs " + expected);
        }
    }

    @Override
    public long[] shape() {
        return shape.clone();
    }

    /** Number of elements. */
    public long elementCount() {
        return elementCount(shape);
    }

    /** Number of bytes of data. */
    public long byteCount() {
        return end - begin;
    }

    /** Whether this tensor has exactly the given shape. */
    public boolean hasShape(long... expected) {
        return Arrays.equals(shape, expected);
    }

    /** The shape as {@code 320x4x3x3}, the notation of the key-list fixtures. */
    public String shapeText() {
        return shapeText(shape);
    }

    /** Formats a shape as {@code 320x4x3x3} ({@code scalar} for no dimensions). */
    public static String shapeText(long[] shape) {
        if (shape.length == 0) {
            return "scalar";
        }
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < shape.length; i++) {
            b.append(i == 0 ? "" : "x").append(shape[i]);
        }
        return b.toString();
    }

    /** Product of the dimensions. */
    public static long elementCount(long[] shape) {
        long n = 1;
        for (long d : shape) {
            if (d < 0) {
                throw new IllegalArgumentException("negative dimension in " + Arrays.toString(shape));
            }
            n = Math.multiplyExact(n, d);
        }
        return n;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TensorInfo t
                && name.equals(t.name)
                && dtype == t.dtype
                && Arrays.equals(shape, t.shape)
                && begin == t.begin
                && end == t.end;
    }

    @Override
    public int hashCode() {
        return name.hashCode() * 31 + Arrays.hashCode(shape);
    }

    @Override
    public String toString() {
        return name + " " + dtype + " " + shapeText();
    }
}
