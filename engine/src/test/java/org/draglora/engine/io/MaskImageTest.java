package org.draglora.engine.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.awt.image.IndexColorModel;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Random;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link MaskImage} encodings and {@link EditMask}. */
class MaskImageTest {

    @TempDir
    Path dir;

    @Test
    void pngRoundTrip() throws IOException {
        boolean[] flags = new boolean[11 * 6];
        Random random = new Random(3);
        for (int i = 0; i < flags.length; i++) {
            flags[i] = random.nextBoolean();
        }
        EditMask mask = new EditMask(11, 6, flags);
        Path file = dir.resolve("mask.png");
        MaskImage.writePng(mask, file);
        assertEquals(mask, MaskImage.read(file));
        assertEquals(mask, MaskImage.read(file, 11, 6));
        BufferedImage written = ImageIO.read(file.toFile());
        assertEquals(BufferedImage.TYPE_BYTE_GRAY, written.getType());
        assertEquals(255, written.getRaster().getSample(firstEditable(mask), 0, 0));
    }

    @Test
    void grayscaleZeroOneAndZero255() throws IOException {
        for (int on : new int[] {1, 255}) {
            BufferedImage gray = new BufferedImage(3, 1, BufferedImage.TYPE_BYTE_GRAY);
            gray.getRaster().setSamples(0, 0, 3, 1, 0, new int[] {0, on, 0});
            EditMask mask = MaskImage.read(write(gray, "gray" + on + ".png"));
            assertArrayEquals(new boolean[] {false, true, false}, mask.editable());
        }
        BufferedImage gray16 = new BufferedImage(2, 1, BufferedImage.TYPE_USHORT_GRAY);
        gray16.getRaster().setSamples(0, 0, 2, 1, 0, new int[] {1, 0});
        assertArrayEquals(new boolean[] {true, false}, MaskImage.read(write(gray16, "gray16.png")).editable());
    }

    @Test
    void rgbMaskUsesAnyChannel() throws IOException {
        BufferedImage rgb = new BufferedImage(4, 1, BufferedImage.TYPE_3BYTE_BGR);
        rgb.setRGB(1, 0, 0x00ff00); // green stroke: no red, still editable
        rgb.setRGB(2, 0, 0x010000);
        rgb.setRGB(3, 0, 0xffffff);
        assertArrayEquals(new boolean[] {false, true, true, true}, MaskImage.read(write(rgb, "rgb.png")).editable());
    }

    @Test
    void rgbaMaskUsesAlphaWhenAlphaIsUsed() throws IOException {
        // a stroke layer: transparent background, opaque strokes (one of them black)
        BufferedImage layer = new BufferedImage(4, 1, BufferedImage.TYPE_INT_ARGB);
        layer.setRGB(0, 0, 0x00ffffff); // transparent white: not editable
        layer.setRGB(1, 0, 0xffffffff);
        layer.setRGB(2, 0, 0xff000000); // opaque black stroke: editable
        layer.setRGB(3, 0, 0x10ff0000);
        assertArrayEquals(new boolean[] {false, true, true, true}, MaskImage.read(write(layer, "layer.png")).editable());
        // fully opaque RGBA carries no information in alpha: the colour decides
        BufferedImage opaque = new BufferedImage(2, 1, BufferedImage.TYPE_INT_ARGB);
        opaque.setRGB(0, 0, 0xff000000);
        opaque.setRGB(1, 0, 0xffffffff);
        assertArrayEquals(new boolean[] {false, true}, MaskImage.read(write(opaque, "opaque.png")).editable());
    }

    @Test
    void paletteMasks() throws IOException {
        IndexColorModel blackRed = new IndexColorModel(1, 2, new byte[] {0, (byte) 255}, new byte[] {0, 0},
                new byte[] {0, 0});
        BufferedImage indexed = new BufferedImage(3, 1, BufferedImage.TYPE_BYTE_BINARY, blackRed);
        indexed.getRaster().setSamples(0, 0, 3, 1, 0, new int[] {1, 0, 1});
        assertArrayEquals(new boolean[] {true, false, true}, MaskImage.read(write(indexed, "palette.png")).editable());
        // a transparent palette entry: alpha decides
        IndexColorModel withAlpha = new IndexColorModel(1, 2, new byte[] {(byte) 255, (byte) 255},
                new byte[] {(byte) 255, (byte) 255}, new byte[] {(byte) 255, (byte) 255}, new byte[] {0, (byte) 255});
        BufferedImage transparent = new BufferedImage(2, 1, BufferedImage.TYPE_BYTE_BINARY, withAlpha);
        transparent.getRaster().setSamples(0, 0, 2, 1, 0, new int[] {0, 1});
        assertArrayEquals(new boolean[] {false, true}, MaskImage.read(write(transparent, "alpha.png")).editable());
    }

    @Test
    void sizeMismatchNamesBothSizes() throws IOException {
        Path file = dir.resolve("mask.png");
        MaskImage.writePng(EditMask.full(5, 4), file);
        IOException e = assertThrows(IOException.class, () -> MaskImage.read(file, 6, 4));
        assertTrue(e.getMessage().startsWith(file.toString()) && e.getMessage().contains("5x4")
                && e.getMessage().contains("6x4"), e.getMessage());
        IllegalArgumentException iae = assertThrows(IllegalArgumentException.class,
                () -> EditMask.full(5, 4).requireSize(512, 512));
        assertEquals("the mask is 5x4 but the image is 512x512", iae.getMessage());
    }

    @Test
    void numpyStyleValues() {
        EditMask u8 = EditMask.fromUint8(3, 1, new byte[] {0, 1, (byte) 255});
        assertArrayEquals(new boolean[] {false, true, true}, u8.editable());
        EditMask f32 = EditMask.fromFloat(4, 1, new float[] {0f, 0.5f, -1f, Float.NaN});
        assertArrayEquals(new boolean[] {false, true, false, false}, f32.editable());
        EditMask zeros = EditMask.fromFloat(2, 2, new float[4]);
        assertTrue(zeros.isEmpty());
        assertEquals(0, zeros.count());
        assertEquals(2, u8.count());
        assertFalse(u8.isEmpty());
        assertThrows(IllegalArgumentException.class, () -> EditMask.fromUint8(2, 2, new byte[3]));
    }

    @Test
    void resizeAndCrop() {
        EditMask m = new EditMask(2, 2, new boolean[] {true, false, false, true});
        EditMask up = m.resizeNearest(4, 4);
        assertArrayEquals(new boolean[] {true, true, false, false, true, true, false, false, false, false, true, true,
            false, false, true, true}, up.editable());
        assertEquals(m, up.resizeNearest(2, 2)); // src = floor(dst * 4 / 2): pixels 0 and 2
        EditMask grown = m.cropOrPad(3, 1);
        assertArrayEquals(new boolean[] {true, false, false}, grown.editable());
        boolean[] copy = m.editable();
        copy[1] = true;
        assertFalse(m.isEditable(1, 0), "the record keeps its own copy");
    }

    private static int firstEditable(EditMask mask) {
        for (int x = 0; x < mask.width(); x++) {
            if (mask.isEditable(x, 0)) {
                return x;
            }
        }
        throw new IllegalStateException("row 0 has no editable pixel");
    }

    private Path write(BufferedImage image, String name) throws IOException {
        Path file = dir.resolve(name);
        assertTrue(ImageIO.write(image, "png", file.toFile()));
        return file;
    }
}
