package org.draglora.engine.io;

import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.DataBuffer;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;
import java.awt.image.WritableRaster;
import java.io.IOException;
import java.nio.file.Path;

/**
 * Mask image files to {@link EditMask} and back.
 *
 * <p><b>Reading</b> accepts any mode javax.imageio decodes (limits and errors as in
 * {@link ImageTensors}). A pixel is editable when:
 * <ul>
 *   <li>the image has an alpha channel that is actually used (some pixel is not fully opaque):
 *       its alpha is greater than 0, whatever its colour (a brush stroke on a transparent layer);</li>
 *   <li>otherwise: any colour channel is greater than 0 (grayscale: its value; RGB: any of R, G,
 *       B; palette: the palette colour's channels). Bit depth does not matter (16-bit 1 counts).</li>
 * </ul>
 * For the usual encodings this is the reference rule {@code m = mask / 255; m[m > 0] = 1}:
 * DragBench, GoodDrag/Drag100 and the DragLoRA UI masks are 8-bit grayscale 0/255 or 0/1 (for an
 * RGB mask GoodDrag reads channel 0 only; "any channel" differs only for coloured strokes that
 * have no red).
 *
 * <p><b>Writing</b> produces an 8-bit grayscale PNG, 255 editable and 0 not (GoodDrag's
 * {@code mask.png} encoding), atomically.
 */
public final class MaskImage {

    private MaskImage() {}

    /** Reads a mask with the default pixel limit of {@link ImageTensors#DEFAULT_MAX_PIXELS}. */
    public static EditMask read(Path file) throws IOException {
        return read(file, ImageTensors.DEFAULT_MAX_PIXELS);
    }

    /** Reads a mask, refusing more than {@code maxPixels} pixels before decoding. */
    public static EditMask read(Path file, long maxPixels) throws IOException {
        return toMask(ImageFiles.decode(file, maxPixels), file.toString());
    }

    /**
     * Reads a mask that must be {@code width x height} (the image's size); a different size is an
     * IOException naming the file and both sizes.
     */
    public static EditMask read(Path file, int width, int height) throws IOException {
        long limit = Math.max(ImageTensors.DEFAULT_MAX_PIXELS, (long) width * height);
        EditMask mask = read(file, limit);
        if (mask.width() != width || mask.height() != height) {
            throw new IOException(file + ": the mask is " + mask.sizeText() + " but the image is " + width + "x" + height);
        }
        return mask;
    }

    /** Decodes mask image bytes; {@code name} stands for the source in messages. */
    public static EditMask decode(byte[] data, String name, long maxPixels) throws IOException {
        return toMask(ImageFiles.decode(data, name, maxPixels), name);
    }

    /** The mask a Java2D image encodes (rules in the class comment). */
    public static EditMask fromBufferedImage(BufferedImage image) {
        try {
            return toMask(image, "image");
        } catch (IOException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
    }

    /** Writes {@code mask} as an 8-bit grayscale PNG (255 editable, 0 not), atomically. */
    public static void writePng(EditMask mask, Path file) throws IOException {
        ImageFiles.writeAtomically(file, encodePng(mask));
    }

    /** The bytes of an 8-bit grayscale PNG of {@code mask} (255 editable, 0 not). */
    public static byte[] encodePng(EditMask mask) throws IOException {
        return ImageFiles.encodePng(toBufferedImage(mask));
    }

    /** An 8-bit grayscale image of {@code mask}: 255 editable, 0 not. */
    public static BufferedImage toBufferedImage(EditMask mask) {
        BufferedImage image = new BufferedImage(mask.width(), mask.height(), BufferedImage.TYPE_BYTE_GRAY);
        WritableRaster raster = image.getRaster();
        boolean[] flags = mask.flags();
        int[] row = new int[mask.width()];
        for (int y = 0; y < mask.height(); y++) {
            for (int x = 0; x < row.length; x++) {
                row[x] = flags[y * row.length + x] ? 255 : 0;
            }
            raster.setSamples(0, y, row.length, 1, 0, row);
        }
        return image;
    }

    private static EditMask toMask(BufferedImage image, String name) throws IOException {
        int w = image.getWidth();
        int h = image.getHeight();
        Raster raster = image.getRaster();
        ColorModel cm = image.getColorModel();
        boolean[] flags = new boolean[Math.multiplyExact(w, h)];
        int[] row = new int[w];
        if (cm instanceof IndexColorModel) {
            IndexColorModel icm = (IndexColorModel) cm;
            boolean alphaUsed = false;
            for (int y = 0; y < h && !alphaUsed; y++) {
                raster.getSamples(0, y, w, 1, 0, row);
                for (int x = 0; x < w && !alphaUsed; x++) {
                    alphaUsed = icm.getAlpha(row[x]) < 255;
                }
            }
            for (int y = 0; y < h; y++) {
                raster.getSamples(0, y, w, 1, 0, row);
                for (int x = 0; x < w; x++) {
                    int i = row[x];
                    flags[y * w + x] = alphaUsed ? icm.getAlpha(i) > 0
                            : icm.getRed(i) > 0 || icm.getGreen(i) > 0 || icm.getBlue(i) > 0;
                }
            }
            return new EditMask(w, h, flags);
        }
        int transfer = raster.getTransferType();
        if (transfer == DataBuffer.TYPE_FLOAT || transfer == DataBuffer.TYPE_DOUBLE) {
            throw new IOException(name + ": floating-point mask images are not supported");
        }
        int colours = cm.getNumColorComponents();
        boolean alphaUsed = false;
        if (cm.hasAlpha()) {
            int max = (1 << cm.getComponentSize(colours)) - 1;
            for (int y = 0; y < h && !alphaUsed; y++) {
                raster.getSamples(0, y, w, 1, colours, row);
                for (int x = 0; x < w && !alphaUsed; x++) {
                    alphaUsed = row[x] < max;
                }
            }
        }
        int first = alphaUsed ? colours : 0;
        int last = alphaUsed ? colours : colours - 1;
        for (int band = first; band <= last; band++) {
            for (int y = 0; y < h; y++) {
                raster.getSamples(0, y, w, 1, band, row);
                for (int x = 0; x < w; x++) {
                    if (row[x] > 0) {
                        flags[y * w + x] = true;
                    }
                }
            }
        }
        return new EditMask(w, h, flags);
    }
}
