package org.draglora.engine.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link PickleWriter}: byte-for-byte against CPython and round trips through {@link PickleReader}.
 *
 * <p>The expected bytes are {@code pickle.dumps(value, 3)} from CPython 3.11.7 with numpy 2.4.6,
 * run with {@code np._core.multiarray._reconstruct.__module__ = 'numpy.core.multiarray'} (numpy 1.x's
 * name, see {@link PickleFixtures}). Python builds a new {@code []}/{@code {}} for each literal, so
 * the Java values use a new ArrayList/LinkedHashMap for each empty container: {@code List.of()} is
 * one shared instance, which the writer (like CPython for a shared object) would write once and
 * then reference.
 */
class PickleWriterTest {

    @TempDir
    Path dir;

    /**
     * {@code {'prompt': 'Zürich ☃ 𝄞', 'ints': [0, 1, 255, 256, 65535, 65536, -1, -129, 2**31-1, -2**31,
     * 2**31, -2**31-1, 2**63-1, -2**63, 2**64, -2**100], 'floats': [0.5, -0.0, 1e300, -2.25],
     * 'flags': [True, False, None], 'bytes': b'\x00\x01\xfe\xff', 'empty': [], 'one': ['x'],
     * 'single': {'k': 7}, 'nested': {'a': {}, 'b': [[], {}]}}}.
     */
    private static final String PLAIN_P3 = "80037d710028580600000070726f6d7074710158100000005ac3bc7269636820e2988320f09d849e7102580400000069"
            + "6e747371035d7104284b004b014bff4d00014dffff4a000001004affffffff4a7fffffff4affffff7f4a000000808a05"
            + "00000080008a05ffffff7fff8a08ffffffffffffff7f8a0800000000000000808a090000000000000000018a0d000000"
            + "000000000000000000f0655806000000666c6f61747371055d710628473fe0000000000000478000000000000000477e"
            + "37e43c8800759c47c002000000000000655805000000666c61677371075d71082888894e655805000000627974657371"
            + "0943040001feff710a5805000000656d707479710b5d710c58030000006f6e65710d5d710e580100000078710f615806"
            + "00000073696e676c6571107d711158010000006b71124b077358060000006e657374656471137d711428580100000061"
            + "71157d711658010000006271175d7118285d71197d711a6575752e";

    /**
     * {@code [a, f, b, be1, be2, z, a, u, e]}: a = {@code np.arange(6, dtype='<f4').reshape(2, 3)},
     * f = {@code np.asfortranarray(np.arange(6, dtype='<u2').reshape(2, 3))}, b = {@code np.array([True,
     * False, True])}, be1 = {@code np.arange(3, dtype='>i8')}, be2 = {@code np.zeros(2, dtype='>i8')},
     * z = {@code np.array(-7, dtype='i1')}, u = {@code np.asfortranarray(np.ones((1, 4), np.uint8))}
     * (both C and Fortran order, so written as C), e = {@code np.zeros((0, 3), np.uint8)}. Shows what
     * CPython shares: the repeated array a, the globals, b'b', the byte-order strs and the native
     * dtypes (u1 of u reused by e), but not the big-endian dtypes.
     */
    private static final String ARRAYS_P3 = "80035d710028636e756d70792e636f72652e6d756c746961727261790a5f7265636f6e7374727563740a7101636e756d"
            + "70790a6e6461727261790a71024b008571034301627104877105527106284b014b024b03867107636e756d70790a6474"
            + "7970650a7108580200000066347109898887710a52710b284b0358010000003c710c4e4e4e4affffffff4affffffff4b"
            + "0074710d62894318000000000000803f0000004000004040000080400000a040710e74710f62680168024b0085711068"
            + "04877111527112284b014b024b0386711368085802000000753271148988877115527116284b03680c4e4e4e4affffff"
            + "ff4affffffff4b007471176288430c000003000100040002000500711874711962680168024b0085711a680487711b52"
            + "711c284b014b0385711d680858020000006231711e898887711f527120284b0358010000007c71214e4e4e4affffffff"
            + "4affffffff4b0074712262894303010001712374712462680168024b008571256804877126527127284b014b03857128"
            + "6808580200000069387129898887712a52712b284b0358010000003e712c4e4e4e4affffffff4affffffff4b0074712d"
            + "62894318000000000000000000000000000000010000000000000002712e74712f62680168024b008571306804877131"
            + "527132284b014b0285713368085802000000693871348988877135527136284b03682c4e4e4e4affffffff4affffffff"
            + "4b007471376289431000000000000000000000000000000000713874713962680168024b0085713a680487713b52713c"
            + "284b0129680858020000006931713d898887713e52713f284b0368214e4e4e4affffffff4affffffff4b007471406289"
            + "4301f97141747142626806680168024b008571436804877144527145284b014b014b0486714668085802000000753171"
            + "478988877148527149284b0368214e4e4e4affffffff4affffffff4b0074714a6289430401010101714b74714c626801"
            + "68024b0085714d680487714e52714f284b014b004b038671506849894300715174715262652e";

