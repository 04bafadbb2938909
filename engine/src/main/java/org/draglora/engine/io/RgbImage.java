package org.draglora.engine.io;

import java.util.Arrays;

/**
 * An 8-bit RGB image in memory: {@code height} rows of {@code width} pixels, each pixel three bytes
 * R, G, B (row-major, HWC, like the {@code np.array(PIL.Image)} the reference code works on).
 *
 * <p>The record owns a private copy of the pixel bytes: the constructor copies its argument and
 * {@link #rgb()} returns a copy, so an instance never changes and may travel in messages. Use
 * {@link #red(int, int)} and friends for single pixels.
 */
public record RgbImage(int width, int height, byte[] rgb) {

    /** Validates the size and copies the pixels. */
    public RgbImage {
        if (width <= 0 || height <= 0) {
            throw new IllegalArgumentException("image size must be positive, got " + width + "x" + height);
        }
        if (rgb == null) {
            throw new IllegalArgumentException("rgb must not be null");
        }
        if (rgb.length != (long) width * height * 3) {
            throw new IllegalArgumentException("a " + width + "x" + height + " RGB image needs "
                    + (long) width * height * 3 + " bytes, got " + rgb.length);
        }
        rgb = rgb.clone();
    }

    /** A copy of the pixel bytes, row-major R, G, B. */
    @Override
    public byte[] rgb() {
        return rgb.clone();
    }

    /** The pixel bytes without a copy, for this package's loops; callers must not modify them. */
    byte[] pixels() {
        return rgb;
    }

    /** A uniform image of the given colour (components 0..255). */
    public static RgbImage filled(int width, int height, int red, int green, int blue) {
        checkComponent(red, "red");
        checkComponent(green, "green");
        checkComponent(blue, "blue");
        if (width <= 0 || height <= 0) {
            throw new IllegalArgumentException("image size must be positive, got " + width + "x" + height);
        }
        byte[] px = new byte[Math.multiplyExact(Math.multiplyExact(width, height), 3)];
        for (int i = 0; i < px.length; i += 3) {
            px[i] = (byte) red;
            px[i + 1] = (byte) green;
            px[i + 2] = (byte) blue;
        }
        return new RgbImage(width, height, px);
    }

    /** Red component 0..255 of pixel (x, y). */
    public int red(int x, int y) {
        return rgb[index(x, y)] & 0xff;
    }

    /** Green component 0..255 of pixel (x, y). */
    public int green(int x, int y) {
        return rgb[index(x, y) + 1] & 0xff;
    }

    /** Blue component 0..255 of pixel (x, y). */
    public int blue(int x, int y) {
        return rgb[index(x, y) + 2] & 0xff;
    }

    /** Whether both sides are multiples of 8, as the VAE needs (ALGORITHM.md §1.2). */
    public boolean isMultipleOf8() {
        return width % 8 == 0 && height % 8 == 0;
    }

    /** "WxH", for messages. */
    public String sizeText() {
        return width + "x" + height;
    }

    private int index(int x, int y) {
        if (x < 0 || x >= width || y < 0 || y >= height) {
            throw new IllegalArgumentException("pixel (" + x + ", " + y + ") is outside the " + sizeText() + " image");
        }
        return (y * width + x) * 3;
    }

    private static void checkComponent(int v, String name) {
        if (v < 0 || v > 255) {
            throw new IllegalArgumentException(name + " must be in 0..255, got " + v);
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RgbImage other && width == other.width && height == other.height
                && Arrays.equals(rgb, other.rgb);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * width + height) + Arrays.hashCode(rgb);
    }

    @Override
    public String toString() {
        return "RgbImage[" + sizeText() + "]";
    }
}
