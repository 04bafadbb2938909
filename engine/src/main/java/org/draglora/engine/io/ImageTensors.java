package org.draglora.engine.io;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import org.draglora.engine.nn.Ops;
import java.awt.Transparency;
import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.ComponentColorModel;
import java.awt.image.DataBuffer;
import java.awt.image.DataBufferByte;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;
import java.awt.image.WritableRaster;
import java.io.IOException;
import java.nio.file.Path;

/**
 * RGB images: files to {@link RgbImage} and back, {@link RgbImage} to the VAE's input tensor and
 * the decoder's output back to pixels, and the resizes the reference pipeline applies.
 *
 * <p><b>Reading.</b> Any format javax.imageio reads (PNG, JPEG, BMP, GIF, TIFF). The image size is
 * read from the header and checked against a pixel limit ({@link #DEFAULT_MAX_PIXELS}) before any
 * pixel is decoded. Pixels are taken as stored, the way {@code np.array(PIL.Image.open(f).convert("RGB"))}
 * sees them: no colour management (embedded ICC profiles and PNG gamma are ignored), grayscale is
 * replicated to R = G = B (raw values, without the gamma Java2D's {@code getRGB} would apply),
 * palette images are expanded through the palette, <b>alpha is dropped</b> (not composited: PIL's
 * {@code convert("RGB")} drops it too, and the reference code never composites), 16-bit samples
 * keep their high byte (as Pillow's {@code RGB;16B} unpacker does) and 1-, 2- and 4-bit samples are
 * scaled to 0..255. Errors are {@link IOException}s whose message starts with the file: missing,
 * empty, unsupported format, corrupt, zero size, over the pixel limit.
 *
 * <p><b>Tensors</b> (ALGORITHM.md §1.2, §3 step 10): to the VAE {@code x = uint8 / 127.5 - 1} in
 * float32, shape (1, 3, H, W); from the decoder {@code uint8(clamp(x / 2 + 0.5, 0, 1) * 255)} with
 * truncation, in float32 as the reference computes it.
 *
 * <p><b>Multiples of 8.</b> The VAE needs both sides to be multiples of 8 (§1.2); images labelled
 * for DragBench have width 512 but height {@code int(512*h/w)}, which need not be one. This class
 * never corrects silently: {@link #requireMultipleOf8} reports the problem and the caller chooses
 * {@link #cropToMultipleOf8} (drops at most 7 columns on the right and rows at the bottom) or
 * {@link #padToMultipleOf8} (repeats the last column and row). Both keep the top-left corner, so
 * pixel coordinates of points stay valid; {@link DragSample} applies either to image, mask and points
 * together.
 */
public final class ImageTensors {

    /** Default pixel limit: 4096 x 4096. */
    public static final long DEFAULT_MAX_PIXELS = 4096L * 4096L;

    private ImageTensors() {}

    /** Reads an image file with the default pixel limit. */
    public static RgbImage read(Path file) throws IOException {
        return read(file, DEFAULT_MAX_PIXELS);
    }

    /** Reads an image file, refusing more than {@code maxPixels} pixels before decoding. */
    public static RgbImage read(Path file, long maxPixels) throws IOException {
        BufferedImage image = ImageFiles.decode(file, maxPixels);
        try {
            return toRgb(image, file.toString());
        } catch (IllegalArgumentException e) {
            throw new IOException(e.getMessage(), e);
        }
    }

    /** Decodes image bytes (an upload); {@code name} stands for the source in messages. */
    public static RgbImage decode(byte[] data, String name, long maxPixels) throws IOException {
        BufferedImage image = ImageFiles.decode(data, name, maxPixels);
        try {
            return toRgb(image, name);
        } catch (IllegalArgumentException e) {
            throw new IOException(e.getMessage(), e);
        }
    }

    /** Writes an 8-bit RGB PNG atomically (temporary file, then rename); creates parent directories. */
    public static void writePng(RgbImage image, Path file) throws IOException {
        ImageFiles.writeAtomically(file, encodePng(image));
    }

    /** The bytes of an 8-bit RGB PNG of {@code image}. */
    public static byte[] encodePng(RgbImage image) throws IOException {
        return ImageFiles.encodePng(toBufferedImage(image));
    }

