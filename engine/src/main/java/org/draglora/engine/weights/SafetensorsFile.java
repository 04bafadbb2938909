package org.draglora.engine.weights;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.nio.ShortBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * A safetensors file opened for reading: the JSON header is parsed once, and each tensor is
 * memory-mapped on its own when it is read, so files far larger than 2 GiB (SD 1.5 in float32 is
 * 3.4 GB) need no more than one tensor's mapping at a time.
 *
 * <p>Format: an 8-byte little-endian header length {@code n}, {@code n} bytes of UTF-8 JSON
 * {@code {"name": {"dtype", "shape", "data_offsets": [begin, end]}, "__metadata__": {...}}}, then
 * the little-endian data; offsets are relative to the end of the header.
 */
public final class SafetensorsFile implements WeightSource, java.io.Closeable {

    /** Headers larger than this are rejected as corrupt (real ones are well under 1 MB). */
    private static final long MAX_HEADER_BYTES = 100L * 1024 * 1024;

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path path;
    private final FileChannel channel;
    private final long dataStart;
    private final Map<String, TensorInfo> tensors;
    private final Map<String, String> metadata;

    private SafetensorsFile(
            Path path,
            FileChannel channel,
            long dataStart,
            Map<String, TensorInfo> tensors,
            Map<String, String> metadata) {
        this.path = path;
        this.channel = channel;
        this.dataStart = dataStart;
        this.tensors = tensors;
        this.metadata = metadata;
    }

