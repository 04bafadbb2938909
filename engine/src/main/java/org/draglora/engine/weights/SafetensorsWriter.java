package org.draglora.engine.weights;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * Writes a safetensors file: tensors in sorted key order with no gaps, the header padded with
 * spaces to a multiple of 8 bytes (the layout the reference writer produces). The file is written
 * to a temporary sibling and moved into place, so a failure never leaves a half-written file.
 */
public final class SafetensorsWriter {

    private record Entry(DType dtype, long[] shape, ByteBuffer data) {}

    private final Map<String, Entry> entries = new TreeMap<>();
    private final Map<String, String> metadata = new LinkedHashMap<>();

    /** Adds one tensor from little-endian bytes of the given type. */
    public SafetensorsWriter add(String name, DType dtype, long[] shape, ByteBuffer littleEndianData) {
        long expected = TensorInfo.elementCount(shape) * dtype.bytes();
        if (littleEndianData.remaining() != expected) {
            throw new IllegalArgumentException("tensor '" + name + "': " + littleEndianData.remaining()
                    + " bytes given, " + dtype + " " + TensorInfo.shapeText(shape) + " needs " + expected);
        }
        if (entries.put(name, new Entry(dtype, shape.clone(), littleEndianData.slice())) != null) {
            throw new IllegalArgumentException("tensor '" + name + "' added twice");
        }
        return this;
    }

    /** Adds a float tensor, stored as F32, F16 or BF16. */
    public SafetensorsWriter addFloats(String name, long[] shape, float[] values, DType storeAs) {
        ByteBuffer b = ByteBuffer.allocate(values.length * storeAs.bytes()).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : values) {
            switch (storeAs) {
                case F32 -> b.putFloat(v);
                case F16 -> b.putShort(SafetensorsFile.HalfFloats.floatToHalf(v));
                case BF16 -> b.putShort(SafetensorsFile.HalfFloats.floatToBf16(v));
                case F64 -> b.putDouble(v);
                default -> throw new IllegalArgumentException("cannot store floats as " + storeAs);
            }
        }
        return add(name, storeAs, shape, b.flip());
    }

    /** Adds a float32 tensor. */
    public SafetensorsWriter addFloats(String name, long[] shape, float[] values) {
        return addFloats(name, shape, values, DType.F32);
    }

    /** Adds an I64 tensor. */
    public SafetensorsWriter addLongs(String name, long[] shape, long[] values) {
        ByteBuffer b = ByteBuffer.allocate(values.length * 8).order(ByteOrder.LITTLE_ENDIAN);
        for (long v : values) {
            b.putLong(v);
        }
        return add(name, DType.I64, shape, b.flip());
    }

    /** Adds a {@code __metadata__} entry. */
    public SafetensorsWriter metadata(String key, String value) {
        metadata.put(key, value);
        return this;
    }

    /** Number of tensors added so far. */
    public int size() {
        return entries.size();
    }

    /** The file's header: the 8-byte length and the padded JSON. */
    private ByteBuffer header() throws IOException {
        ObjectMapper json = new ObjectMapper();
        ObjectNode header = json.createObjectNode();
        if (!metadata.isEmpty()) {
            ObjectNode meta = header.putObject("__metadata__");
            metadata.forEach(meta::put);
        }
        long offset = 0;
        for (Map.Entry<String, Entry> e : entries.entrySet()) {
            Entry t = e.getValue();
            ObjectNode node = header.putObject(e.getKey());
            node.put("dtype", t.dtype().name());
            ArrayNode shape = node.putArray("shape");
            for (long d : t.shape()) {
                shape.add(d);
            }
            ArrayNode offsets = node.putArray("data_offsets");
            offsets.add(offset);
            offset += t.data().remaining();
            offsets.add(offset);
        }
        byte[] headerBytes = json.writeValueAsBytes(header);
        int padded = (headerBytes.length + 7) / 8 * 8;
        ByteBuffer head = ByteBuffer.allocate(8 + padded).order(ByteOrder.LITTLE_ENDIAN);
        head.putLong(padded).put(headerBytes);
        while (head.hasRemaining()) {
            head.put((byte) ' ');
        }
        head.flip();
        return head;
    }

    /** The whole file in memory (for small files such as a LoRA sent over HTTP). */
    public byte[] toBytes() throws IOException {
        ByteBuffer head = header();
        long total = head.remaining();
        for (Entry t : entries.values()) {
            total += t.data().remaining();
        }
        if (total > Integer.MAX_VALUE - 16) {
            throw new IOException("a safetensors file of " + total + " bytes does not fit in memory; write it to a file");
        }
        ByteBuffer all = ByteBuffer.allocate((int) total);
        all.put(head);
        for (Entry t : entries.values()) {
            all.put(t.data().duplicate());
        }
        return all.array();
    }

    /** Writes the file atomically. */
    public void write(Path path) throws IOException {
        ByteBuffer head = header();
        Path parent = path.toAbsolutePath().getParent();
        Files.createDirectories(parent);
        Path tmp = Files.createTempFile(parent, path.getFileName().toString(), ".tmp");
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
                writeFully(ch, head);
                for (Entry t : entries.values()) {
                    writeFully(ch, t.data().duplicate());
                }
                ch.force(false);
            }
            try {
                // temporary files are private (0600); weights are ordinary files (0644)
                Files.setPosixFilePermissions(tmp, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
            } catch (UnsupportedOperationException e) {
                // not a POSIX file system: keep its defaults
            }
            Files.move(tmp, path, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    private static void writeFully(FileChannel ch, ByteBuffer b) throws IOException {
        while (b.hasRemaining()) {
            ch.write(b);
        }
    }

}