    private static final BigInteger TWO_64 = BigInteger.ONE.shiftLeft(64);
    private static final BigInteger MINUS_TWO_100 = BigInteger.ONE.shiftLeft(100).negate();

    private static Map<String, Object> plainValue() {
        Map<String, Object> v = new LinkedHashMap<>();
        v.put("prompt", "Zürich ☃ 𝄞");
        v.put("ints", List.<Object>of(0, 1, 255, 256, 65535, 65536, -1, -129, Integer.MAX_VALUE, Integer.MIN_VALUE,
                1L << 31, -(1L << 31) - 1, Long.MAX_VALUE, Long.MIN_VALUE, TWO_64, MINUS_TWO_100));
        v.put("floats", List.<Object>of(0.5, -0.0, 1e300, -2.25f));
        v.put("flags", Arrays.asList(true, false, null));
        v.put("bytes", new byte[] {0, 1, (byte) 0xfe, (byte) 0xff});
        v.put("empty", new ArrayList<>());
        v.put("one", List.of("x"));
        v.put("single", Map.of("k", 7));
        Map<String, Object> nested = new LinkedHashMap<>();
        nested.put("a", new LinkedHashMap<>());
        nested.put("b", List.of(new ArrayList<>(), new LinkedHashMap<>()));
        v.put("nested", nested);
        return v;
    }

    @Test
    void plainDataIsWhatCPythonWrites() {
        assertEquals(PLAIN_P3, HexFormat.of().formatHex(PickleWriter.toBytes(plainValue())));
    }