    /** Opens and validates the header of a safetensors file. */
    public static SafetensorsFile open(Path path) throws IOException {
        FileChannel channel = FileChannel.open(path, StandardOpenOption.READ);
        try {
            long size = channel.size();
            if (size < 8) {
                throw corrupt(path, "file has " + size + " bytes, less than the 8-byte header length");
            }
            ByteBuffer lengthBuffer = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            readFully(channel, lengthBuffer, 0);
            long headerLength = lengthBuffer.flip().getLong();
            if (headerLength <= 0 || headerLength > MAX_HEADER_BYTES || 8 + headerLength > size) {
                throw corrupt(path, "header length " + headerLength + " does not fit a file of " + size + " bytes");
            }
            ByteBuffer header = ByteBuffer.allocate((int) headerLength);
            readFully(channel, header, 8);
            JsonNode root;
            try {
                root = JSON.readTree(header.array());
            } catch (IOException e) {
                throw corrupt(path, "header is not valid JSON: " + e.getMessage());
            }
            if (root == null || !root.isObject()) {
                throw corrupt(path, "header is not a JSON object");
            }
            long dataStart = 8 + headerLength;
            long dataSize = size - dataStart;
            Map<String, TensorInfo> tensors = new TreeMap<>();
            Map<String, String> metadata = new LinkedHashMap<>();
            for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                if (e.getKey().equals("__metadata__")) {
                    e.getValue().fields().forEachRemaining(m -> metadata.put(m.getKey(), m.getValue().asText()));
                    continue;
                }
                TensorInfo info = parseEntry(path, e.getKey(), e.getValue());
                if (info.end() > dataSize) {
                    throw corrupt(path, "tensor '" + info.name() + "' ends at byte " + info.end()
                            + " of a data section of " + dataSize + " bytes (truncated file?)");
                }
                tensors.put(info.name(), info);
            }
            return new SafetensorsFile(
                    path, channel, dataStart, Collections.unmodifiableMap(tensors), Collections.unmodifiableMap(metadata));
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    private static TensorInfo parseEntry(Path path, String name, JsonNode node) throws IOException {
        JsonNode dtype = node.get("dtype");
        JsonNode shape = node.get("shape");
        JsonNode offsets = node.get("data_offsets");
        if (dtype == null || shape == null || offsets == null || !shape.isArray()
                || !offsets.isArray() || offsets.size() != 2) {
            throw corrupt(path, "tensor '" + name + "' lacks dtype, shape or data_offsets");
        }
        long[] dims = new long[shape.size()];
        for (int i = 0; i < dims.length; i++) {
            dims[i] = shape.get(i).asLong(-1);
        }
        try {
            return new TensorInfo(name, DType.parse(dtype.asText(), name), dims,
                    offsets.get(0).asLong(), offsets.get(1).asLong());
        } catch (IllegalArgumentException | ArithmeticException e) {
            throw corrupt(path, e.getMessage());
        }
    }

    private static IOException corrupt(Path path, String why) {
        return new IOException("not a valid safetensors file: " + path + ": " + why);
    }

    private static void readFully(FileChannel channel, ByteBuffer buffer, long position) throws IOException {
        while (buffer.hasRemaining()) {
            int n = channel.read(buffer, position + buffer.position());
            if (n < 0) {
                throw new IOException("unexpected end of file");
            }
        }
    }

    /** The file this was opened from. */
    public Path path() {
        return path;
    }

    /** Every tensor, by name, in sorted order. */
    public Map<String, TensorInfo> tensors() {
        return tensors;
    }

    /** The {@code __metadata__} entries (empty when absent). */
    public Map<String, String> metadata() {
        return metadata;
    }

    @Override
    public Map<String, TensorInfo> infos() {
        return tensors;
    }

    @Override
    public String describe() {
        return path.toString();
    }

    /** The info of one tensor, or an exception naming the file and the key. */
    public TensorInfo info(String name) {
        TensorInfo info = tensors.get(name);
        if (info == null) {
            throw new IllegalArgumentException("no tensor '" + name + "' in " + path);
        }
        return info;
    }

    /**
     * Maps the raw bytes of one tensor, read-only and little-endian. Writing through the mapping
     * (or through an array that aliases it) is impossible by design: copy first.
     */
    public ByteBuffer raw(String name) throws IOException {
        TensorInfo info = info(name);
        if (info.byteCount() > Integer.MAX_VALUE) {
            throw new IOException("tensor '" + name + "' in " + path + " has " + info.byteCount()
                    + " bytes; single tensors over 2 GiB are not supported");
        }
        if (info.byteCount() == 0) {
            return ByteBuffer.allocateDirect(0).order(ByteOrder.LITTLE_ENDIAN);
        }
        return channel.map(FileChannel.MapMode.READ_ONLY, dataStart + info.begin(), info.byteCount())
                .order(ByteOrder.LITTLE_ENDIAN);
    }

    @Override
    public ByteBuffer readFloat32(String name) throws IOException {
        TensorInfo info = info(name);
        ByteBuffer raw = raw(name);
        return switch (info.dtype()) {
            case F32 -> raw;
            case F16 -> HalfFloats.widenF16(raw.asShortBuffer());
            case BF16 -> HalfFloats.widenBf16(raw.asShortBuffer());
            case F64 -> narrowF64(raw);
            default -> throw new IOException("tensor '" + name + "' in " + path + " is " + info.dtype()
                    + ", not a floating-point tensor");
        };
    }

    /** Reads a floating tensor into a Java array (for small tensors: tables, test fixtures). */
    public float[] readFloats(String name) throws IOException {
        FloatBuffer fb = readFloat32(name).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer();
        float[] out = new float[fb.remaining()];
        fb.get(out);
        return out;
    }

    /** Reads an I64 or I32 tensor into a Java array. */
    public long[] readLongs(String name) throws IOException {
        TensorInfo info = info(name);
        ByteBuffer raw = raw(name);
        long[] out = new long[(int) info.elementCount()];
        if (info.dtype() == DType.I64) {
            LongBuffer lb = raw.asLongBuffer();
            lb.get(out);
        } else if (info.dtype() == DType.I32) {
            for (int i = 0; i < out.length; i++) {
                out[i] = raw.getInt(i * 4);
            }
        } else {
            throw new IOException("tensor '" + name + "' in " + path + " is " + info.dtype() + ", not an integer tensor");
        }
        return out;
    }

    private static ByteBuffer narrowF64(ByteBuffer raw) {
        int n = raw.remaining() / 8;
        ByteBuffer out = ByteBuffer.allocateDirect(n * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < n; i++) {
            out.putFloat(i * 4, (float) raw.getDouble(i * 8));
        }
        return out;
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }

    /** Widening of 16-bit floats, done in Java (STACK.md §3: DJL aborts on BFLOAT16). */
    static final class HalfFloats {
        private HalfFloats() {}

        static ByteBuffer widenF16(ShortBuffer in) {
            int n = in.remaining();
            ByteBuffer out = ByteBuffer.allocateDirect(n * 4).order(ByteOrder.LITTLE_ENDIAN);
            FloatBuffer fb = out.asFloatBuffer();
            for (int i = 0; i < n; i++) {
                fb.put(i, halfToFloat(in.get(i)));
            }
            return out;
        }

        static ByteBuffer widenBf16(ShortBuffer in) {
            int n = in.remaining();
            ByteBuffer out = ByteBuffer.allocateDirect(n * 4).order(ByteOrder.LITTLE_ENDIAN);
            for (int i = 0; i < n; i++) {
                out.putInt(i * 4, (in.get(i) & 0xFFFF) << 16);
            }
            return out;
        }

        /** IEEE 754 binary16 to binary32, exact for every value including subnormals, inf and NaN. */
        static float halfToFloat(short h) {
            int bits = h & 0xFFFF;
            int sign = (bits & 0x8000) << 16;
            int exp = (bits >>> 10) & 0x1F;
            int mant = bits & 0x3FF;
            if (exp == 0x1F) {
                return Float.intBitsToFloat(sign | 0x7F800000 | (mant << 13));
            }
            if (exp == 0) {
                if (mant == 0) {
                    return Float.intBitsToFloat(sign);
                }
                // subnormal: value = mant * 2^-24
                float v = mant * 0x1p-24f;
                return sign == 0 ? v : -v;
            }
            return Float.intBitsToFloat(sign | ((exp - 15 + 127) << 23) | (mant << 13));
        }

        /** binary32 to binary16 with round-to-nearest-even (for the writer). */
        static short floatToHalf(float f) {
            int bits = Float.floatToRawIntBits(f);
            int sign = (bits >>> 16) & 0x8000;
            int exp = (bits >>> 23) & 0xFF;
            int mant = bits & 0x7FFFFF;
            if (exp == 0xFF) {
                return (short) (sign | 0x7C00 | (mant != 0 ? 0x200 : 0));
            }
            int e = exp - 127 + 15;
            if (e >= 0x1F) {
                return (short) (sign | 0x7C00);
            }
            if (e <= 0) {
                if (e < -10) {
                    return (short) sign;
                }
                mant |= 0x800000;
                int shift = 14 - e;
                int half = mant >> shift;
                int rem = mant & ((1 << shift) - 1);
                int mid = 1 << (shift - 1);
                if (rem > mid || (rem == mid && (half & 1) != 0)) {
                    half++;
                }
                return (short) (sign | half);
            }
            int half = (e << 10) | (mant >> 13);
            int rem = mant & 0x1FFF;
            if (rem > 0x1000 || (rem == 0x1000 && (half & 1) != 0)) {
                half++;
            }
            return (short) (sign | half);
        }

        static short floatToBf16(float f) {
            int bits = Float.floatToRawIntBits(f);
            if ((bits & 0x7F800000) == 0x7F800000 && (bits & 0x7FFFFF) != 0) {
                return (short) ((bits >>> 16) | 0x40);
            }
            int rounding = 0x7FFF + ((bits >>> 16) & 1);
            return (short) ((bits + rounding) >>> 16);
        }
    }
}