    /** A Java2D image sharing nothing with {@code image} (8-bit sRGB, three interleaved bytes). */
    public static BufferedImage toBufferedImage(RgbImage image) {
        byte[] px = image.rgb();
        WritableRaster raster = Raster.createInterleavedRaster(new DataBufferByte(px, px.length), image.width(),
                image.height(), image.width() * 3, 3, new int[] {0, 1, 2}, null);
        ColorModel cm = new ComponentColorModel(ColorSpace.getInstance(ColorSpace.CS_sRGB), false, false,
                Transparency.OPAQUE, DataBuffer.TYPE_BYTE);
        return new BufferedImage(cm, raster, false, null);
    }

    /** The stored pixels of a Java2D image as RGB (see the class comment for the conversions). */
    public static RgbImage fromBufferedImage(BufferedImage image) {
        return toRgb(image, "image");
    }

    /**
     * The VAE input for {@code image}: float32 (1, 3, H, W) with {@code x = v / 127.5 - 1}, so 0 -> -1,
     * 255 -> 1 (ALGORITHM.md §1.2, {@code DL:run_dragbench_draglora.py:62-66}).
     */
    public static NDArray toTensor(RgbImage image, NDManager manager) {
        int w = image.width();
        int h = image.height();
        int plane = w * h;
        byte[] px = image.pixels();
        float[] chw = new float[3 * plane];
        // HWC -> CHW
        for (int i = 0; i < plane; i++) {
            chw[i] = (px[i * 3] & 0xff) / 127.5f - 1f;
            chw[plane + i] = (px[i * 3 + 1] & 0xff) / 127.5f - 1f;
            chw[2 * plane + i] = (px[i * 3 + 2] & 0xff) / 127.5f - 1f;
        }
        return Ops.owned(manager.create(chw, new Shape(1, 3, h, w)));
    }

    /**
     * Pixels from a decoder output {@code x} of shape (1, 3, H, W) in [-1, 1]:
     * {@code uint8(clamp(x / 2 + 0.5, 0, 1) * 255)}, truncating (ALGORITHM.md §3 step 10). Any float
     * dtype and device is accepted; the arithmetic is float32 as in the reference.
     */
    public static RgbImage fromTensor(NDArray x) {
        Shape s = x.getShape();
        if (s.dimension() != 4 || s.get(0) != 1 || s.get(1) != 3 || s.get(2) <= 0 || s.get(3) <= 0) {
            throw new IllegalArgumentException("an image tensor must have shape (1, 3, H, W), got " + s);
        }
        if (!x.getDataType().isFloating()) {
            throw new IllegalArgumentException("an image tensor must be floating point, got " + x.getDataType());
        }
        int h = Math.toIntExact(s.get(2));
        int w = Math.toIntExact(s.get(3));
        float[] chw = x.getDataType() == DataType.FLOAT32 ? x.toFloatArray()
                : x.toType(DataType.FLOAT32, false).toFloatArray();
        int plane = w * h;
        byte[] px = new byte[plane * 3];
        // CHW -> HWC
        for (int c = 0; c < 3; c++) {
            for (int i = 0; i < plane; i++) {
                float v = chw[c * plane + i] / 2f + 0.5f;
                v = v < 0f ? 0f : Math.min(v, 1f);
                px[i * 3 + c] = (byte) (int) (v * 255f);
            }
        }
        return new RgbImage(w, h, px);
    }

    /**
     * Pillow's bilinear resize ({@code Image.resize(size, Image.BILINEAR)}: a triangle filter that
     * widens when downscaling, 8-bit fixed point), see {@link PillowResample}.
     */
    public static RgbImage resizeBilinear(RgbImage image, int width, int height) {
        if (width <= 0 || height <= 0) {
            throw new IllegalArgumentException("resize target must be positive, got " + width + "x" + height);
        }
        return new RgbImage(width, height,
                PillowResample.resize(image.pixels(), image.width(), image.height(), width, height));
    }

    /**
     * The DragBench labelling and UI resize: width {@code width}, height {@code int(width * h / w)}
     * (Python true division, then truncation), bilinear (ALGORITHM.md §11.1, §14.1).
     */
    public static RgbImage resizeToWidth(RgbImage image, int width) {
        return resizeBilinear(image, width, heightForWidth(image.width(), image.height(), width));
    }

    /** {@code int(width * h / w)} as Python computes it; at least 1. */
    public static int heightForWidth(int w, int h, int width) {
        if (w <= 0 || h <= 0 || width <= 0) {
            throw new IllegalArgumentException("sizes must be positive, got " + w + "x" + h + " -> width " + width);
        }
        int height = (int) ((double) ((long) width * h) / w);
        if (height <= 0) {
            throw new IllegalArgumentException("a " + w + "x" + h + " image resized to width " + width
                    + " has no rows left");
        }
        return height;
    }

