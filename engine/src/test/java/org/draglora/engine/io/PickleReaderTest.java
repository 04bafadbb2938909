package org.draglora.engine.io;

import static org.draglora.engine.io.PickleFixtures.bytes;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link PickleReader} on CPython-layout pickles (see {@link PickleFixtures}) and hostile input. */
class PickleReaderTest {

    @TempDir
    Path dir;

    @Test
    void fixturesAreTheBytesCPythonWrites() {
        // sha256 of pickle.dumps(...) from CPython 3.11.7 + numpy 2.4.6 (PickleFixtures' class comment)
        assertEquals("489f16b9b0d98b3bd82c254342acc9f88704e8b0169bad4f7e1a732221592ee8",
                PickleFixtures.sha256(PickleFixtures.DRAGBENCH_P4));
        assertEquals("6f29034fba38c8e654e92821fda09249fdb48bdc323ca65675ae515de303f479",
                PickleFixtures.sha256(PickleFixtures.DRAGBENCH_P2));
        assertEquals("a8dedcc89f24c220e8bcf392ced3a46e7310c156175f66db389dde49c1dabd62",
                PickleFixtures.sha256(PickleFixtures.DRAGBENCH_P5));
        assertEquals("1ad13931b16dad87d4a7e3a0e85488912acb8d17e15eec8644e0f5e320111227",
                PickleFixtures.sha256(PickleFixtures.SCALAR_POINTS_P4));
        assertEquals("3cedbf028b53c4a2a5257d276610992a4fe172fe089492d08ea342fd4fb370b4",
                PickleFixtures.sha256(PickleFixtures.FLOAT_MASK_P2));
        assertEquals("63230272dbee2c62212ce32f6582375e4e6a9edaf82e015e5d8c7e6ee6e51d94",
                PickleFixtures.sha256(PickleFixtures.BIG_ENDIAN_P4));
        assertEquals("7ef197f02183698b069747b741268b5d73f126abf01387da2e4e7d3ddfd21a92",
                PickleFixtures.sha256(PickleFixtures.FORTRAN_P4));
        assertEquals("10c121f4db064a968f0eab96367467930c6b90d6c9b54f33767efa53d4d21a3c",
                PickleFixtures.sha256(PickleFixtures.FORTRAN_P5));
        assertEquals("969031fdf55a9d29dc71549326a336b04d82d929d766960f624b6f9871b2c49a",
                PickleFixtures.sha256(PickleFixtures.NUMPY2_P3));
    }

    @Test
    void dragBenchMetaBuilderWritesWhatCPythonWrites() {
        byte[] small = PickleFixtures.dragBenchMeta("a cat", new int[][] {{120, 200}, {180, 210}}, 4, 5,
                new byte[] {0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1});
        assertArrayEquals(PickleFixtures.DRAGBENCH_P4, small);
        // m = np.zeros((64, 1100), np.uint8); m[10, 20:30] = 1; m[63, 1099] = 1: 70400 bytes leave the frame
        byte[] big = new byte[64 * 1100];
        Arrays.fill(big, 10 * 1100 + 20, 10 * 1100 + 30, (byte) 1);
        big[63 * 1100 + 1099] = 1;
        assertEquals("c9bc3a573435a10ee92cb8dbda15b9f3f594e612fb77927f9e4edf6095e59bf9", PickleFixtures.sha256(
                PickleFixtures.dragBenchMeta("a cat", new int[][] {{120, 200}, {180, 210}}, 64, 1100, big)));
        // one point (APPEND, BININT2), a 384-byte mask (BINBYTES inside the frame)
        byte[] m2 = new byte[16 * 24];
        for (int y = 2; y < 5; y++) {
            Arrays.fill(m2, y * 24 + 3, y * 24 + 9, (byte) 1);
        }
        assertEquals("e4746681727c38a26d9ede370357aadb48143b28c1c3728e53484e842d942246", PickleFixtures.sha256(
                PickleFixtures.dragBenchMeta("a photo of a dog", new int[][] {{300, 7}}, 16, 24, m2)));
        assertEquals("17e62435dc65f2cec1fa720acd44d2b2de57c2d072b6c5a7c7be25e983455aa3", PickleFixtures.sha256(
                PickleFixtures.dragBenchMeta("", new int[0][], 3, 2, new byte[6])));
    }

