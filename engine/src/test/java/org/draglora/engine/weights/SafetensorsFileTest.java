package org.draglora.engine.weights;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The safetensors reader and writer: dtypes, widening, large files, corrupt headers. */
class SafetensorsFileTest {

    @Test
    void halfPrecisionWideningIsExactForSpecialValues() {
        assertEquals(1.0f, SafetensorsFile.HalfFloats.halfToFloat((short) 0x3C00));
        assertEquals(-2.0f, SafetensorsFile.HalfFloats.halfToFloat((short) 0xC000));
        assertEquals(65504f, SafetensorsFile.HalfFloats.halfToFloat((short) 0x7BFF));
        assertEquals(0x1p-24f, SafetensorsFile.HalfFloats.halfToFloat((short) 0x0001), "smallest subnormal");
        assertEquals(0x1p-14f, SafetensorsFile.HalfFloats.halfToFloat((short) 0x0400), "smallest normal");
        assertEquals(Float.NEGATIVE_INFINITY, SafetensorsFile.HalfFloats.halfToFloat((short) 0xFC00));
        assertTrue(Float.isNaN(SafetensorsFile.HalfFloats.halfToFloat((short) 0x7E00)));
        assertEquals(-0.0f, SafetensorsFile.HalfFloats.halfToFloat((short) 0x8000));
        for (int bits = 0; bits < 0x10000; bits++) {
            float f = SafetensorsFile.HalfFloats.halfToFloat((short) bits);
            if (!Float.isNaN(f)) {
                assertEquals((short) bits, SafetensorsFile.HalfFloats.floatToHalf(f), "round trip of 0x" + Integer.toHexString(bits));
            }
        }
    }

    @Test
    void f16Bf16F32AndI64RoundTripThroughTheWriter(@TempDir Path dir) throws IOException {
        float[] values = {0f, 1f, -1.5f, 3.140625f, 1024f, -0.0009765625f};
        long[] shape = {2, 3};
        Path file = dir.resolve("t.safetensors");
        new SafetensorsWriter()
                .addFloats("f32", shape, values, DType.F32)
                .addFloats("f16", shape, values, DType.F16)
                .addFloats("bf16", shape, values, DType.BF16)
                .addLongs("ids", new long[] {3}, new long[] {49406, 7, 49407})
                .metadata("format", "pt")
                .write(file);
        try (SafetensorsFile f = SafetensorsFile.open(file)) {
            assertEquals(java.util.List.of("bf16", "f16", "f32", "ids"), java.util.List.copyOf(f.tensors().keySet()));
            assertEquals("pt", f.metadata().get("format"));
            assertArrayEquals(values, f.readFloats("f32"), 0f);
            assertArrayEquals(values, f.readFloats("f16"), 0f, "these values are exact in float16");
            assertArrayEquals(values, f.readFloats("bf16"), 0f, "and in bfloat16");
            assertEquals(DType.BF16, f.info("bf16").dtype());
            assertArrayEquals(new long[] {2, 3}, f.info("f16").shape());
            assertArrayEquals(new long[] {49406, 7, 49407}, f.readLongs("ids"));
        }
        byte[] bytes = Files.readAllBytes(file);
        long headerLength = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).getLong();
        assertEquals(0, headerLength % 8, "header padded to 8 bytes as the reference writer does");
    }

    @Test
    void filesLargerThan2GiBAreReadOneTensorAtATime(@TempDir Path dir) throws IOException {
        long bigElements = 600_000_000L; // 2.4 GB of F32, never written: the file is sparse
        long bigBytes = bigElements * 4;
        String header = "{\"big\":{\"dtype\":\"F32\",\"shape\":[" + bigElements + "],\"data_offsets\":[0," + bigBytes
                + "]},\"tail\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[" + bigBytes + "," + (bigBytes + 16) + "]}}";
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        Path file = dir.resolve("large.safetensors");
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            ByteBuffer len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(h.length);
            raf.write(len.array());
            raf.write(h);
            long dataStart = 8 + h.length;
            raf.setLength(dataStart + bigBytes + 16);
            raf.seek(dataStart + bigBytes);
            ByteBuffer tail = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN);
            tail.putFloat(1f).putFloat(2f).putFloat(3f).putFloat(4f);
            raf.write(tail.array());
        }
        assertTrue(Files.size(file) > (1L << 31));
        try (SafetensorsFile f = SafetensorsFile.open(file)) {
            assertArrayEquals(new float[] {1, 2, 3, 4}, f.readFloats("tail"), 0f);
            IOException e = assertThrows(IOException.class, () -> f.raw("big"));
            assertTrue(e.getMessage().contains("over 2 GiB"), e.getMessage());
        }
    }

    @Test
    void corruptFilesAreRejectedWithTheReason(@TempDir Path dir) throws IOException {
        assertCorrupt(dir, new byte[] {1, 2, 3}, "less than the 8-byte header length");
        assertCorrupt(dir, withHeader("{not json"), "not valid JSON");
        assertCorrupt(dir, withHeader("{\"a\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,8]}}"), "needs 16");
        assertCorrupt(dir, withHeader("{\"a\":{\"dtype\":\"Q4\",\"shape\":[1],\"data_offsets\":[0,1]}}"), "unsupported");
        assertCorrupt(dir, withHeader("{\"a\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]}}"), "truncated");
        byte[] hugeHeader = new byte[16];
        ByteBuffer.wrap(hugeHeader).order(ByteOrder.LITTLE_ENDIAN).putLong(1L << 40);
        assertCorrupt(dir, hugeHeader, "does not fit");
    }

    private static byte[] withHeader(String json) {
        byte[] h = json.getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocate(8 + h.length).order(ByteOrder.LITTLE_ENDIAN).putLong(h.length).put(h).array();
    }

    private static void assertCorrupt(Path dir, byte[] content, String reason) throws IOException {
        Path file = Files.write(dir.resolve("bad.safetensors"), content);
        IOException e = assertThrows(IOException.class, () -> SafetensorsFile.open(file));
        assertTrue(e.getMessage().contains(reason) && e.getMessage().contains(file.toString()), e.getMessage());
    }

    @Test
    void writerRefusesInconsistentTensorsAndLeavesNoPartialFile(@TempDir Path dir) throws IOException {
        SafetensorsWriter w = new SafetensorsWriter();
        assertThrows(IllegalArgumentException.class, () -> w.add("x", DType.F32, new long[] {3}, ByteBuffer.allocate(8)));
        w.addFloats("x", new long[] {1}, new float[] {1});
        assertThrows(IllegalArgumentException.class, () -> w.addFloats("x", new long[] {1}, new float[] {1}));
        Path notADirectory = Files.writeString(dir.resolve("plain-file"), "x");
        assertThrows(IOException.class, () -> w.write(notADirectory.resolve("out.safetensors")));
        w.write(dir.resolve("nested/dirs/out.safetensors"));
        try (var files = Files.walk(dir)) {
            assertEquals(java.util.List.of("out.safetensors", "plain-file"), files.filter(Files::isRegularFile)
                    .map(p -> p.getFileName().toString()).sorted().toList(), "no temporary files left behind");
        }
    }
}