    @Test
    void batchesAndLongMemoIndicesAreWhatCPythonWrites() {
        // big = {'l': list(range(1001)), 'd': {i: -i for i in range(1000)}, 'd2': {i: i for i in range(2500)},
        //        'strs': strs, 'blob': bytes(range(256)) * 2} with strs = ['s%d' % i for i in range(300)]
        //        and strs.append(strs[-1]): APPENDS/SETITEMS batches of 1000 (a full last dict batch is
        //        followed by an empty MARK SETITEMS), LONG_BINPUT/LONG_BINGET past memo index 255, BINBYTES
        List<Object> l = new ArrayList<>();
        for (int i = 0; i <= 1000; i++) {
            l.add(i);
        }
        Map<Object, Object> d = new LinkedHashMap<>();
        for (int i = 0; i < 1000; i++) {
            d.put(i, -i);
        }
        Map<Object, Object> d2 = new LinkedHashMap<>();
        for (int i = 0; i < 2500; i++) {
            d2.put(i, i);
        }
        List<Object> strs = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            strs.add("s" + i);
        }
        strs.add(strs.get(299));
        byte[] blob = new byte[512];
        for (int i = 0; i < blob.length; i++) {
            blob[i] = (byte) i;
        }
        Map<String, Object> big = new LinkedHashMap<>();
        big.put("l", l);
        big.put("d", d);
        big.put("d2", d2);
        big.put("strs", strs);
        big.put("blob", blob);
        byte[] pickle = PickleWriter.toBytes(big);
        assertEquals(28938, pickle.length);
        assertEquals("342828535d65158f481715d28fe6c777fa5eb991bd15e9c009d9ab5132fd0bf7", PickleFixtures.sha256(pickle));
        Map<?, ?> back = (Map<?, ?>) PickleReader.parse(pickle);
        assertEquals(1001, ((List<?>) back.get("l")).size());
        assertEquals(-999L, ((Map<?, ?>) back.get("d")).get(999L));
        assertEquals(2500, ((Map<?, ?>) back.get("d2")).size());
        List<?> strsBack = (List<?>) back.get("strs");
        assertEquals(301, strsBack.size());
        assertEquals("s299", strsBack.get(300));
        assertArrayEquals(blob, (byte[]) back.get("blob"));
    }

    @Test
    void numpyArraysAreWhatCPythonAndNumpyWrite() {
        NdArray a = new NdArray("<f4", new long[] {2, 3}, false, le(4, 0f, 1f, 2f, 3f, 4f, 5f));
        NdArray f = new NdArray("<u2", new long[] {2, 3}, true, ByteBuffer.wrap(HexFormat.of().parseHex(
                "000003000100040002000500"))); // [[0, 1, 2], [3, 4, 5]] stored column by column
        NdArray b = new NdArray("|b1", new long[] {3}, false, ByteBuffer.wrap(new byte[] {1, 0, 1}));
        NdArray be1 = new NdArray(">i8", new long[] {3}, false,
                ByteBuffer.allocate(24).order(ByteOrder.BIG_ENDIAN).putLong(0).putLong(1).putLong(2).flip());
        NdArray be2 = new NdArray(">i8", new long[] {2}, false, ByteBuffer.allocate(16));
        NdArray z = new NdArray("|i1", new long[0], false, ByteBuffer.wrap(new byte[] {-7}));
        NdArray u = new NdArray("|u1", new long[] {1, 4}, true, ByteBuffer.wrap(new byte[] {1, 1, 1, 1}));
        NdArray e = new NdArray("|u1", new long[] {0, 3}, false, ByteBuffer.allocate(0));
        List<Object> arrays = List.of(a, f, b, be1, be2, z, a, u, e);
        byte[] pickle = PickleWriter.toBytes(arrays);
        assertEquals(ARRAYS_P3, HexFormat.of().formatHex(pickle));

        List<?> back = (List<?>) PickleReader.parse(pickle);
        assertEquals(List.of(a, f, b, be1, be2, z, a), back.subList(0, 7));
        assertSame(back.get(0), back.get(6), "the repeated array is one object again");
        assertArrayEquals(new long[] {0, 1, 2, 3, 4, 5}, ((NdArray) back.get(1)).toLongArray());
        NdArray uBack = (NdArray) back.get(7);
        assertFalse(uBack.fortranOrder(), "a (1, 4) array is C order as well; numpy writes is_fortran False");
        assertEquals(new NdArray("|u1", new long[] {1, 4}, false, u.data()), uBack);
        assertEquals(e, back.get(8));
    }

    @Test
    void plainDataRoundTripsThroughTheReader() {
        Map<?, ?> back = (Map<?, ?>) PickleReader.parse(PickleWriter.toBytes(plainValue()));
        assertEquals(List.of("prompt", "ints", "floats", "flags", "bytes", "empty", "one", "single", "nested"),
                List.copyOf(back.keySet()));
        assertEquals("Zürich ☃ 𝄞", back.get("prompt"));
        assertEquals(List.<Object>of(0L, 1L, 255L, 256L, 65535L, 65536L, -1L, -129L, (long) Integer.MAX_VALUE,
                (long) Integer.MIN_VALUE, 1L << 31, -(1L << 31) - 1, Long.MAX_VALUE, Long.MIN_VALUE, TWO_64,
                MINUS_TWO_100), back.get("ints"));
        assertEquals(List.of(0.5, -0.0, 1e300, -2.25), back.get("floats"));
        assertEquals(Arrays.asList(true, false, null), back.get("flags"));
        assertArrayEquals(new byte[] {0, 1, (byte) 0xfe, (byte) 0xff}, (byte[]) back.get("bytes"));
        assertEquals(List.of(), back.get("empty"));
        assertEquals(List.of("x"), back.get("one"));
        assertEquals(Map.of("k", 7L), back.get("single"));
        assertEquals(Map.of("a", Map.of(), "b", List.of(List.of(), Map.of())), back.get("nested"));
    }

    @Test
    void scalarsAndEdgeValuesRoundTrip() {
        List<Object> values = Arrays.asList(null, true, "", "\u0000\n'\"\\", "日本語テキスト", "😀".repeat(100),
                "a".repeat(70_000), (short) -3, (byte) 100, 3.5f, Double.NaN, Double.NEGATIVE_INFINITY,
                Double.MIN_VALUE, BigInteger.valueOf(5), BigInteger.valueOf(-70_000), BigInteger.valueOf(Long.MIN_VALUE),
                BigInteger.ONE.shiftLeft(8 * 300), new byte[0], new byte[300]);
        List<?> back = (List<?>) PickleReader.parse(PickleWriter.toBytes(values));
        assertEquals(values.size(), back.size());
        for (int i = 0; i < values.size(); i++) {
            Object want = values.get(i);
            if (want instanceof byte[]) {
                assertArrayEquals((byte[]) want, (byte[]) back.get(i));
            } else if (want instanceof Float || want instanceof Double) {
                assertEquals(((Number) want).doubleValue(), (Double) back.get(i));
            } else if (want instanceof Short || want instanceof Byte) {
                assertEquals(((Number) want).longValue(), back.get(i));
            } else if (want instanceof BigInteger && ((BigInteger) want).bitLength() < 64) {
                assertEquals(((BigInteger) want).longValue(), back.get(i));
            } else {
                assertEquals(want, back.get(i));
            }
        }
        assertNull(PickleReader.parse(PickleWriter.toBytes(null)));
        assertEquals("x", PickleReader.parse(PickleWriter.toBytes("x")));
    }

    @Test
    void aSharedObjectIsWrittenOnceAndReadBackShared() {
        List<Object> inner = new ArrayList<>(List.of(1, 2));
        String text = "shared text";
        byte[] bytes = {1, 2, 3};
        List<Object> outer = List.of(inner, inner, text, text, bytes, bytes);
        byte[] pickle = PickleWriter.toBytes(outer);
        byte[] unshared = PickleWriter.toBytes(List.of(inner, new ArrayList<>(inner), text, new String(text), bytes,
                bytes.clone()));
        assertTrue(pickle.length < unshared.length);
        List<?> back = (List<?>) PickleReader.parse(pickle);
        assertSame(back.get(0), back.get(1));
        assertSame(back.get(4), back.get(5));
        assertEquals(List.of(1L, 2L), back.get(0));
        assertEquals(text, back.get(3));
    }

    @Test
    void refusesWhatTheReaderWouldRefuse() {
        expect(Map.of("a", List.of(1, Set.of(2))), "value['a'][1] is a java.util.ImmutableCollections$Set12");
        expect(List.of('c'), "value[0] is a java.lang.Character");
        List<Object> loop = new ArrayList<>();
        loop.add(1);
        loop.add(loop);
        expect(loop, "value[1] contains itself");
        Map<Object, Object> listKey = new LinkedHashMap<>();
        listKey.put(List.of(1), 2);
        expect(listKey, "value has a key of type");
        expect(List.of("\ud800"), "value[0] is a string with an unpaired surrogate");
        expect(BigInteger.ONE.shiftLeft(8 * 5000), "is an int of 5001 bytes; PickleReader reads at most 4096");

        Object deep = 1;
        for (int i = 0; i < PickleReader.MAX_DEPTH; i++) {
            deep = List.of(deep);
        }
        assertEquals(1L, unwrap(PickleReader.parse(PickleWriter.toBytes(deep)), PickleReader.MAX_DEPTH));
        expect(List.of(deep), "nested more than 100 containers deep");
        // lists of two items each open a MARK; an array adds two more (its state and its dtype's state)
        Object marks = new NdArray("|u1", new long[] {1}, false, ByteBuffer.wrap(new byte[] {9}));
        for (int i = 0; i < PickleReader.MAX_DEPTH - 2; i++) {
            marks = Arrays.asList(marks, 0);
        }
        NdArray deepest = (NdArray) unwrap(PickleReader.parse(PickleWriter.toBytes(marks)), PickleReader.MAX_DEPTH - 2);
        assertEquals(9L, deepest.getLong(0));
        expect(Arrays.asList(marks, 0), "needs more than 100 nested MARKs");
    }

    @Test
    void writesFilesAtomically() throws IOException {
        Path file = dir.resolve("a/b/value.pkl");
        PickleWriter.write(Map.of("k", List.of(1.5)), file);
        assertEquals(Map.of("k", List.of(1.5)), PickleReader.read(file));
        PickleWriter.write("again", file);
        assertEquals("again", PickleReader.read(file));
        try (var files = Files.list(file.getParent())) {
            assertEquals(List.of(file), files.toList());
        }
    }

    private static Object unwrap(Object o, int levels) {
        for (int i = 0; i < levels; i++) {
            o = ((List<?>) o).get(0);
        }
        return o;
    }

    private static void expect(Object value, String message) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> PickleWriter.toBytes(value));
        assertTrue(e.getMessage().contains(message), e.getMessage());
    }

    private static ByteBuffer le(int size, float... values) {
        ByteBuffer b = ByteBuffer.allocate(size * values.length).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : values) {
            b.putFloat(v);
        }
        return b.flip();
    }
}
