package org.draglora.engine.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ComponentColorModel;
import java.awt.image.DataBuffer;
import java.awt.image.IndexColorModel;
import java.awt.image.WritableRaster;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import java.util.stream.Stream;
import java.util.zip.CRC32;
import javax.imageio.ImageIO;
import org.draglora.engine.runtime.EngineRuntime;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link ImageTensors}: files, pixel conversions, tensors, resizes and the multiple-of-8 policy. */
class ImageTensorsTest {

    @TempDir
    Path dir;

    static RgbImage randomImage(int w, int h, long seed) {
        byte[] px = new byte[w * h * 3];
        new Random(seed).nextBytes(px);
        return new RgbImage(w, h, px);
    }

    @Test
    void pngRoundTripIsExactAndAtomic() throws IOException {
        RgbImage image = randomImage(13, 7, 1);
        Path file = dir.resolve("out/sub/result.png");
        ImageTensors.writePng(image, file);
        assertEquals(image, ImageTensors.read(file));
        RgbImage other = randomImage(13, 7, 2);
        ImageTensors.writePng(other, file); // replaces the existing file
        assertEquals(other, ImageTensors.read(file));
        try (Stream<Path> left = Files.list(file.getParent())) {
            assertEquals(1, left.count(), "no temporary file is left behind");
        }
        assertEquals(image, ImageTensors.decode(ImageTensors.encodePng(image), "upload", 1000));
    }

    @Test
    void normalisationFollowsTheReference() {
        try (NDManager manager = EngineRuntime.cpu().newManager()) {
            // one row of three pixels: (0, 127, 255), (255, 0, 127), (127, 255, 0)
            RgbImage image = new RgbImage(3, 1, new byte[] {0, 127, (byte) 255, (byte) 255, 0, 127, 127, (byte) 255, 0});
            NDArray x = ImageTensors.toTensor(image, manager);
            assertEquals(new Shape(1, 3, 1, 3), x.getShape());
            assertEquals(DataType.FLOAT32, x.getDataType());
            float mid = 127f / 127.5f - 1f; // -0.0039215684 in float32, as torch computes uint8/127.5 - 1
            assertEquals(-0.0039215684f, mid);
            // CHW: the red plane is (0, 255, 127)
            assertArrayEquals(new float[] {-1f, 1f, mid, mid, -1f, 1f, 1f, mid, -1f}, x.toFloatArray());
        }
    }

