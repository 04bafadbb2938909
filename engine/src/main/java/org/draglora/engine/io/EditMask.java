package org.draglora.engine.io;

import java.util.Arrays;

/**
 * The editable region of a drag task: one flag per image pixel, row-major, {@code true} where the
 * edit may change the image (mask value 1 in the reference code, ALGORITHM.md §3 step 5).
 *
 * <p>The record owns a private copy of the flags (copied in, copied out). The factories
 * {@link #fromUint8}, {@link #fromFloat} and {@link #fromNdArray} apply the loaders' rule
 * {@code m = mask / 255; m[m > 0] = 1}: a value is editable exactly when it is greater than 0
 * (negative values and NaN are not).
 */
public record EditMask(int width, int height, boolean[] editable) {

    /** Validates the size and copies the flags. */
    public EditMask {
        if (width <= 0 || height <= 0) {
            throw new IllegalArgumentException("mask size must be positive, got " + width + "x" + height);
        }
        if (editable == null) {
            throw new IllegalArgumentException("editable must not be null");
        }
        if (editable.length != (long) width * height) {
            throw new IllegalArgumentException("a " + width + "x" + height + " mask needs " + (long) width * height
                    + " flags, got " + editable.length);
        }
        editable = editable.clone();
    }

    /** A copy of the flags, row-major. */
    @Override
    public boolean[] editable() {
        return editable.clone();
    }

    /** The flags without a copy, for this package's loops; callers must not modify them. */
    boolean[] flags() {
        return editable;
    }

    /** A mask with nothing editable (what DragBench stores when the labeller drew nothing). */
    public static EditMask empty(int width, int height) {
        return new EditMask(width, height, new boolean[Math.multiplyExact(width, height)]);
    }

    /** A mask with every pixel editable. */
    public static EditMask full(int width, int height) {
        boolean[] all = new boolean[Math.multiplyExact(width, height)];
        Arrays.fill(all, true);
        return new EditMask(width, height, all);
    }

    /** From row-major uint8 values (a numpy {@code uint8} H x W array): editable where the value is not 0. */
    public static EditMask fromUint8(int width, int height, byte[] values) {
        boolean[] flags = new boolean[checkedLength(width, height, values == null ? -1 : values.length)];
        for (int i = 0; i < flags.length; i++) {
            flags[i] = values[i] != 0;
        }
        return new EditMask(width, height, flags);
    }

    /** From row-major float values (a numpy {@code float32} H x W array): editable where the value is > 0. */
    public static EditMask fromFloat(int width, int height, float[] values) {
        boolean[] flags = new boolean[checkedLength(width, height, values == null ? -1 : values.length)];
        for (int i = 0; i < flags.length; i++) {
            flags[i] = values[i] > 0f;
        }
        return new EditMask(width, height, flags);
    }

    /**
     * From a 2-D numpy array of shape (H, W) and any numeric or boolean dtype, as DragBench's
     * {@code meta_data.pkl} holds it: editable where the value is greater than 0.
     */
    public static EditMask fromNdArray(NdArray array) {
        long[] shape = array.shape();
        if (shape.length != 2) {
            throw new IllegalArgumentException("a mask array must have shape (H, W), got " + array.shapeText());
        }
        if (shape[0] <= 0 || shape[1] <= 0 || shape[0] > Integer.MAX_VALUE || shape[1] > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("a mask array must have a positive size, got " + array.shapeText());
        }
        int height = (int) shape[0];
        int width = (int) shape[1];
        double[] values = array.toDoubleArray();
        boolean[] flags = new boolean[values.length];
        for (int i = 0; i < flags.length; i++) {
            flags[i] = values[i] > 0;
        }
        return new EditMask(width, height, flags);
    }

    /** Whether pixel (x, y) is editable. */
    public boolean isEditable(int x, int y) {
        if (x < 0 || x >= width || y < 0 || y >= height) {
            throw new IllegalArgumentException("pixel (" + x + ", " + y + ") is outside the " + sizeText() + " mask");
        }
        return editable[y * width + x];
    }

    /** Whether no pixel is editable (ALGORITHM.md §16.5: no mask loss, ILFA does nothing). */
    public boolean isEmpty() {
        return count() == 0;
    }

    /** The number of editable pixels. */
    public int count() {
        int n = 0;
        for (boolean b : editable) {
            if (b) {
                n++;
            }
        }
        return n;
    }

    /** Throws unless this mask is {@code width x height}; the message names both sizes. */
    public void requireSize(int width, int height) {
        if (this.width != width || this.height != height) {
            throw new IllegalArgumentException("the mask is " + sizeText() + " but the image is " + width + "x" + height);
        }
    }

    /**
     * Nearest-neighbour resize with PyTorch's and OpenCV's "nearest" rule {@code src = floor(dst * in / out)},
     * as the labelling tools resize masks (ALGORITHM.md §3 step 5, §11.1).
     */
    public EditMask resizeNearest(int newWidth, int newHeight) {
        if (newWidth <= 0 || newHeight <= 0) {
            throw new IllegalArgumentException("mask size must be positive, got " + newWidth + "x" + newHeight);
        }
        boolean[] out = new boolean[Math.multiplyExact(newWidth, newHeight)];
        for (int y = 0; y < newHeight; y++) {
            int sy = (int) Math.min(height - 1, (long) y * height / newHeight);
            for (int x = 0; x < newWidth; x++) {
                int sx = (int) Math.min(width - 1, (long) x * width / newWidth);
                out[y * newWidth + x] = editable[sy * width + sx];
            }
        }
        return new EditMask(newWidth, newHeight, out);
    }

    /** The top-left {@code newWidth x newHeight} part, or this mask grown with non-editable pixels. */
    public EditMask cropOrPad(int newWidth, int newHeight) {
        if (newWidth <= 0 || newHeight <= 0) {
            throw new IllegalArgumentException("mask size must be positive, got " + newWidth + "x" + newHeight);
        }
        boolean[] out = new boolean[Math.multiplyExact(newWidth, newHeight)];
        int w = Math.min(width, newWidth);
        for (int y = 0; y < Math.min(height, newHeight); y++) {
            System.arraycopy(editable, y * width, out, y * newWidth, w);
        }
        return new EditMask(newWidth, newHeight, out);
    }

    /** "WxH", for messages. */
    public String sizeText() {
        return width + "x" + height;
    }

    private static int checkedLength(int width, int height, int length) {
        if (length < 0) {
            throw new IllegalArgumentException("values must not be null");
        }
        if (width <= 0 || height <= 0) {
            throw new IllegalArgumentException("mask size must be positive, got " + width + "x" + height);
        }
        if (length != (long) width * height) {
            throw new IllegalArgumentException("a " + width + "x" + height + " mask needs " + (long) width * height
                    + " values, got " + length);
        }
        return length;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof EditMask other && width == other.width && height == other.height
                && Arrays.equals(editable, other.editable);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * width + height) + Arrays.hashCode(editable);
    }

    @Override
    public String toString() {
        return "EditMask[" + sizeText() + ", " + count() + " editable]";
    }
}