    /** Whether {@code w x h} has both sides multiples of 8. */
    public static boolean isMultipleOf8(int w, int h) {
        return w % 8 == 0 && h % 8 == 0;
    }

    /** Throws, naming both choices, unless both sides of {@code image} are multiples of 8. */
    public static void requireMultipleOf8(RgbImage image) {
        if (!image.isMultipleOf8()) {
            throw new IllegalArgumentException("the image is " + image.sizeText() + " but the VAE needs both sides to"
                    + " be multiples of 8: crop to " + down8(image.width()) + "x" + down8(image.height())
                    + " or pad to " + up8(image.width()) + "x" + up8(image.height()));
        }
    }

    /** Drops the last {@code w % 8} columns and {@code h % 8} rows (the top-left part stays). */
    public static RgbImage cropToMultipleOf8(RgbImage image) {
        int w = down8(image.width());
        int h = down8(image.height());
        if (w == 0 || h == 0) {
            throw new IllegalArgumentException("the image is " + image.sizeText() + "; cropping to multiples of 8"
                    + " leaves nothing");
        }
        return cropOrPad(image, w, h);
    }

    /** Grows to the next multiples of 8 by repeating the last column and the last row. */
    public static RgbImage padToMultipleOf8(RgbImage image) {
        return cropOrPad(image, up8(image.width()), up8(image.height()));
    }

    static int down8(int v) {
        return v / 8 * 8;
    }

    static int up8(int v) {
        return Math.addExact(v, 7) / 8 * 8;
    }

    /** Top-left {@code w x h}, repeating the last column/row where it grows. */
    private static RgbImage cropOrPad(RgbImage image, int w, int h) {
        byte[] in = image.pixels();
        byte[] out = new byte[Math.multiplyExact(Math.multiplyExact(w, h), 3)];
        for (int y = 0; y < h; y++) {
            int sy = Math.min(y, image.height() - 1);
            for (int x = 0; x < w; x++) {
                int sx = Math.min(x, image.width() - 1);
                System.arraycopy(in, (sy * image.width() + sx) * 3, out, (y * w + x) * 3, 3);
            }
        }
        return new RgbImage(w, h, out);
    }

    /** Stored samples -> RGB bytes (class comment); an unsupported layout is an IllegalArgumentException naming it. */
    private static RgbImage toRgb(BufferedImage image, String name) {
        Raster raster = image.getRaster();
        ColorModel cm = image.getColorModel();
        int w = image.getWidth();
        int h = image.getHeight();
        byte[] out = new byte[Math.multiplyExact(Math.multiplyExact(w, h), 3)];
        int[] row = new int[w];
        if (cm instanceof IndexColorModel) {
            IndexColorModel icm = (IndexColorModel) cm;
            for (int y = 0; y < h; y++) {
                raster.getSamples(0, y, w, 1, 0, row);
                for (int x = 0; x < w; x++) {
                    int o = (y * w + x) * 3;
                    out[o] = (byte) icm.getRed(row[x]);
                    out[o + 1] = (byte) icm.getGreen(row[x]);
                    out[o + 2] = (byte) icm.getBlue(row[x]);
                }
            }
            return new RgbImage(w, h, out);
        }
        int colours = cm.getNumColorComponents();
        int transfer = raster.getTransferType();
        if ((colours != 1 && colours != 3) || transfer == DataBuffer.TYPE_FLOAT || transfer == DataBuffer.TYPE_DOUBLE) {
            throw new IllegalArgumentException(name + ": unsupported pixel layout (" + colours
                    + " colour components, transfer type " + transfer + "); use an RGB, grayscale or palette image");
        }
        for (int c = 0; c < 3; c++) {
            int band = colours == 1 ? 0 : c;
            int bits = cm.getComponentSize(band);
            for (int y = 0; y < h; y++) {
                raster.getSamples(0, y, w, 1, band, row);
                for (int x = 0; x < w; x++) {
                    out[(y * w + x) * 3 + c] = (byte) to8Bit(row[x], bits);
                }
            }
        }
        return new RgbImage(w, h, out);
    }

    /** A sample of {@code bits} bits as 0..255: high byte above 8 bits, scaled up below. */
    static int to8Bit(int v, int bits) {
        if (bits == 8) {
            return v;
        }
        return bits > 8 ? v >>> (bits - 8) : v * 255 / ((1 << bits) - 1);
    }
}
