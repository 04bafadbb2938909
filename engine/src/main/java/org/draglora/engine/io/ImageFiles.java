package org.draglora.engine.io;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.SecureRandom;
import java.util.Iterator;
import java.util.Locale;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.ImageWriter;
import javax.imageio.stream.FileImageInputStream;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.MemoryCacheImageInputStream;
import javax.imageio.stream.MemoryCacheImageOutputStream;

/**
 * Image file plumbing shared by {@link ImageTensors} and {@link MaskImage}: decoding with a pixel
 * limit checked from the header before any pixel is decoded, PNG encoding, and atomic writes.
 *
 * <p>Decoding uses whatever javax.imageio reads (PNG, JPEG, BMP, GIF, WBMP, TIFF on Java 17);
 * nothing is cached in temporary files. Every error is an {@link IOException} whose message starts
 * with the file (or the name given for in-memory data).
 */
final class ImageFiles {

    private static final SecureRandom RANDOM = new SecureRandom();

    private ImageFiles() {}

    /** Decodes the first image of {@code file}, refusing more than {@code maxPixels} pixels before decoding. */
    static BufferedImage decode(Path file, long maxPixels) throws IOException {
        checkLimit(maxPixels);
        long size;
        try {
            size = Files.size(file);
        } catch (NoSuchFileException e) {
            throw new IOException(file + ": no such file", e);
        } catch (AccessDeniedException e) {
            throw new IOException(file + ": permission denied", e);
        }
        if (size == 0) {
            throw new IOException(file + ": empty file, not an image");
        }
        if (Files.isDirectory(file)) {
            throw new IOException(file + ": is a directory, not an image");
        }
        try (ImageInputStream in = new FileImageInputStream(file.toFile())) {
            return decode(in, file.toString(), maxPixels);
        }
    }

    /** Decodes in-memory image bytes; {@code name} stands for the source in messages. */
    static BufferedImage decode(byte[] data, String name, long maxPixels) throws IOException {
        checkLimit(maxPixels);
        if (data.length == 0) {
            throw new IOException(name + ": empty data, not an image");
        }
        try (ImageInputStream in = new MemoryCacheImageInputStream(new ByteArrayInputStream(data))) {
            return decode(in, name, maxPixels);
        }
    }

    private static BufferedImage decode(ImageInputStream in, String name, long maxPixels) throws IOException {
        Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
        if (!readers.hasNext()) {
            throw new IOException(name + ": unsupported image format (readable: PNG, JPEG, BMP, GIF, TIFF)");
        }
        ImageReader reader = readers.next();
        String format = reader.getFormatName().toUpperCase(Locale.ROOT);
        try {
            reader.setInput(in, true, true);
            int width;
            int height;
            try {
                // reads the header only (PNG IHDR, JPEG SOF): no pixel is decoded yet
                width = reader.getWidth(0);
                height = reader.getHeight(0);
            } catch (IOException | RuntimeException e) {
                throw new IOException(name + ": corrupt or unreadable " + format + " header (" + reason(e) + ")", e);
            }
            if (width <= 0 || height <= 0) {
                throw new IOException(name + ": the " + format + " image has zero size (" + width + "x" + height + ")");
            }
            if ((long) width * height > maxPixels) {
                throw new IOException(name + ": " + width + "x" + height + " pixels is over the limit of " + maxPixels
                        + " pixels");
            }
            try {
                return reader.read(0);
            } catch (IOException | RuntimeException e) {
                throw new IOException(name + ": corrupt or unreadable " + format + " image (" + reason(e) + ")", e);
            }
        } finally {
            reader.dispose();
        }
    }

    /** PNG bytes of {@code image}. */
    static byte[] encodePng(BufferedImage image) throws IOException {
        ImageWriter writer = ImageIO.getImageWritersByFormatName("png").next();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (MemoryCacheImageOutputStream out = new MemoryCacheImageOutputStream(bytes)) {
            writer.setOutput(out);
            writer.write(new IIOImage(image, null, null));
        } finally {
            writer.dispose();
        }
        return bytes.toByteArray();
    }

    /**
     * Writes {@code bytes} to {@code target} atomically: a temporary file in the same directory,
     * then a rename over the target, so a reader never sees a half-written file. Creates missing
     * parent directories.
     */
    static void writeAtomically(Path target, byte[] bytes) throws IOException {
        Path dir = target.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        // not Files.createTempFile: its owner-only permissions would stay on the result
        Path tmp = dir.resolve("." + target.getFileName() + "." + Long.toHexString(RANDOM.nextLong()) + ".tmp");
        try {
            Files.write(tmp, bytes, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    private static void checkLimit(long maxPixels) {
        if (maxPixels <= 0) {
            throw new IllegalArgumentException("maxPixels must be positive, got " + maxPixels);
        }
    }

    private static String reason(Exception e) {
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }
}
