package org.draglora.engine.io;

import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * A numpy array read from a pickle: dtype, shape, storage order and raw element bytes.
 *
 * <p>{@code dtype} is numpy's {@code dtype.str}: a byte-order character ({@code '<'} little,
 * {@code '>'} big, {@code '|'} not applicable), a kind ({@code b} bool, {@code u} unsigned,
 * {@code i} signed, {@code f} float) and the item size, e.g. {@code "|u1"}, {@code "<i8"},
 * {@code ">f4"}. Supported: {@code b1, u1, u2, u4, u8, i1, i2, i4, i8, f4, f8}.
 *
 * <p>{@code data} holds the elements in C order, or in Fortran order when {@code fortranOrder} is
 * set (numpy's {@code state[3]} of {@code ndarray.__reduce__}). The element accessors
 * ({@link #getDouble(long)}, {@link #getLong(long)}, {@link #toDoubleArray()}, ...) always index
 * in C (row-major) order, whatever the storage order. The record keeps a read-only view of the
 * bytes; {@link #data()} returns a fresh read-only duplicate positioned at 0.
 */
public record NdArray(String dtype, long[] shape, boolean fortranOrder, ByteBuffer data) {

    /** Validates the dtype, the shape and the byte count. */
    public NdArray {
        if (dtype == null || dtype.length() < 3) {
            throw new IllegalArgumentException("unsupported numpy dtype " + dtype);
        }
        itemSizeOf(dtype);
        if (shape == null) {
            throw new IllegalArgumentException("shape must not be null");
        }
        shape = shape.clone();
        long count = 1;
        for (long d : shape) {
            if (d < 0) {
                throw new IllegalArgumentException("negative dimension in shape " + Arrays.toString(shape));
            }
            count = Math.multiplyExact(count, d);
        }
        long bytes = Math.multiplyExact(count, itemSizeOf(dtype));
        if (data == null || data.remaining() != bytes) {
            throw new IllegalArgumentException("a " + dtype + " array of shape " + Arrays.toString(shape) + " needs "
                    + bytes + " bytes, got " + (data == null ? "none" : data.remaining()));
        }
        data = data.slice().asReadOnlyBuffer();
    }

    /** A copy of the shape. */
    @Override
    public long[] shape() {
        return shape.clone();
    }

    /** A read-only view of the raw element bytes, positioned at 0. */
    @Override
    public ByteBuffer data() {
        return data.duplicate();
    }

    /** The number of elements. */
    public long size() {
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        return n;
    }

    /** The kind character: {@code b}, {@code u}, {@code i} or {@code f}. */
    public char kind() {
        return dtype.charAt(1);
    }

    /** Bytes per element. */
    public int itemSize() {
        return itemSizeOf(dtype);
    }

    /** The byte order of the elements ({@code '|'} counts as little-endian: one byte). */
    public ByteOrder byteOrder() {
        return dtype.charAt(0) == '>' ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN;
    }

    /** The shape as numpy prints it, e.g. {@code (4, 5)}. */
    public String shapeText() {
        StringBuilder sb = new StringBuilder("(");
        for (int i = 0; i < shape.length; i++) {
            sb.append(i == 0 ? "" : ", ").append(shape[i]);
        }
        return sb.append(shape.length == 1 ? ",)" : ")").toString();
    }

    /** Element {@code index} (C order) as a double. */
    public double getDouble(long index) {
        return doubleAt(data.duplicate().order(byteOrder()), index);
    }

    private double doubleAt(ByteBuffer b, long index) {
        int off = byteOffset(index);
        switch (kind()) {
            case 'f':
                return itemSize() == 4 ? b.getFloat(off) : b.getDouble(off);
            case 'u':
                if (itemSize() == 8) {
                    long v = b.getLong(off);
                    return v >= 0 ? v : new BigInteger(Long.toUnsignedString(v)).doubleValue();
                }
                return rawInteger(b, off);
            default:
                return rawInteger(b, off);
        }
    }

    /**
     * Element {@code index} (C order) as a long: integers and booleans exactly, floats truncated
     * toward zero; a {@code u8} value above {@link Long#MAX_VALUE} is an error.
     */
    public long getLong(long index) {
        return longAt(data.duplicate().order(byteOrder()), index);
    }

    private long longAt(ByteBuffer b, long index) {
        int off = byteOffset(index);
        if (kind() == 'f') {
            return (long) (itemSize() == 4 ? b.getFloat(off) : b.getDouble(off));
        }
        if (kind() == 'u' && itemSize() == 8 && b.getLong(off) < 0) {
            throw new IllegalArgumentException("uint64 value " + Long.toUnsignedString(b.getLong(off))
                    + " does not fit a long");
        }
        return rawInteger(b, off);
    }

    /** All elements in C order as doubles. */
    public double[] toDoubleArray() {
        double[] out = new double[checkedSize()];
        ByteBuffer b = data.duplicate().order(byteOrder());
        for (int i = 0; i < out.length; i++) {
            out[i] = doubleAt(b, i);
        }
        return out;
    }

    /** All elements in C order as floats (doubles rounded to float). */
    public float[] toFloatArray() {
        float[] out = new float[checkedSize()];
        ByteBuffer b = data.duplicate().order(byteOrder());
        for (int i = 0; i < out.length; i++) {
            out[i] = (float) doubleAt(b, i);
        }
        return out;
    }

    /** All elements in C order as longs (see {@link #getLong(long)}). */
    public long[] toLongArray() {
        long[] out = new long[checkedSize()];
        ByteBuffer b = data.duplicate().order(byteOrder());
        for (int i = 0; i < out.length; i++) {
            out[i] = longAt(b, i);
        }
        return out;
    }

    /** All elements in C order as ints; a value outside the int range is an error. */
    public int[] toIntArray() {
        int[] out = new int[checkedSize()];
        ByteBuffer b = data.duplicate().order(byteOrder());
        for (int i = 0; i < out.length; i++) {
            long v = longAt(b, i);
            if (v < Integer.MIN_VALUE || v > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("element " + i + " = " + v + " does not fit an int");
            }
            out[i] = (int) v;
        }
        return out;
    }

    private long rawInteger(ByteBuffer b, int off) {
        boolean unsigned = kind() == 'u' || kind() == 'b';
        switch (itemSize()) {
            case 1:
                return unsigned ? b.get(off) & 0xffL : b.get(off);
            case 2:
                return unsigned ? b.getShort(off) & 0xffffL : b.getShort(off);
            case 4:
                return unsigned ? b.getInt(off) & 0xffffffffL : b.getInt(off);
            default:
                return b.getLong(off);
        }
    }

    private int checkedSize() {
        long n = size();
        if (n > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("array of " + n + " elements is too large for a Java array");
        }
        return (int) n;
    }

    /** The byte offset of C-order element {@code index} in the storage order. */
    private int byteOffset(long index) {
        long n = size();
        if (index < 0 || index >= n) {
            throw new IllegalArgumentException("index " + index + " is outside an array of " + n + " elements");
        }
        long storage = index;
        if (fortranOrder && shape.length > 1) {
            // C-order index -> per-axis indices -> Fortran-order (first axis fastest) index
            long rest = index;
            long stride = 1;
            long[] idx = new long[shape.length];
            for (int a = shape.length - 1; a >= 0; a--) {
                idx[a] = rest % shape[a];
                rest /= shape[a];
            }
            storage = 0;
            for (int a = 0; a < shape.length; a++) {
                storage += idx[a] * stride;
                stride *= shape[a];
            }
        }
        return Math.toIntExact(storage * itemSize());
    }

    /** Item size of a supported dtype string; anything else is an error that names it. */
    static int itemSizeOf(String dtype) {
        if (dtype == null || dtype.length() < 3 || "<>|".indexOf(dtype.charAt(0)) < 0) {
            throw new IllegalArgumentException("unsupported numpy dtype " + dtype);
        }
        String code = dtype.substring(1);
        switch (code) {
            case "b1":
            case "u1":
            case "i1":
                return 1;
            case "u2":
            case "i2":
                return 2;
            case "u4":
            case "i4":
            case "f4":
                return 4;
            case "u8":
            case "i8":
            case "f8":
                return 8;
            default:
                throw new IllegalArgumentException("unsupported numpy dtype " + dtype
                        + " (supported: b1, u1, u2, u4, u8, i1, i2, i4, i8, f4, f8)");
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof NdArray other && dtype.equals(other.dtype) && Arrays.equals(shape, other.shape)
                && fortranOrder == other.fortranOrder && data.equals(other.data);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * dtype.hashCode() + Arrays.hashCode(shape)) + data.hashCode();
    }

    @Override
    public String toString() {
        return "NdArray[" + dtype + " " + shapeText() + (fortranOrder ? " F" : "") + "]";
    }
}