    @Test
    void readsTheDragBenchDictOfProtocol4() {
        Map<?, ?> meta = (Map<?, ?>) PickleReader.parse(PickleFixtures.DRAGBENCH_P4);
        assertEquals(List.of("prompt", "points", "mask"), List.copyOf(meta.keySet()));
        assertEquals("a cat", meta.get("prompt"));
        assertEquals(List.of(List.of(120L, 200L), List.of(180L, 210L)), meta.get("points"));
        NdArray mask = (NdArray) meta.get("mask");
        assertEquals("|u1", mask.dtype());
        assertArrayEquals(new long[] {4, 5}, mask.shape());
        assertFalse(mask.fortranOrder());
        long[] values = mask.toLongArray();
        assertEquals(1, values[1 * 5 + 2]);
        assertEquals(1, values[3 * 5 + 4]);
        assertEquals(2, Arrays.stream(values).sum());
        assertThrows(UnsupportedOperationException.class, meta::clear);
    }

    @Test
    void protocols2And5GiveTheSameValueAsProtocol4() {
        Object p4 = PickleReader.parse(PickleFixtures.DRAGBENCH_P4);
        assertEquals(p4, PickleReader.parse(PickleFixtures.DRAGBENCH_P2));
        assertEquals(p4, PickleReader.parse(PickleFixtures.DRAGBENCH_P5));
    }

    @Test
    void readsNumpy2ModuleNames() {
        Map<?, ?> meta = (Map<?, ?>) PickleReader.parse(PickleFixtures.NUMPY2_P3);
        NdArray eye = (NdArray) meta.get("mask");
        assertArrayEquals(new int[] {1, 0, 0, 1}, eye.toIntArray());
    }

    @Test
    void numpyScalarsInThePointsBecomeJavaNumbers() {
        Map<?, ?> meta = (Map<?, ?>) PickleReader.parse(PickleFixtures.SCALAR_POINTS_P4);
        assertEquals(List.of(List.of(120L, 200L), List.of(180L, 210.5)), meta.get("points"));
        NdArray mask = (NdArray) meta.get("mask");
        assertEquals("<f4", mask.dtype());
        assertArrayEquals(new long[] {2, 3}, mask.shape());
        assertTrue(EditMask.fromNdArray(mask).isEmpty());
    }

    @Test
    void protocol2FloatMaskSurvivesTheLatin1Detour() {
        Map<?, ?> meta = (Map<?, ?>) PickleReader.parse(PickleFixtures.FLOAT_MASK_P2);
        assertEquals("", meta.get("prompt"));
        assertEquals(List.of(), meta.get("points"));
        NdArray mask = (NdArray) meta.get("mask");
        assertArrayEquals(new float[] {0f, 1f, 0f, 0f, 0f, 0f}, mask.toFloatArray());
        EditMask m = EditMask.fromNdArray(mask);
        assertEquals(1, m.count());
        assertTrue(m.isEditable(1, 0));
    }

    @Test
    void bigEndianDtypeIsHonoured() {
        NdArray a = (NdArray) ((Map<?, ?>) PickleReader.parse(PickleFixtures.BIG_ENDIAN_P4)).get("a");
        assertEquals(">i4", a.dtype());
        assertArrayEquals(new long[] {1, 2, 3, -4}, a.toLongArray());
        assertEquals(-4.0, a.getDouble(3));
    }

    @Test
    void fortranOrderIsIndexedInCOrder() {
        for (byte[] pickle : List.of(PickleFixtures.FORTRAN_P4, PickleFixtures.FORTRAN_P5)) {
            NdArray a = (NdArray) PickleReader.parse(pickle);
            assertTrue(a.fortranOrder());
            assertArrayEquals(new long[] {2, 3}, a.shape());
            assertArrayEquals(new long[] {0, 1, 2, 3, 4, 5}, a.toLongArray());
        }
    }

