package org.draglora.engine.io;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Hand-written pickles, one opcode (group) per line, in the byte layout CPython's pickler
 * produces ({@code Lib/pickle.py}, {@code Modules/_pickle.c}; names as {@code pickletools.dis}
 * prints them) with numpy's {@code __reduce__} layouts.
 *
 * <p>Notation of {@link #bytes}: two hex digits per byte, and text between backquotes as UTF-8.
 * Each fixture's SHA-256 (checked in {@code PickleReaderTest}) is that of {@code pickle.dumps}
 * output from CPython 3.11.7 with numpy 2.4.6, where "numpy 1.x names" means the dump ran with
 * {@code _reconstruct.__module__}/{@code scalar.__module__} = {@code 'numpy.core.multiarray'} and
 * {@code _frombuffer.__module__ = 'numpy.core.numeric'}, which is what numpy 1.x itself sets, so
 * the bytes equal those of a numpy 1.x pickle such as DragBench's.
 */
final class PickleFixtures {

    private PickleFixtures() {}

    /**
     * {@code {'prompt': 'a cat', 'points': [[120, 200], [180, 210]], 'mask': m}} with m =
     * {@code np.zeros((4, 5), np.uint8)}, {@code m[1, 2] = m[3, 4] = 1}; protocol 4 (Python 3.8+'s
     * default, what DragBench's labelling tool writes), numpy 1.x names.
     */
    static final byte[] DRAGBENCH_P4 = bytes(
            "80 04", // PROTO 4
            "95 d7 00 00 00 00 00 00 00", // FRAME 215: the rest, up to and including STOP
            "7d 94", // EMPTY_DICT; MEMOIZE 0
            "28", // MARK (the dict's items)
            "8c 06 `prompt` 94", // SHORT_BINUNICODE 'prompt'; MEMOIZE 1
            "8c 05 `a cat` 94", // SHORT_BINUNICODE 'a cat'; MEMOIZE 2
            "8c 06 `points` 94", // SHORT_BINUNICODE 'points'; MEMOIZE 3
            "5d 94 28", // EMPTY_LIST; MEMOIZE 4; MARK
            "5d 94 28 4b 78 4b c8 65", // EMPTY_LIST; MEMOIZE 5; MARK; BININT1 120; BININT1 200; APPENDS
            "5d 94 28 4b b4 4b d2 65", // EMPTY_LIST; MEMOIZE 6; MARK; BININT1 180; BININT1 210; APPENDS
            "65", // APPENDS (the outer list)
            "8c 04 `mask` 94", // SHORT_BINUNICODE 'mask'; MEMOIZE 7
            "8c 15 `numpy.core.multiarray` 94", // SHORT_BINUNICODE; MEMOIZE 8
            "8c 0c `_reconstruct` 94", // SHORT_BINUNICODE; MEMOIZE 9
            "93 94", // STACK_GLOBAL numpy.core.multiarray._reconstruct; MEMOIZE 10
            "8c 05 `numpy` 94 8c 07 `ndarray` 94 93 94", // 'numpy' (11), 'ndarray' (12), STACK_GLOBAL (13)
            "4b 00 85 94", // BININT1 0; TUPLE1 -> (0,); MEMOIZE 14
            "43 01 `b` 94", // SHORT_BINBYTES b'b' (dummy dtype); MEMOIZE 15
            "87 94 52 94", // TUPLE3 (ndarray, (0,), b'b'); MEMOIZE 16; REDUCE; MEMOIZE 17
            "28 4b 01", // MARK (the array state); BININT1 1 (version)
            "4b 04 4b 05 86 94", // shape (4, 5): BININT1 4; BININT1 5; TUPLE2; MEMOIZE 18
            "68 0b 8c 05 `dtype` 94 93 94", // BINGET 11 'numpy'; 'dtype' (19); STACK_GLOBAL numpy.dtype (20)
            "8c 02 `u1` 94 89 88 87 94 52 94", // ('u1', False, True) (21, 22); REDUCE -> dtype (23)
            "28 4b 03 8c 01 `|` 94", // MARK; dtype state version 3; byte order '|' (24)
            "4e 4e 4e", // subarray, names, fields: None
            "4a ff ff ff ff 4a ff ff ff ff 4b 00", // elsize -1; alignment -1; flags 0
            "74 94 62", // TUPLE; MEMOIZE 25; BUILD (the dtype)
            "89", // NEWFALSE: not Fortran order
            "43 14 00 00 00 00 00 00 00 01 00 00 00 00 00 00 00 00 00 00 00 01 94", // SHORT_BINBYTES 20; MEMOIZE 26
            "74 94 62", // TUPLE (the state); MEMOIZE 27; BUILD (the array)
            "75", // SETITEMS
            "2e"); // STOP

    /** The same dict, protocol 2: GLOBAL, BINPUT/BINGET, bytes as {@code _codecs.encode(str, 'latin1')}. */
    static final byte[] DRAGBENCH_P2 = bytes(
            "80 02", // PROTO 2
            "7d 71 00 28", // EMPTY_DICT; BINPUT 0; MARK
            "58 06 00 00 00 `prompt` 71 01", // BINUNICODE 'prompt'; BINPUT 1
            "58 05 00 00 00 `a cat` 71 02", // BINUNICODE 'a cat'; BINPUT 2
            "58 06 00 00 00 `points` 71 03", // BINUNICODE 'points'; BINPUT 3
            "5d 71 04 28", // EMPTY_LIST; BINPUT 4; MARK
            "5d 71 05 28 4b 78 4b c8 65", // [120, 200]
            "5d 71 06 28 4b b4 4b d2 65", // [180, 210]
            "65", // APPENDS
            "58 04 00 00 00 `mask` 71 07", // BINUNICODE 'mask'; BINPUT 7
            "63 `numpy.core.multiarray` 0a `_reconstruct` 0a 71 08", // GLOBAL; BINPUT 8
            "63 `numpy` 0a `ndarray` 0a 71 09", // GLOBAL numpy.ndarray; BINPUT 9
            "4b 00 85 71 0a", // (0,); BINPUT 10
            "63 `_codecs` 0a `encode` 0a 71 0b", // GLOBAL _codecs.encode; BINPUT 11
            "58 01 00 00 00 `b` 71 0c", // BINUNICODE 'b'; BINPUT 12
            "58 06 00 00 00 `latin1` 71 0d", // BINUNICODE 'latin1'; BINPUT 13
            "86 71 0e 52 71 0f", // TUPLE2; BINPUT 14; REDUCE -> b'b'; BINPUT 15
            "87 71 10 52 71 11", // TUPLE3; BINPUT 16; REDUCE -> array; BINPUT 17
            "28 4b 01 4b 04 4b 05 86 71 12", // MARK; version 1; shape (4, 5); BINPUT 18
            "63 `numpy` 0a `dtype` 0a 71 13", // GLOBAL numpy.dtype; BINPUT 19
            "58 02 00 00 00 `u1` 71 14 89 88 87 71 15 52 71 16", // dtype('u1', False, True); BINPUT 22
            "28 4b 03 58 01 00 00 00 `|` 71 17 4e 4e 4e 4a ff ff ff ff 4a ff ff ff ff 4b 00 74 71 18 62", // state; BUILD
            "89", // NEWFALSE
            "68 0b", // BINGET 11 (_codecs.encode)
            "58 14 00 00 00 00 00 00 00 00 00 00 01 00 00 00 00 00 00 00 00 00 00 00 01 71 19", // the data as str
            "68 0d 86 71 1a 52 71 1b", // BINGET 13 'latin1'; TUPLE2; REDUCE -> bytes; BINPUT 27
            "74 71 1c 62", // TUPLE (state); BINPUT 28; BUILD
            "75 2e"); // SETITEMS; STOP

    /** The same dict, protocol 5: numpy's {@code _frombuffer(bytearray, dtype, shape, 'C')} (in-band buffer). */
    static final byte[] DRAGBENCH_P5 = bytes(
            "80 05", // PROTO 5
            "95 c2 00 00 00 00 00 00 00", // FRAME 194
            "7d 94 28", // EMPTY_DICT; MEMOIZE 0; MARK
            "8c 06 `prompt` 94 8c 05 `a cat` 94 8c 06 `points` 94", // memo 1..3
            "5d 94 28 5d 94 28 4b 78 4b c8 65 5d 94 28 4b b4 4b d2 65 65", // [[120, 200], [180, 210]]
            "8c 04 `mask` 94", // 'mask' (7)
            "8c 12 `numpy.core.numeric` 94 8c 0b `_frombuffer` 94 93 94", // STACK_GLOBAL _frombuffer (10)
            "28", // MARK (the arguments)
            "96 14 00 00 00 00 00 00 00", // BYTEARRAY8, 20 bytes:
            "00 00 00 00 00 00 00 01 00 00 00 00 00 00 00 00 00 00 00 01 94", // ... MEMOIZE 11
            "8c 05 `numpy` 94 8c 05 `dtype` 94 93 94", // numpy.dtype (14)
            "8c 02 `u1` 94 89 88 87 94 52 94", // dtype('u1', False, True) (17)
            "28 4b 03 8c 01 `|` 94 4e 4e 4e 4a ff ff ff ff 4a ff ff ff ff 4b 00 74 94 62", // state; BUILD
            "4b 04 4b 05 86 94", // shape (4, 5)
            "8c 01 `C` 94", // order 'C'
            "74 94 52 94", // TUPLE (4 arguments); REDUCE
            "75 2e"); // SETITEMS; STOP

    /**
     * {@code {'prompt': 'a cat', 'points': [[np.int64(120), np.int64(200)], [np.int64(180), np.float64(210.5)]],
     * 'mask': np.zeros((2, 3), np.float32)}}, protocol 4, numpy 1.x names: numpy scalars in the
     * points, a float32 mask of zeros (what the labelling tool stores when nothing was drawn).
     */
    static final byte[] SCALAR_POINTS_P4 = bytes(
            "80 04 95 6e 01 00 00 00 00 00 00", // PROTO 4; FRAME 366
            "7d 94 28 8c 06 `prompt` 94 8c 05 `a cat` 94 8c 06 `points` 94", // memo 0..3
            "5d 94 28 5d 94 28", // outer list (4), MARK, first point list (5), MARK
            "8c 15 `numpy.core.multiarray` 94 8c 06 `scalar` 94 93 94", // STACK_GLOBAL scalar (8)
            "8c 05 `numpy` 94 8c 05 `dtype` 94 93 94", // numpy.dtype (11)
            "8c 02 `i8` 94 89 88 87 94 52 94", // dtype('i8', False, True) -> memo 14
            "28 4b 03 8c 01 `<` 94 4e 4e 4e 4a ff ff ff ff 4a ff ff ff ff 4b 00 74 94 62", // '<' (15); BUILD
            "43 08 78 00 00 00 00 00 00 00 94 86 94 52 94", // scalar(int64, 120 LE); REDUCE
            "68 08 68 0e 43 08 c8 00 00 00 00 00 00 00 94 86 94 52 94", // BINGET scalar, BINGET int64: 200
            "65", // APPENDS
            "5d 94 28", // second point list
            "68 08 68 0e 43 08 b4 00 00 00 00 00 00 00 94 86 94 52 94", // int64 180
            "68 08 68 0b 8c 02 `f8` 94 89 88 87 94 52 94", // scalar; dtype('f8', False, True)
            "28 4b 03 68 0f 4e 4e 4e 4a ff ff ff ff 4a ff ff ff ff 4b 00 74 94 62", // state, BINGET 15 '<'
            "43 08 00 00 00 00 00 50 6a 40 94 86 94 52 94", // float64 210.5 LE
            "65 65", // APPENDS; APPENDS
            "8c 04 `mask` 94", // 'mask'
            "68 06 8c 0c `_reconstruct` 94 93 94", // BINGET 6 'numpy.core.multiarray'; _reconstruct
            "68 09 8c 07 `ndarray` 94 93 94", // BINGET 9 'numpy'; ndarray
            "4b 00 85 94 43 01 `b` 94 87 94 52 94", // (ndarray, (0,), b'b'); REDUCE
            "28 4b 01 4b 02 4b 03 86 94", // MARK; version 1; shape (2, 3)
            "68 0b 8c 02 `f4` 94 89 88 87 94 52 94", // BINGET 11 numpy.dtype; dtype('f4', False, True)
            "28 4b 03 68 0f 4e 4e 4e 4a ff ff ff ff 4a ff ff ff ff 4b 00 74 94 62", // state '<'; BUILD
            "89 43 18", // NEWFALSE; SHORT_BINBYTES 24:
            "00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 94",
            "74 94 62 75 2e"); // TUPLE; BUILD; SETITEMS; STOP

    /**
     * {@code {'prompt': '', 'points': [], 'mask': m}}, m = {@code np.zeros((2, 3), np.float32)},
     * {@code m[0, 1] = 1.0}; protocol 2: the raw float bytes travel as a latin-1 str, so byte 0x80 of
     * 1.0f (00 00 80 3f) becomes UTF-8 c2 80.
     */
    static final byte[] FLOAT_MASK_P2 = bytes(
            "80 02 7d 71 00 28", // PROTO 2; EMPTY_DICT; BINPUT 0; MARK
            "58 06 00 00 00 `prompt` 71 01 58 00 00 00 00 71 02", // 'prompt': ''
            "58 06 00 00 00 `points` 71 03 5d 71 04", // 'points': [] (no MARK/APPENDS for an empty list)
            "58 04 00 00 00 `mask` 71 05",
            "63 `numpy.core.multiarray` 0a `_reconstruct` 0a 71 06 63 `numpy` 0a `ndarray` 0a 71 07",
            "4b 00 85 71 08 63 `_codecs` 0a `encode` 0a 71 09", // (0,); _codecs.encode
            "58 01 00 00 00 `b` 71 0a 58 06 00 00 00 `latin1` 71 0b 86 71 0c 52 71 0d", // b'b'
            "87 71 0e 52 71 0f", // _reconstruct(...)
            "28 4b 01 4b 02 4b 03 86 71 10", // MARK; version 1; shape (2, 3)
            "63 `numpy` 0a `dtype` 0a 71 11 58 02 00 00 00 `f4` 71 12 89 88 87 71 13 52 71 14",
            "28 4b 03 58 01 00 00 00 `<` 71 15 4e 4e 4e 4a ff ff ff ff 4a ff ff ff ff 4b 00 74 71 16 62",
            "89 68 09", // NEWFALSE; BINGET 9 _codecs.encode
            "58 19 00 00 00", // BINUNICODE of 25 UTF-8 bytes (24 latin-1 characters):
            "00 00 00 00 00 00 c2 80 3f 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 71 17",
            "68 0b 86 71 18 52 71 19", // BINGET 11 'latin1'; TUPLE2; REDUCE
            "74 71 1a 62 75 2e"); // TUPLE; BUILD; SETITEMS; STOP

    /** {@code {'a': np.array([[1, 2], [3, -4]], dtype='>i4')}}, protocol 4: a big-endian dtype. */
    static final byte[] BIG_ENDIAN_P4 = bytes(
            "80 04 95 a1 00 00 00 00 00 00 00", // PROTO 4; FRAME 161
            "7d 94 8c 01 `a` 94", // EMPTY_DICT; 'a'
            "8c 15 `numpy.core.multiarray` 94 8c 0c `_reconstruct` 94 93 94",
            "8c 05 `numpy` 94 8c 07 `ndarray` 94 93 94 4b 00 85 94 43 01 `b` 94 87 94 52 94",
            "28 4b 01 4b 02 4b 02 86 94", // MARK; version 1; shape (2, 2)
            "68 05 8c 05 `dtype` 94 93 94 8c 02 `i4` 94 89 88 87 94 52 94", // dtype('i4', False, True)
            "28 4b 03 8c 01 `>` 94 4e 4e 4e 4a ff ff ff ff 4a ff ff ff ff 4b 00 74 94 62", // byte order '>'
            "89 43 10 00 00 00 01 00 00 00 02 00 00 00 03 ff ff ff fc 94", // big-endian 1, 2, 3, -4
            "74 94 62", // TUPLE; BUILD
            "73 2e"); // SETITEM (one item); STOP

    /** {@code np.asfortranarray(np.arange(6, dtype=np.uint8).reshape(2, 3))}, protocol 4: is_fortran True. */
    static final byte[] FORTRAN_P4 = bytes(
            "80 04 95 90 00 00 00 00 00 00 00", // PROTO 4; FRAME 144
            "8c 15 `numpy.core.multiarray` 94 8c 0c `_reconstruct` 94 93 94",
            "8c 05 `numpy` 94 8c 07 `ndarray` 94 93 94 4b 00 85 94 43 01 `b` 94 87 94 52 94",
            "28 4b 01 4b 02 4b 03 86 94", // shape (2, 3)
            "68 03 8c 05 `dtype` 94 93 94 8c 02 `u1` 94 89 88 87 94 52 94",
            "28 4b 03 8c 01 `|` 94 4e 4e 4e 4a ff ff ff ff 4a ff ff ff ff 4b 00 74 94 62",
            "88", // NEWTRUE: Fortran order
            "43 06 00 03 01 04 02 05 94", // column by column: [[0, 1, 2], [3, 4, 5]]
            "74 94 62 2e"); // TUPLE; BUILD; STOP

    /** The same Fortran-ordered array, protocol 5: {@code _frombuffer(..., 'F')}. */
    static final byte[] FORTRAN_P5 = bytes(
            "80 05 95 7b 00 00 00 00 00 00 00", // PROTO 5; FRAME 123
            "8c 12 `numpy.core.numeric` 94 8c 0b `_frombuffer` 94 93 94 28",
            "96 06 00 00 00 00 00 00 00 00 03 01 04 02 05 94", // BYTEARRAY8 (the transposed, C-contiguous buffer)
            "8c 05 `numpy` 94 8c 05 `dtype` 94 93 94 8c 02 `u1` 94 89 88 87 94 52 94",
            "28 4b 03 8c 01 `|` 94 4e 4e 4e 4a ff ff ff ff 4a ff ff ff ff 4b 00 74 94 62",
            "4b 02 4b 03 86 94 8c 01 `F` 94", // shape (2, 3); order 'F'
            "74 94 52 94 2e"); // TUPLE; REDUCE; STOP

    /**
     * {@code {'prompt': 'a cat', 'points': [[120, 200], [180, 210]], 'mask': np.eye(2, dtype=np.uint8)}},
     * protocol 3 (no frames, BINPUT), numpy 2.x names ({@code numpy._core.multiarray}).
     */
    static final byte[] NUMPY2_P3 = bytes(
            "80 03 7d 71 00 28", // PROTO 3; EMPTY_DICT; BINPUT 0; MARK
            "58 06 00 00 00 `prompt` 71 01 58 05 00 00 00 `a cat` 71 02 58 06 00 00 00 `points` 71 03",
            "5d 71 04 28 5d 71 05 28 4b 78 4b c8 65 5d 71 06 28 4b b4 4b d2 65 65",
            "58 04 00 00 00 `mask` 71 07",
            "63 `numpy._core.multiarray` 0a `_reconstruct` 0a 71 08", // GLOBAL (numpy 2 module name)
            "63 `numpy` 0a `ndarray` 0a 71 09 4b 00 85 71 0a 43 01 `b` 71 0b 87 71 0c 52 71 0d",
            "28 4b 01 4b 02 4b 02 86 71 0e", // shape (2, 2)
            "63 `numpy` 0a `dtype` 0a 71 0f 58 02 00 00 00 `u1` 71 10 89 88 87 71 11 52 71 12",
            "28 4b 03 58 01 00 00 00 `|` 71 13 4e 4e 4e 4a ff ff ff ff 4a ff ff ff ff 4b 00 74 71 14 62",
            "89 43 04 01 00 00 01 71 15", // SHORT_BINBYTES (protocol 3+) [[1, 0], [0, 1]]
            "74 71 16 62 75 2e");

    /**
     * The protocol-4 pickle Python writes for a DragBench {@code meta_data.pkl}
     * {@code {'prompt': prompt, 'points': points, 'mask': mask}} with an H x W uint8 mask and
     * non-negative int coordinates (python ints, as the labelling tool stores gradio clicks).
     * Reproduces CPython's framing: bytes of 64 KiB or more leave the frame ({@code _pickle.c}
     * {@code _Pickler_write_bytes}), and a frame under 4 bytes gets no FRAME header.
     */
    static byte[] dragBenchMeta(String prompt, int[][] points, int height, int width, byte[] mask) {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int memo = 0;
        write(head, 0x7d, 0x94, 0x28); // EMPTY_DICT; MEMOIZE; MARK
        memo++;
        shortString(head, "prompt");
        string(head, prompt);
        shortString(head, "points");
        memo += 3;
        write(head, 0x5d, 0x94); // EMPTY_LIST; MEMOIZE
        memo++;
        if (points.length > 1) {
            write(head, 0x28); // MARK
        }
        for (int[] p : points) {
            write(head, 0x5d, 0x94, 0x28); // EMPTY_LIST; MEMOIZE; MARK
            memo++;
            integer(head, p[0]);
            integer(head, p[1]);
            write(head, 0x65); // APPENDS
            if (points.length == 1) {
                write(head, 0x61); // APPEND
            }
        }
        if (points.length > 1) {
            write(head, 0x65); // APPENDS
        }
        shortString(head, "mask");
        shortString(head, "numpy.core.multiarray");
        shortString(head, "_reconstruct");
        write(head, 0x93, 0x94); // STACK_GLOBAL; MEMOIZE
        int numpy = memo + 4; // memo index of the 'numpy' string
        shortString(head, "numpy");
        shortString(head, "ndarray");
        write(head, 0x93, 0x94, 0x4b, 0x00, 0x85, 0x94, 0x43, 0x01, 'b', 0x94, 0x87, 0x94, 0x52, 0x94, 0x28);
        integer(head, 1);
        integer(head, height);
        integer(head, width);
        write(head, 0x86, 0x94, 0x68, numpy); // TUPLE2; MEMOIZE; BINGET 'numpy'
        shortString(head, "dtype");
        write(head, 0x93, 0x94);
        shortString(head, "u1");
        write(head, 0x89, 0x88, 0x87, 0x94, 0x52, 0x94, 0x28, 0x4b, 0x03);
        shortString(head, "|");
        write(head, 0x4e, 0x4e, 0x4e, 0x4a, 0xff, 0xff, 0xff, 0xff, 0x4a, 0xff, 0xff, 0xff, 0xff, 0x4b, 0x00,
                0x74, 0x94, 0x62, 0x89);
        byte[] tail = {(byte) 0x94, 0x74, (byte) 0x94, 0x62, 0x75, 0x2e}; // MEMOIZE; TUPLE; MEMOIZE; BUILD; SETITEMS; STOP
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        write(out, 0x80, 0x04);
        if (mask.length >= 65536) {
            frame(out, head.toByteArray());
            write(out, 0x42);
            out.writeBytes(le(mask.length, 4)); // BINBYTES, outside any frame
            out.writeBytes(mask);
            frame(out, tail);
        } else {
            if (mask.length < 256) {
                write(head, 0x43, mask.length);
            } else {
                write(head, 0x42);
                head.writeBytes(le(mask.length, 4));
            }
            head.writeBytes(mask);
            head.writeBytes(tail);
            frame(out, head.toByteArray());
        }
        return out.toByteArray();
    }

    private static void frame(ByteArrayOutputStream out, byte[] body) {
        if (body.length >= 4) {
            write(out, 0x95);
            out.writeBytes(le(body.length, 8));
        }
        out.writeBytes(body);
    }

    private static void shortString(ByteArrayOutputStream out, String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        write(out, 0x8c, b.length);
        out.writeBytes(b);
        write(out, 0x94);
    }

    private static void string(ByteArrayOutputStream out, String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        if (b.length < 256) {
            shortString(out, s);
            return;
        }
        write(out, 0x58);
        out.writeBytes(le(b.length, 4));
        out.writeBytes(b);
        write(out, 0x94);
    }

    private static void integer(ByteArrayOutputStream out, int v) {
        if (v < 256) {
            write(out, 0x4b, v); // BININT1
        } else if (v < 65536) {
            write(out, 0x4d, v & 0xff, v >>> 8); // BININT2
        } else {
            write(out, 0x4a);
            out.writeBytes(le(v, 4)); // BININT
        }
    }

    private static byte[] le(long v, int n) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) (v >>> (8 * i));
        }
        return b;
    }

    private static void write(ByteArrayOutputStream out, int... values) {
        for (int v : values) {
            out.write(v);
        }
    }

    /** Hex digit pairs, with text between backquotes written as UTF-8; spaces are ignored. */
    static byte[] bytes(String... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (String part : parts) {
            int i = 0;
            while (i < part.length()) {
                char c = part.charAt(i);
                if (c == ' ') {
                    i++;
                } else if (c == '`') {
                    int end = part.indexOf('`', i + 1);
                    out.writeBytes(part.substring(i + 1, end).getBytes(StandardCharsets.UTF_8));
                    i = end + 1;
                } else {
                    out.write(Integer.parseInt(part.substring(i, i + 2), 16));
                    i += 2;
                }
            }
        }
        return out.toByteArray();
    }

    /** Lower-case hex SHA-256. */
    static String sha256(byte[] data) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
