package org.draglora.engine.io;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A minimal, safe reader for Python pickles of plain data and numpy arrays, enough for DragBench's
 * {@code meta_data.pkl} ({@code {'prompt': str, 'points': [[x, y], ...], 'mask': ndarray}},
 * ALGORITHM.md §11.1) as {@code pickle.dump} writes it with protocol 2, 3, 4 or 5.
 *
 * <p>It never instantiates a class named by the pickle. A {@code GLOBAL}/{@code STACK_GLOBAL}
 * must name one entry of a fixed allow-list, which {@link PickleGlobals} implements in Java:
 * numpy's array reconstruction ({@code numpy.core.multiarray._reconstruct}, its numpy 2 spelling
 * {@code numpy._core.multiarray._reconstruct}, {@code numpy.ndarray}, {@code numpy.dtype}), numpy
 * scalars ({@code numpy[._]core.multiarray.scalar}), protocol 5's {@code numpy[._]core.numeric._frombuffer},
 * and the two ways protocol 2 spells bytes ({@code _codecs.encode(str, 'latin1')},
 * {@code __builtin__.bytes}/{@code bytearray}). Any other global is refused with an error naming
 * it ({@code module.name}) before anything is called.
 *
 * <p>Results are plain Java values: dict -> unmodifiable {@code Map<Object, Object>} (insertion
 * order), list and tuple -> unmodifiable {@code List<Object>}, str -> {@code String}, int ->
 * {@code Long} or {@code BigInteger} beyond 64 bits, float -> {@code Double}, bool -> {@code Boolean},
 * None -> {@code null}, bytes and bytearray -> {@code byte[]}, ndarray -> {@link NdArray}, numpy
 * integer/float/bool scalars -> {@code Long}/{@code Double}/{@code Boolean}.
 *
 * <p>Limits against hostile input: the file size (256 MiB by default), 1,000,000 stack pushes and
 * memo entries, 100 levels of MARK and of container nesting, 4 KiB integers; every length field
 * is checked against the bytes left before anything is allocated. Recursive containers are refused.
 * Out-of-band buffers (protocol 5 {@code NEXT_BUFFER}) are not supported.
 *
 * <p>Errors: {@link #parse(byte[])} throws {@link IllegalArgumentException}; {@link #read(Path)}
 * throws {@link IOException} whose message starts with the file.
 */
public final class PickleReader {

    /** Default largest file {@link #read(Path)} accepts. */
    public static final long DEFAULT_MAX_BYTES = 256L << 20;

    static final int MAX_PUSHES = 1_000_000;
    static final int MAX_DEPTH = 100;
    static final int MAX_LONG_BYTES = 4096;
    private static final int MAX_GLOBAL_LINE = 1024;

    private final byte[] in;
    private int pos;
    private ArrayList<Object> stack = new ArrayList<>();
    private final ArrayDeque<ArrayList<Object>> metastack = new ArrayDeque<>();
    private final Map<Long, Object> memo = new HashMap<>();
    private int pushes;

    private PickleReader(byte[] in) {
        this.in = in;
    }

    /** Reads a pickle file of at most {@link #DEFAULT_MAX_BYTES}. */
    public static Object read(Path file) throws IOException {
        return read(file, DEFAULT_MAX_BYTES);
    }

    /** Reads a pickle file of at most {@code maxBytes} bytes. */
    public static Object read(Path file, long maxBytes) throws IOException {
        if (maxBytes <= 0 || maxBytes > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("maxBytes must be in 1.." + (Integer.MAX_VALUE - 8) + ", got " + maxBytes);
        }
        byte[] bytes;
        try (InputStream s = Files.newInputStream(file)) {
            bytes = s.readNBytes((int) maxBytes + 1);
        } catch (NoSuchFileException e) {
            throw new IOException(file + ": no such file", e);
        }
        if (bytes.length > maxBytes) {
            throw new IOException(file + ": larger than the limit of " + maxBytes + " bytes for a pickle");
        }
        try {
            return parse(bytes);
        } catch (IllegalArgumentException e) {
            throw new IOException(file + ": " + e.getMessage(), e);
        }
    }

    /** Unpickles {@code bytes}; malformed, truncated or disallowed content is an IllegalArgumentException. */
    public static Object parse(byte[] bytes) {
        if (bytes.length == 0) {
            throw new IllegalArgumentException("empty pickle");
        }
        return new PickleReader(bytes).run();
    }

    private Object run() {
        while (true) {
            if (pos >= in.length) {
                throw new IllegalArgumentException("truncated pickle: it ends at byte " + pos + " without STOP");
            }
            int at = pos;
            int op = in[pos++] & 0xff;
            if (op == '.') {
                if (stack.isEmpty()) {
                    throw new IllegalArgumentException("STOP at byte " + at + " with an empty stack");
                }
                return PickleGlobals.freeze(stack.get(stack.size() - 1));
            }
            step(op, at);
        }
    }

    private void step(int op, int at) {
        switch (op) {
            case 0x80: // PROTO
                int proto = u8();
                if (proto > 5) {
                    throw new IllegalArgumentException("unsupported pickle protocol " + proto);
                }
                break;
            case 0x95: // FRAME: a length hint; data is read the same with or without frames
                long frame = u64();
                if (frame > in.length - pos) {
                    throw truncated(frame, "FRAME");
                }
                break;
            case '(': // MARK
                if (metastack.size() >= MAX_DEPTH) {
                    throw new IllegalArgumentException("more than " + MAX_DEPTH + " nested MARKs");
                }
                metastack.push(stack);
                stack = new ArrayList<>();
                break;
            case '0': // POP
                pop(at, "POP");
                break;
            case '1': // POP_MARK
                popMark(at, "POP_MARK");
                break;
            case '}': // EMPTY_DICT
                push(new LinkedHashMap<>());
                break;
            case ']': // EMPTY_LIST
                push(new ArrayList<>());
                break;
            case ')': // EMPTY_TUPLE
                push(new PickleGlobals.Tuple(new Object[0]));
                break;
            case 'd': // DICT (from MARK)
                LinkedHashMap<Object, Object> dict = new LinkedHashMap<>();
                putPairs(dict, popMark(at, "DICT"), at);
                push(dict);
                break;
            case 'l': // LIST (from MARK)
                push(new ArrayList<>(popMark(at, "LIST")));
                break;
            case 't': // TUPLE (from MARK)
                push(new PickleGlobals.Tuple(popMark(at, "TUPLE").toArray()));
                break;
            case 0x85: // TUPLE1
            case 0x86: // TUPLE2
            case 0x87: // TUPLE3
                int n = op - 0x84;
                if (stack.size() < n) {
                    throw new IllegalArgumentException("TUPLE" + n + " at byte " + at + " needs " + n + " stack items");
                }
                Object[] items = new Object[n];
                for (int i = n - 1; i >= 0; i--) {
                    items[i] = pop(at, "TUPLE" + n);
                }
                push(new PickleGlobals.Tuple(items));
                break;
            case 'a': // APPEND
                Object item = pop(at, "APPEND");
                listOnTop(at, "APPEND").add(item);
                break;
            case 'e': // APPENDS
                List<Object> more = popMark(at, "APPENDS");
                listOnTop(at, "APPENDS").addAll(more);
                break;
            case 's': // SETITEM
                Object value = pop(at, "SETITEM");
                Object key = pop(at, "SETITEM");
                dictOnTop(at, "SETITEM").put(PickleGlobals.checkKey(key, at), value);
                break;
            case 'u': // SETITEMS
                List<Object> pairs = popMark(at, "SETITEMS");
                putPairs(dictOnTop(at, "SETITEMS"), pairs, at);
                break;
            case 'N': // NONE
                push(null);
                break;
            case 0x88: // NEWTRUE
                push(Boolean.TRUE);
                break;
            case 0x89: // NEWFALSE
                push(Boolean.FALSE);
                break;
            case 'K': // BININT1
                push((long) u8());
                break;
            case 'M': // BININT2
                push((long) (u8() | u8() << 8));
                break;
            case 'J': // BININT
                push((long) (int) u32());
                break;
            case 0x8a: // LONG1
                push(PickleGlobals.decodeLong(bytes(u8(), "LONG1")));
                break;
            case 0x8b: // LONG4
                long len = (int) u32();
                if (len < 0 || len > MAX_LONG_BYTES) {
                    throw new IllegalArgumentException("LONG4 at byte " + at + " has length " + len
                            + " (this reader accepts 0.." + MAX_LONG_BYTES + ")");
                }
                push(PickleGlobals.decodeLong(bytes(len, "LONG4")));
                break;
            case 'G': // BINFLOAT: big-endian IEEE double
                push(ByteBuffer.wrap(bytes(8, "BINFLOAT")).order(ByteOrder.BIG_ENDIAN).getDouble());
                break;
            case 0x8c: // SHORT_BINUNICODE
                push(utf8(bytes(u8(), "SHORT_BINUNICODE"), at));
                break;
            case 'X': // BINUNICODE
                push(utf8(bytes(u32(), "BINUNICODE"), at));
                break;
            case 0x8d: // BINUNICODE8
                push(utf8(bytes(u64(), "BINUNICODE8"), at));
                break;
            case 'C': // SHORT_BINBYTES
                push(bytes(u8(), "SHORT_BINBYTES"));
                break;
            case 'B': // BINBYTES
                push(bytes(u32(), "BINBYTES"));
                break;
            case 0x8e: // BINBYTES8
                push(bytes(u64(), "BINBYTES8"));
                break;
            case 0x96: // BYTEARRAY8
                push(bytes(u64(), "BYTEARRAY8"));
                break;
            case 0x94: // MEMOIZE
                memoPut(memo.size(), at);
                break;
            case 'q': // BINPUT
                memoPut(u8(), at);
                break;
            case 'r': // LONG_BINPUT
                memoPut(u32(), at);
                break;
            case 'h': // BINGET
                memoGet(u8(), at);
                break;
            case 'j': // LONG_BINGET
                memoGet(u32(), at);
                break;
            case 'c': // GLOBAL: "module\nname\n"
                String module = line(at);
                push(PickleGlobals.resolve(module, line(at)));
                break;
            case 0x93: // STACK_GLOBAL
                Object name = pop(at, "STACK_GLOBAL");
                Object mod = pop(at, "STACK_GLOBAL");
                if (!(mod instanceof String) || !(name instanceof String)) {
                    throw new IllegalArgumentException("STACK_GLOBAL at byte " + at + " needs two strings");
                }
                push(PickleGlobals.resolve((String) mod, (String) name));
                break;
            case 'R': // REDUCE
            case 0x81: // NEWOBJ
                String what = op == 'R' ? "REDUCE" : "NEWOBJ";
                Object args = pop(at, what);
                Object callable = pop(at, what);
                push(PickleGlobals.call(callable, args, what, at));
                break;
            case 'b': // BUILD
                Object state = pop(at, "BUILD");
                if (stack.isEmpty()) {
                    throw new IllegalArgumentException("BUILD at byte " + at + " with an empty stack");
                }
                PickleGlobals.build(stack.get(stack.size() - 1), state, at);
                break;
            case 0x97: // NEXT_BUFFER
            case 0x98: // READONLY_BUFFER
                throw new IllegalArgumentException("the pickle uses out-of-band buffers (" + PickleText.opcodeName(op)
                        + " at byte " + at + "), which this reader does not support");
            default:
                throw new IllegalArgumentException("unsupported pickle opcode " + PickleText.opcodeName(op)
                        + " at byte " + at);
        }
    }

    private void push(Object o) {
        if (++pushes > MAX_PUSHES) {
            throw new IllegalArgumentException("the pickle pushes more than " + MAX_PUSHES + " values");
        }
        stack.add(o);
    }

    private Object pop(int at, String what) {
        if (stack.isEmpty()) {
            throw new IllegalArgumentException(what + " at byte " + at + " with an empty stack");
        }
        return stack.remove(stack.size() - 1);
    }

    private List<Object> popMark(int at, String what) {
        if (metastack.isEmpty()) {
            throw new IllegalArgumentException(what + " at byte " + at + " without a MARK");
        }
        List<Object> items = stack;
        stack = metastack.pop();
        return items;
    }

    @SuppressWarnings("unchecked")
    private ArrayList<Object> listOnTop(int at, String what) {
        Object top = stack.isEmpty() ? null : stack.get(stack.size() - 1);
        if (!(top instanceof ArrayList)) {
            throw new IllegalArgumentException(what + " at byte " + at + " needs a list below its items, found "
                    + PickleText.typeName(top));
        }
        return (ArrayList<Object>) top;
    }

    @SuppressWarnings("unchecked")
    private LinkedHashMap<Object, Object> dictOnTop(int at, String what) {
        Object top = stack.isEmpty() ? null : stack.get(stack.size() - 1);
        if (!(top instanceof LinkedHashMap)) {
            throw new IllegalArgumentException(what + " at byte " + at + " needs a dict below its items, found "
                    + PickleText.typeName(top));
        }
        return (LinkedHashMap<Object, Object>) top;
    }

    private static void putPairs(Map<Object, Object> dict, List<Object> items, int at) {
        if (items.size() % 2 != 0) {
            throw new IllegalArgumentException("odd number of items for a dict at byte " + at);
        }
        for (int i = 0; i < items.size(); i += 2) {
            dict.put(PickleGlobals.checkKey(items.get(i), at), items.get(i + 1));
        }
    }

    private void memoPut(long index, int at) {
        if (stack.isEmpty()) {
            throw new IllegalArgumentException("memo store at byte " + at + " with an empty stack");
        }
        if (memo.size() >= MAX_PUSHES && !memo.containsKey(index)) {
            throw new IllegalArgumentException("the pickle stores more than " + MAX_PUSHES + " memo entries");
        }
        memo.put(index, stack.get(stack.size() - 1));
    }

    private void memoGet(long index, int at) {
        if (!memo.containsKey(index)) {
            throw new IllegalArgumentException("memo entry " + index + " read at byte " + at + " was never stored");
        }
        push(memo.get(index));
    }

    private String line(int at) {
        int start = pos;
        while (pos < in.length && in[pos] != '\n') {
            if (pos - start > MAX_GLOBAL_LINE) {
                throw new IllegalArgumentException("GLOBAL at byte " + at + " has a name longer than " + MAX_GLOBAL_LINE);
            }
            pos++;
        }
        if (pos >= in.length) {
            throw new IllegalArgumentException("truncated pickle: GLOBAL at byte " + at + " has no newline");
        }
        byte[] text = Arrays.copyOfRange(in, start, pos++);
        return utf8(text, at);
    }

    private int u8() {
        need(1, "a 1-byte argument");
        return in[pos++] & 0xff;
    }

    private long u32() {
        need(4, "a 4-byte argument");
        long v = ByteBuffer.wrap(in, pos, 4).order(ByteOrder.LITTLE_ENDIAN).getInt() & 0xffffffffL;
        pos += 4;
        return v;
    }

    private long u64() {
        need(8, "an 8-byte argument");
        long v = ByteBuffer.wrap(in, pos, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        pos += 8;
        if (v < 0) {
            throw new IllegalArgumentException("8-byte length at byte " + (pos - 8) + " is larger than 2^63");
        }
        return v;
    }

    private byte[] bytes(long n, String what) {
        if (n > in.length - pos) {
            throw truncated(n, what);
        }
        byte[] out = Arrays.copyOfRange(in, pos, pos + (int) n);
        pos += (int) n;
        return out;
    }

    private void need(int n, String what) {
        if (in.length - pos < n) {
            throw new IllegalArgumentException("truncated pickle: " + what + " at byte " + pos + " is cut off");
        }
    }

    private IllegalArgumentException truncated(long n, String what) {
        return new IllegalArgumentException("truncated pickle: " + what + " at byte " + pos + " announces " + n
                + " bytes but only " + (in.length - pos) + " are left");
    }

    private static String utf8(byte[] b, int at) {
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(b))
                    .toString();
        } catch (CharacterCodingException e) {
            throw new IllegalArgumentException("invalid UTF-8 in the string at byte " + at, e);
        }
    }
}