    @Test
    void plainValues() {
        // (None, True, False, -2, 65535, 2**64, 1.5, b'\x01', (1,)) as a 9-tuple in protocol 4 opcodes
        Object v = PickleReader.parse(bytes("80 04 28 4e 88 89", "4a fe ff ff ff", "4d ff ff",
                "8a 09 00 00 00 00 00 00 00 00 01", "47 3f f8 00 00 00 00 00 00", "43 01 01", "4b 01 85",
                "74 2e"));
        List<?> t = (List<?>) v;
        assertNull(t.get(0));
        assertEquals(Boolean.TRUE, t.get(1));
        assertEquals(Boolean.FALSE, t.get(2));
        assertEquals(-2L, t.get(3));
        assertEquals(65535L, t.get(4));
        assertEquals(BigInteger.ONE.shiftLeft(64), t.get(5));
        assertEquals(1.5, t.get(6));
        assertArrayEquals(new byte[] {1}, (byte[]) t.get(7));
        assertEquals(List.of(1L), t.get(8));
        assertEquals(-1L, PickleReader.parse(bytes("80 02 8a 01 ff 2e")));
        assertEquals(0L, PickleReader.parse(bytes("80 02 8a 00 2e")));
    }

    @Test
    void refusesGlobalsOutsideTheAllowList() {
        // pickle.dumps(os.system('ls')) style payloads: GLOBAL os.system, STACK_GLOBAL builtins.eval
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> PickleReader.parse(
                bytes("80 02 63 `os` 0a `system` 0a 71 00 58 02 00 00 00 `ls` 85 52 2e")));
        assertTrue(e.getMessage().contains("os.system"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> PickleReader.parse(
                bytes("80 04 8c 08 `builtins` 8c 04 `eval` 93 8c 01 `1` 85 52 2e")));
        assertTrue(e.getMessage().contains("builtins.eval"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> PickleReader.parse(
                bytes("80 04 8c 05 `numpy` 8c 04 `load` 93 2e")));
        assertTrue(e.getMessage().contains("numpy.load"), e.getMessage());
    }

    @Test
    void allowedGlobalsOnlyInTheirNumpyRoles() {
        assertThrows(IllegalArgumentException.class, () -> PickleReader.parse(
                bytes("80 02 63 `numpy` 0a `ndarray` 0a 4b 00 85 52 2e")), "ndarray(0)");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> PickleReader.parse(
                bytes("80 02 63 `_codecs` 0a `encode` 0a 58 01 00 00 00 `x` 58 05 00 00 00 `utf-8` 86 52 2e")));
        assertTrue(e.getMessage().contains("latin1"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> PickleReader.parse(
                bytes("80 02 63 `numpy` 0a `dtype` 0a 58 02 00 00 00 `U5` 89 88 87 52 2e")));
        assertTrue(e.getMessage().contains("'U5'"), e.getMessage());
        // dtype('u1') whose state has names ('a',) and fields {}: a structured dtype
        e = assertThrows(IllegalArgumentException.class, () -> PickleReader.parse(bytes(
                "80 02 63 `numpy` 0a `dtype` 0a 58 02 00 00 00 `u1` 89 88 87 52",
                "28 4b 03 58 01 00 00 00 `|` 4e 58 01 00 00 00 `a` 85 7d 4a ff ff ff ff 4a ff ff ff ff 4b 00 74 62 2e")));
        assertTrue(e.getMessage().contains("structured"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> PickleReader.parse(
                bytes("80 02 63 `numpy` 0a `dtype` 0a 2e")));
        assertTrue(e.getMessage().contains("numpy.dtype"), e.getMessage());
    }

    @Test
    void truncatedInputIsAnErrorAtEveryCut() {
        byte[] full = PickleFixtures.DRAGBENCH_P4;
        for (int n = 1; n < full.length; n++) {
            byte[] cut = Arrays.copyOf(full, n);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> PickleReader.parse(cut),
                    "prefix of " + n + " bytes");
            assertTrue(e.getMessage().contains("truncated") || e.getMessage().contains("STOP"), e.getMessage());
        }
        assertThrows(IllegalArgumentException.class, () -> PickleReader.parse(new byte[0]));
    }

    @Test
    void corruptedInputOnlyEverFailsWithIllegalArgument() {
        Random random = new Random(42);
        for (byte[] base : List.of(PickleFixtures.DRAGBENCH_P4, PickleFixtures.DRAGBENCH_P2,
                PickleFixtures.DRAGBENCH_P5, PickleFixtures.SCALAR_POINTS_P4)) {
            for (int trial = 0; trial < 500; trial++) {
                byte[] bad = base.clone();
                for (int k = 0; k < 1 + random.nextInt(3); k++) {
                    bad[random.nextInt(bad.length)] = (byte) random.nextInt(256);
                }
                try {
                    PickleReader.parse(bad);
                } catch (IllegalArgumentException e) {
                    // the only acceptable failure, with a one-line message
                    assertFalse(e.getMessage().contains("\n"), e.getMessage());
                }
            }
        }
    }

    @Test
    void unknownAndUnsupportedOpcodesAreNamed() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> PickleReader.parse(bytes("80 04 ff 2e")));
        assertTrue(e.getMessage().contains("0xff") && e.getMessage().contains("unknown"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> PickleReader.parse(bytes("80 04 8f 2e")));
        assertTrue(e.getMessage().contains("EMPTY_SET"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> PickleReader.parse(bytes("80 05 97 2e")));
        assertTrue(e.getMessage().contains("out-of-band"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> PickleReader.parse(bytes("80 06 4e 2e")));
        assertTrue(e.getMessage().contains("protocol 6"), e.getMessage());
    }

    @Test
    void resourceAbuseIsRefused() {
        // a list that contains itself: EMPTY_LIST; MEMOIZE; BINGET 0; APPEND; STOP
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> PickleReader.parse(bytes("80 04 5d 94 68 00 61 2e")));
        assertTrue(e.getMessage().contains("contains itself"), e.getMessage());
        // 200 nested lists built without MARK
        StringBuilder deep = new StringBuilder("80 04");
        deep.append(" 5d".repeat(200)).append(" 61".repeat(199)).append(" 2e");
        e = assertThrows(IllegalArgumentException.class, () -> PickleReader.parse(bytes(deep.toString())));
        assertTrue(e.getMessage().contains("nested"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> PickleReader.parse(bytes("80 04" + " 28".repeat(101) + " 2e")));
        assertTrue(e.getMessage().contains("MARK"), e.getMessage());
        // lengths beyond the data are refused before allocating
        e = assertThrows(IllegalArgumentException.class,
                () -> PickleReader.parse(bytes("80 04 8e ff ff ff ff ff ff ff 00 2e")));
        assertTrue(e.getMessage().contains("truncated"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> PickleReader.parse(bytes("80 04 8b 00 00 00 10 2e")));
        assertTrue(e.getMessage().contains("LONG4"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> PickleReader.parse(bytes("80 04 68 05 2e")));
        assertTrue(e.getMessage().contains("memo"), e.getMessage());
        byte[] manyNones = new byte[PickleReader.MAX_PUSHES + 10];
        Arrays.fill(manyNones, (byte) 'N');
        e = assertThrows(IllegalArgumentException.class, () -> PickleReader.parse(manyNones));
        assertTrue(e.getMessage().contains("pushes"), e.getMessage());
    }

    @Test
    void fileErrorsNameTheFile() throws IOException {
        Path good = dir.resolve("meta_data.pkl");
        Files.write(good, PickleFixtures.DRAGBENCH_P4);
        assertEquals(PickleReader.parse(PickleFixtures.DRAGBENCH_P4), PickleReader.read(good));
        IOException e = assertThrows(IOException.class, () -> PickleReader.read(good, 100));
        assertTrue(e.getMessage().startsWith(good.toString()) && e.getMessage().contains("limit"), e.getMessage());
        Path evil = dir.resolve("evil.pkl");
        Files.write(evil, bytes("80 02 63 `os` 0a `system` 0a 2e"));
        e = assertThrows(IOException.class, () -> PickleReader.read(evil));
        assertTrue(e.getMessage().startsWith(evil.toString()) && e.getMessage().contains("os.system"), e.getMessage());
        Path missing = dir.resolve("missing.pkl");
        e = assertThrows(IOException.class, () -> PickleReader.read(missing));
        assertTrue(e.getMessage().contains(missing.toString()), e.getMessage());
    }
}