    @Test
    void decoderOutputIsClampedScaledAndTruncated() {
        try (NDManager manager = EngineRuntime.cpu().newManager()) {
            float[] values = {-1f, -0.5f, 0f, 0.5f, 1f, 1.5f, -2f};
            float[] chw = new float[3 * values.length];
            for (int c = 0; c < 3; c++) {
                System.arraycopy(values, 0, chw, c * values.length, values.length);
            }
            RgbImage out = ImageTensors.fromTensor(manager.create(chw, new Shape(1, 3, 1, values.length)));
            // clamp(x/2 + 0.5, 0, 1) * 255 truncated: 0, 63.75, 127.5, 191.25, 255, 255 (clamped), 0 (clamped)
            int[] expected = {0, 63, 127, 191, 255, 255, 0};
            for (int i = 0; i < expected.length; i++) {
                assertEquals(expected[i], out.red(i, 0));
                assertEquals(expected[i], out.blue(i, 0));
            }
            NDArray half = manager.create(chw, new Shape(1, 3, 1, values.length)).toType(DataType.FLOAT16, false);
            assertEquals(out, ImageTensors.fromTensor(half));
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> ImageTensors.fromTensor(manager.zeros(new Shape(1, 4, 2, 2))));
            assertTrue(e.getMessage().contains("(1, 4, 2, 2)"), e.getMessage());
        }
    }

    @Test
    void tensorRoundTripLosesAtMostOneLevel() {
        try (NDManager manager = EngineRuntime.cpu().newManager()) {
            byte[] px = new byte[256 * 3];
            for (int v = 0; v < 256; v++) {
                Arrays.fill(px, v * 3, v * 3 + 3, (byte) v);
            }
            RgbImage image = new RgbImage(256, 1, px);
            RgbImage back = ImageTensors.fromTensor(ImageTensors.toTensor(image, manager));
            for (int v = 0; v < 256; v++) {
                int diff = v - back.green(v, 0);
                assertTrue(diff == 0 || diff == 1, "level " + v + " came back as " + back.green(v, 0));
            }
            assertEquals(0, back.red(0, 0));
            assertEquals(255, back.red(255, 0));
        }
    }

    @Test
    void rgbaDropsAlpha() throws IOException {
        BufferedImage argb = new BufferedImage(2, 1, BufferedImage.TYPE_INT_ARGB);
        argb.setRGB(0, 0, 0x000a141e); // fully transparent, colour (10, 20, 30)
        argb.setRGB(1, 0, 0x80ff8000); // half transparent orange
        RgbImage image = ImageTensors.read(write(argb, "png", "rgba.png"));
        assertEquals(10, image.red(0, 0));
        assertEquals(20, image.green(0, 0));
        assertEquals(30, image.blue(0, 0));
        assertEquals(255, image.red(1, 0));
        assertEquals(128, image.green(1, 0));
        assertEquals(0, image.blue(1, 0));
    }

    @Test
    void grayscaleIsReplicatedWithoutGamma() throws IOException {
        BufferedImage gray = new BufferedImage(3, 1, BufferedImage.TYPE_BYTE_GRAY);
        gray.getRaster().setSamples(0, 0, 3, 1, 0, new int[] {0, 100, 255});
        RgbImage image = ImageTensors.read(write(gray, "png", "gray.png"));
        assertEquals(RgbImage.filled(1, 1, 100, 100, 100).red(0, 0), image.red(1, 0));
        assertEquals(100, image.green(1, 0));
        assertEquals(100, image.blue(1, 0));
        assertEquals(255, image.red(2, 0));
        assertEquals(0, image.blue(0, 0));
    }

    @Test
    void paletteAndOneBitImagesExpandThroughThePalette() throws IOException {
        byte[] r = {0, (byte) 200, 10};
        byte[] g = {0, 50, 20};
        byte[] b = {0, 25, 30};
        IndexColorModel palette = new IndexColorModel(2, 3, r, g, b);
        BufferedImage indexed = new BufferedImage(3, 1, BufferedImage.TYPE_BYTE_BINARY, palette);
        indexed.getRaster().setSamples(0, 0, 3, 1, 0, new int[] {2, 1, 0});
        RgbImage image = ImageTensors.read(write(indexed, "png", "palette.png"));
        assertEquals(10, image.red(0, 0));
        assertEquals(30, image.blue(0, 0));
        assertEquals(200, image.red(1, 0));
        assertEquals(50, image.green(1, 0));
        assertEquals(0, image.green(2, 0));

        BufferedImage binary = new BufferedImage(2, 1, BufferedImage.TYPE_BYTE_BINARY);
        binary.getRaster().setSamples(0, 0, 2, 1, 0, new int[] {0, 1});
        RgbImage bw = ImageTensors.read(write(binary, "png", "bw.png"));
        assertEquals(0, bw.red(0, 0));
        assertEquals(255, bw.red(1, 0));
        assertEquals(255, bw.blue(1, 0));
    }

    @Test
    void sixteenBitSamplesKeepTheHighByte() throws IOException {
        BufferedImage gray16 = new BufferedImage(2, 1, BufferedImage.TYPE_USHORT_GRAY);
        gray16.getRaster().setSamples(0, 0, 2, 1, 0, new int[] {0x1234, 0xffff});
        RgbImage g = ImageTensors.read(write(gray16, "png", "gray16.png"));
        assertEquals(0x12, g.red(0, 0));
        assertEquals(0xff, g.green(1, 0));

        ComponentColorModel cm = new ComponentColorModel(ColorSpace.getInstance(ColorSpace.CS_sRGB),
                new int[] {16, 16, 16}, false, false, java.awt.Transparency.OPAQUE, DataBuffer.TYPE_USHORT);
        WritableRaster raster = cm.createCompatibleWritableRaster(1, 1);
        raster.setPixel(0, 0, new int[] {0xabcd, 0x0100, 0x00ff});
        RgbImage rgb = ImageTensors.read(write(new BufferedImage(cm, raster, false, null), "png", "rgb16.png"));
        assertEquals(0xab, rgb.red(0, 0));
        assertEquals(0x01, rgb.green(0, 0));
        assertEquals(0x00, rgb.blue(0, 0));
    }

    @Test
    void readsJpeg() throws IOException {
        BufferedImage bgr = new BufferedImage(16, 16, BufferedImage.TYPE_3BYTE_BGR);
        for (int y = 0; y < 16; y++) {
            for (int x = 0; x < 16; x++) {
                bgr.setRGB(x, y, 0xc86432); // (200, 100, 50)
            }
        }
        RgbImage image = ImageTensors.read(write(bgr, "jpg", "photo.jpg"));
        assertEquals(16, image.width());
        assertTrue(Math.abs(image.red(5, 5) - 200) <= 3, "red " + image.red(5, 5));
        assertTrue(Math.abs(image.green(5, 5) - 100) <= 3, "green " + image.green(5, 5));
        assertTrue(Math.abs(image.blue(5, 5) - 50) <= 3, "blue " + image.blue(5, 5));
    }

    @Test
    void pixelLimitIsCheckedFromTheHeaderBeforeDecoding() throws IOException {
        // a PNG whose IHDR claims 100000 x 100000 pixels and which has no pixel data at all: decoding
        // would fail as corrupt, so the limit error proves that only the header was read
        Path bomb = dir.resolve("bomb.png");
        Files.write(bomb, png(100_000, 100_000));
        IOException e = assertThrows(IOException.class, () -> ImageTensors.read(bomb));
        assertTrue(e.getMessage().startsWith(bomb.toString()), e.getMessage());
        assertTrue(e.getMessage().contains("100000x100000") && e.getMessage().contains("limit"), e.getMessage());
        Path small = write(new BufferedImage(10, 10, BufferedImage.TYPE_3BYTE_BGR), "png", "small.png");
        e = assertThrows(IOException.class, () -> ImageTensors.read(small, 99));
        assertTrue(e.getMessage().contains("10x10"), e.getMessage());
        assertEquals(10, ImageTensors.read(small, 100).width());
    }

    @Test
    void fileErrorsNameTheFile() throws IOException {
        Path missing = dir.resolve("missing.png");
        assertMessage(assertThrows(IOException.class, () -> ImageTensors.read(missing)), missing, "no such file");
        Path empty = Files.write(dir.resolve("empty.png"), new byte[0]);
        assertMessage(assertThrows(IOException.class, () -> ImageTensors.read(empty)), empty, "empty");
        Path text = Files.write(dir.resolve("notes.png"), "not an image".getBytes(StandardCharsets.UTF_8));
        assertMessage(assertThrows(IOException.class, () -> ImageTensors.read(text)), text, "unsupported");
        byte[] good = ImageTensors.encodePng(randomImage(40, 40, 3));
        Path cut = Files.write(dir.resolve("cut.png"), Arrays.copyOf(good, good.length / 2));
        assertMessage(assertThrows(IOException.class, () -> ImageTensors.read(cut)), cut, "corrupt");
        Path zero = Files.write(dir.resolve("zero.png"), png(0, 5));
        assertMessage(assertThrows(IOException.class, () -> ImageTensors.read(zero)), zero, "");
    }

    @Test
    void pillowBilinearResize() {
        RgbImage image = randomImage(9, 5, 4);
        assertEquals(image, ImageTensors.resizeBilinear(image, 9, 5));
        RgbImage flat = RgbImage.filled(7, 5, 12, 130, 250);
        assertEquals(RgbImage.filled(3, 11, 12, 130, 250), ImageTensors.resizeBilinear(flat, 3, 11));
        assertEquals(RgbImage.filled(20, 2, 12, 130, 250), ImageTensors.resizeBilinear(flat, 20, 2));
        // values worked by hand from Resample.c (triangle filter, 22-bit fixed point, round half up):
        // upscaling (0, 255) to 4 columns gives 0, 63.75 -> 64, 191.25 -> 191, 255
        assertArrayEquals(new int[] {0, 64, 191, 255}, reds(ImageTensors.resizeBilinear(row(0, 255), 4, 1)));
        // downscaling (0, 100, 200, 255) to 2 columns: support 2, weights (3, 3, 1)/7 and (1, 3, 3)/7
        assertArrayEquals(new int[] {71, 209}, reds(ImageTensors.resizeBilinear(row(0, 100, 200, 255), 2, 1)));
        // the vertical pass matches the horizontal one
        RgbImage column = new RgbImage(1, 2, new byte[] {0, 0, 0, (byte) 255, (byte) 255, (byte) 255});
        RgbImage tall = ImageTensors.resizeBilinear(column, 1, 4);
        assertEquals(64, tall.green(0, 1));
        assertEquals(191, tall.green(0, 2));
    }

    @Test
    void dragBenchLabellingSize() {
        assertEquals(341, ImageTensors.heightForWidth(1024, 683, 512)); // int(512*683/1024) = int(341.5)
        assertEquals(384, ImageTensors.heightForWidth(640, 480, 512));
        assertEquals(512, ImageTensors.heightForWidth(300, 300, 512));
        RgbImage resized = ImageTensors.resizeToWidth(randomImage(64, 30, 5), 32);
        assertEquals(32, resized.width());
        assertEquals(15, resized.height());
    }

    @Test
    void multipleOf8IsReportedAndFixedOnlyOnRequest() {
        RgbImage odd = randomImage(13, 9, 6);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ImageTensors.requireMultipleOf8(odd));
        assertTrue(e.getMessage().contains("13x9") && e.getMessage().contains("crop to 8x8")
                && e.getMessage().contains("pad to 16x16"), e.getMessage());
        RgbImage cropped = ImageTensors.cropToMultipleOf8(odd);
        assertEquals(8, cropped.width());
        assertEquals(8, cropped.height());
        assertEquals(odd.red(7, 7), cropped.red(7, 7));
        RgbImage padded = ImageTensors.padToMultipleOf8(odd);
        assertEquals(16, padded.width());
        assertEquals(16, padded.height());
        assertEquals(odd.red(12, 8), padded.red(15, 15));
        assertEquals(odd.blue(3, 8), padded.blue(3, 12));
        assertEquals(odd.green(4, 4), padded.green(4, 4));
        ImageTensors.requireMultipleOf8(padded);
        assertTrue(ImageTensors.isMultipleOf8(512, 344));
        assertThrows(IllegalArgumentException.class, () -> ImageTensors.cropToMultipleOf8(randomImage(7, 20, 7)));
    }

    private static void assertMessage(IOException e, Path file, String fragment) {
        assertTrue(e.getMessage().startsWith(file.toString()) && e.getMessage().contains(fragment), e.getMessage());
        assertTrue(!e.getMessage().contains("\n"), e.getMessage());
    }

    private Path write(BufferedImage image, String format, String name) throws IOException {
        Path file = dir.resolve(name);
        assertTrue(ImageIO.write(image, format, file.toFile()), "no ImageIO writer for " + format);
        return file;
    }

    private static RgbImage row(int... values) {
        byte[] px = new byte[values.length * 3];
        for (int i = 0; i < values.length; i++) {
            Arrays.fill(px, i * 3, i * 3 + 3, (byte) values[i]);
        }
        return new RgbImage(values.length, 1, px);
    }

    private static int[] reds(RgbImage image) {
        int[] out = new int[image.width()];
        for (int x = 0; x < out.length; x++) {
            out[x] = image.red(x, 0);
        }
        return out;
    }

    /** A PNG signature, an IHDR (8-bit RGB) with the given size, and IEND: no pixel data. */
    static byte[] png(int width, int height) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'});
        ByteBuffer ihdr = ByteBuffer.allocate(13).putInt(width).putInt(height).put((byte) 8).put((byte) 2)
                .put((byte) 0).put((byte) 0).put((byte) 0);
        chunk(out, "IHDR", ihdr.array());
        chunk(out, "IEND", new byte[0]);
        return out.toByteArray();
    }

    private static void chunk(ByteArrayOutputStream out, String type, byte[] data) {
        byte[] t = type.getBytes(StandardCharsets.US_ASCII);
        out.writeBytes(ByteBuffer.allocate(4).putInt(data.length).array());
        out.writeBytes(t);
        out.writeBytes(data);
        CRC32 crc = new CRC32();
        crc.update(t);
        crc.update(data);
        out.writeBytes(ByteBuffer.allocate(4).putInt((int) crc.getValue()).array());
    }
}
