package org.draglora.engine.io;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Writes Python pickles of plain data and numpy arrays, the counterpart of {@link PickleReader}:
 * enough for DragBench's {@code meta_data.pkl} ({@link DragBenchWriter}).
 *
 * <p><b>Protocol 3</b> (Python 3.0+), because it spells bytes directly ({@code SHORT_BINBYTES},
 * {@code BINBYTES}) where protocol 2 needs {@code _codecs.encode(str, 'latin1')}; every Python 3
 * and numpy 1.x/2.x reads it. The bytes are those {@code pickle.dumps(value, protocol=3)} of
 * CPython's C pickler ({@code Modules/_pickle.c}) produces for the equivalent Python value:
 * <ul>
 *   <li>{@code Map} -> dict in the map's iteration order ({@code EMPTY_DICT}; one item as
 *       {@code SETITEM}, more in {@code MARK ... SETITEMS} batches of 1000, followed, as
 *       {@code batch_dict_exact} does, by an empty batch when the last one was full);</li>
 *   <li>{@code List} -> list ({@code EMPTY_LIST}; one item as {@code APPEND}, more in
 *       {@code MARK ... APPENDS} batches of 1000, {@code batch_list_exact});</li>
 *   <li>{@code String} -> str ({@code BINUNICODE}, UTF-8; an unpaired surrogate is an error);</li>
 *   <li>{@code Integer}, {@code Long}, {@code Short}, {@code Byte}, {@code BigInteger} -> int
 *       ({@code save_long}: {@code BININT1} for 0..255, {@code BININT2} for 256..65535,
 *       {@code BININT} for the rest of the signed 32-bit range, else {@code LONG1}/{@code LONG4}
 *       with the minimal little-endian two's complement);</li>
 *   <li>{@code Double}, {@code Float} -> float ({@code BINFLOAT}, big-endian IEEE double);</li>
 *   <li>{@code Boolean} -> bool ({@code NEWTRUE}/{@code NEWFALSE}); {@code null} -> None;</li>
 *   <li>{@code byte[]} -> bytes;</li>
 *   <li>{@link NdArray} -> numpy ndarray, in the layout numpy's {@code array_reduce}
 *       ({@code _core/src/multiarray/methods.c}) gives protocols 2-4 and {@link PickleGlobals}
 *       reads: {@code _reconstruct(ndarray, (0,), b'b')} ({@code GLOBAL numpy.core.multiarray
 *       _reconstruct}, the numpy 1.x name that DragBench's files carry and numpy 2 still loads),
 *       {@code REDUCE}, then {@code BUILD} with {@code (1, shape, dtype, is_fortran, raw_bytes)};
 *       the dtype is {@code numpy.dtype(code, False, True)}, {@code REDUCE}, {@code BUILD} with
 *       {@code (3, byte_order, None, None, None, -1, -1, 0)} ({@code descriptor.c}
 *       {@code arraydescr_reduce}). {@code is_fortran} is numpy's {@code PyArray_ISFORTRAN}:
 *       Fortran order that is not also C order.</li>
 * </ul>
 *
 * <p>Like CPython, every str, bytes, list, dict, tuple, global and array is memoized
 * ({@code BINPUT}), and an object that occurs again (the same Java instance) is written as a
 * reference to the first ({@code BINGET}). Within an array, the objects CPython shares are shared
 * too: the dummy {@code b'b'} (a cached one-byte bytes object), the native-order dtypes (numpy's
 * built-in descriptors) and the globals.
 *
 * <p>What {@link PickleReader} would refuse is refused here with an {@link IllegalArgumentException}
 * naming the place in the value: other Java types, containers that contain themselves, lists,
 * dicts or arrays as dict keys, containers nested more than 100 deep
 * (or more than that many nested {@code MARK}s), and ints of more than
 * 4096 bytes. The reader's other limits (the file size, a million
 * values) are not checked. Keys Python counts as equal ({@code 1}, {@code 1L}, {@code 1.0},
 * {@code true}) stay distinct in the pickle and collapse into one when it is read.
 */
public final class PickleWriter {

    /** The pickle protocol written. */
    public static final int PROTOCOL = 3;

    /** Items per {@code APPENDS}/{@code SETITEMS} batch, CPython's {@code BATCHSIZE}. */
    static final int BATCH_SIZE = 1000;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    /** Memo index of each object written so far, by identity, as CPython's {@code PyMemoTable}. */
    private final Map<Object, Integer> memo = new IdentityHashMap<>();
    /** The one instance of each global, native dtype and cached constant used in this pickle. */
    private final Map<String, Object> shared = new HashMap<>();
    /** Containers being written, to refuse one that contains itself. */
    private final Set<Object> open = Collections.newSetFromMap(new IdentityHashMap<>());
    /** Dict keys and list indices leading to the value being written, for messages. */
    private final List<Object> path = new ArrayList<>();
    private int depth;
    private int marks;

    private PickleWriter() {}

    /** The protocol-3 pickle of {@code value}; an unsupported value is an IllegalArgumentException. */
    public static byte[] toBytes(Object value) {
        PickleWriter w = new PickleWriter();
        w.op(0x80, PROTOCOL); // PROTO
        w.save(value);
        w.op('.'); // STOP
        return w.out.toByteArray();
    }

    /**
     * Writes the pickle of {@code value} to {@code file} atomically (a temporary file, then a
     * rename); creates missing parent directories.
     */
    public static void write(Object value, Path file) throws IOException {
        ImageFiles.writeAtomically(file, toBytes(value));
    }

    // --- the objects of a numpy array's reduction, never given by callers ---

    /** A global {@code module.name}, written by {@code GLOBAL}. */
    private record Global(String module, String name) {}

    /** A Python tuple (identity semantics: each instance is a distinct object). */
    private static final class Tuple {
        final Object[] items;

        Tuple(Object... items) {
            this.items = items;
        }
    }

    /** A numpy dtype: its type code such as {@code "u1"} and byte order {@code '|'}, {@code '<'} or {@code '>'}. */
    private static final class Dtype {
        final String code;
        final char order;

        Dtype(String code, char order) {
            this.code = code;
            this.order = order;
        }
    }

    private void save(Object o) {
        if (o == null) {
            op('N'); // NONE
        } else if (o instanceof Boolean) {
            op((Boolean) o ? 0x88 : 0x89); // NEWTRUE / NEWFALSE
        } else if (o instanceof Integer || o instanceof Long || o instanceof Short || o instanceof Byte) {
            saveLong(((Number) o).longValue());
        } else if (o instanceof BigInteger) {
            saveBigInteger((BigInteger) o);
        } else if (o instanceof Double || o instanceof Float) {
            op('G'); // BINFLOAT
            out.writeBytes(ByteBuffer.allocate(8).putDouble(((Number) o).doubleValue()).array());
        } else {
            Integer index = memo.get(o);
            if (index != null) {
                if (open.contains(o)) {
                    throw error("contains itself (PickleReader refuses recursive containers)");
                }
                memoGet(index);
            } else if (o instanceof String) {
                saveString((String) o);
            } else if (o instanceof byte[]) {
                saveBytes((byte[]) o);
            } else if (o instanceof List) {
                saveList((List<?>) o);
            } else if (o instanceof Map) {
                saveDict((Map<?, ?>) o);
            } else if (o instanceof NdArray) {
                saveArray((NdArray) o);
            } else if (o instanceof Tuple) {
                saveTuple((Tuple) o);
            } else if (o instanceof Global) {
                Global g = (Global) o;
                op('c'); // GLOBAL "module\nname\n"
                out.writeBytes((g.module() + "\n" + g.name() + "\n").getBytes(StandardCharsets.UTF_8));
                memoize(g);
            } else if (o instanceof Dtype) {
                saveDtype((Dtype) o);
            } else {
                throw error("is a " + o.getClass().getName() + ", which cannot be pickled (supported: Map, List,"
                        + " String, Integer, Long, Short, Byte, BigInteger, Double, Float, Boolean, null, byte[],"
                        + " NdArray)");
            }
        }
    }

    /** {@code save_long} for values that fit a long. */
    private void saveLong(long v) {
        if (v >= 0 && v <= 0xff) {
            op('K', (int) v); // BININT1
        } else if (v >= 0 && v <= 0xffff) {
            op('M', (int) v & 0xff, (int) v >>> 8); // BININT2
        } else if (v >= Integer.MIN_VALUE && v <= Integer.MAX_VALUE) {
            op('J'); // BININT: signed 32-bit little-endian
            le((int) v, 4);
        } else {
            saveBigInteger(BigInteger.valueOf(v));
        }
    }

    private void saveBigInteger(BigInteger v) {
        if (v.bitLength() < 64) {
            long small = v.longValue();
            if (small >= Integer.MIN_VALUE && small <= Integer.MAX_VALUE) {
                saveLong(small);
                return;
            }
        }
        // pickle.py encode_long: minimal little-endian two's complement; BigInteger's big-endian
        // form is minimal too, so only the order differs
        byte[] be = v.toByteArray();
        if (be.length > PickleReader.MAX_LONG_BYTES) {
            throw error("is an int of " + be.length + " bytes; PickleReader reads at most "
                    + PickleReader.MAX_LONG_BYTES);
        }
        if (be.length < 256) {
            op(0x8a, be.length); // LONG1
        } else {
            op(0x8b); // LONG4
            le(be.length, 4);
        }
        for (int i = be.length - 1; i >= 0; i--) {
            out.write(be[i]);
        }
    }

    private void saveString(String s) {
        byte[] utf8;
        try {
            ByteBuffer b = StandardCharsets.UTF_8.newEncoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .encode(CharBuffer.wrap(s));
            utf8 = new byte[b.remaining()];
            b.get(utf8);
        } catch (CharacterCodingException e) {
            throw error("is a string with an unpaired surrogate, which is not UTF-8 text");
        }
        op('X'); // BINUNICODE (SHORT_BINUNICODE is protocol 4)
        le(utf8.length, 4);
        out.writeBytes(utf8);
        memoize(s);
    }

    private void saveBytes(byte[] b) {
        if (b.length <= 0xff) {
            op('C', b.length); // SHORT_BINBYTES
        } else {
            op('B'); // BINBYTES
            le(b.length, 4);
        }
        out.writeBytes(b);
        memoize(b);
    }

    private void saveList(List<?> list) {
        enter(list);
        op(']'); // EMPTY_LIST
        memoize(list);
        int n = list.size();
        Iterator<?> it = list.iterator();
        int index = 0;
        if (n == 1) {
            saveAt(index, it.next());
            op('a'); // APPEND
        } else if (n > 1) {
            while (it.hasNext()) {
                mark();
                for (int batch = 0; batch < BATCH_SIZE && it.hasNext(); batch++) {
                    saveAt(index++, it.next());
                }
                op('e'); // APPENDS
                marks--;
            }
        }
        leave(list);
    }

    private void saveDict(Map<?, ?> dict) {
        enter(dict);
        op('}'); // EMPTY_DICT
        memoize(dict);
        int n = dict.size();
        Iterator<? extends Map.Entry<?, ?>> it = dict.entrySet().iterator();
        if (n == 1) {
            saveItem(it.next());
            op('s'); // SETITEM
        } else if (n > 1) {
            int batch;
            do { // batch_dict_exact: a full last batch is followed by an empty one
                mark();
                batch = 0;
                while (batch < BATCH_SIZE && it.hasNext()) {
                    saveItem(it.next());
                    batch++;
                }
                op('u'); // SETITEMS
                marks--;
            } while (batch == BATCH_SIZE);
        }
        leave(dict);
    }

    private void saveItem(Map.Entry<?, ?> e) {
        Object key = e.getKey();
        if (key instanceof List || key instanceof Map || key instanceof NdArray) {
            throw error("has a key of type " + key.getClass().getName() + ", which Python cannot hash");
        }
        save(key);
        path.add(key);
        save(e.getValue());
        path.remove(path.size() - 1);
    }

    private void saveAt(int index, Object item) {
        path.add(index);
        save(item);
        path.remove(path.size() - 1);
    }

    /** {@code save_tuple}: {@code EMPTY_TUPLE}, {@code TUPLE1..3} or {@code MARK ... TUPLE}, then memoized. */
    private void saveTuple(Tuple t) {
        int n = t.items.length;
        if (n == 0) {
            op(')'); // EMPTY_TUPLE, not memoized
            return;
        }
        if (n > 3) {
            mark();
        }
        for (Object item : t.items) {
            save(item);
        }
        if (n > 3) {
            op('t'); // TUPLE
            marks--;
        } else {
            op(0x84 + n); // TUPLE1, TUPLE2, TUPLE3
        }
        memoize(t);
    }

    /** numpy {@code array_reduce}: {@code _reconstruct(ndarray, (0,), b'b')}, then the state. */
    private void saveArray(NdArray a) {
        save(global("numpy.core.multiarray", "_reconstruct"));
        save(new Tuple(global("numpy", "ndarray"), new Tuple(0L), shared("bytes:b", () -> new byte[] {'b'})));
        op('R'); // REDUCE
        memoize(a);
        long[] shape = a.shape();
        Object[] dims = new Object[shape.length];
        for (int i = 0; i < shape.length; i++) {
            dims[i] = shape[i];
        }
        ByteBuffer data = a.data();
        byte[] raw = new byte[data.remaining()];
        data.get(raw);
        save(new Tuple(1L, new Tuple(dims), dtype(a), isFortran(a), raw));
        op('b'); // BUILD
    }

    /** numpy {@code PyArray_ISFORTRAN}: Fortran-contiguous and not also C-contiguous. */
    private static boolean isFortran(NdArray a) {
        if (!a.fortranOrder() || a.size() == 0) {
            return false;
        }
        int longAxes = 0;
        for (long d : a.shape()) {
            if (d > 1) {
                longAxes++;
            }
        }
        return longAxes > 1;
    }

    /**
     * The dtype of {@code a}; a native-order one (one-byte or little-endian) is numpy's built-in
     * descriptor, one object for the whole pickle, a big-endian one a new object each time.
     */
    private Object dtype(NdArray a) {
        String code = a.dtype().substring(1);
        char order = a.itemSize() == 1 ? '|' : a.dtype().charAt(0) == '>' ? '>' : '<';
        if (order == '>') {
            return new Dtype(code, order);
        }
        return shared("dtype:" + order + code, () -> new Dtype(code, order));
    }

    /** numpy {@code arraydescr_reduce}: {@code dtype(code, False, True)}, then the state. */
    private void saveDtype(Dtype d) {
        save(global("numpy", "dtype"));
        save(new Tuple(new String(d.code), false, true));
        op('R'); // REDUCE
        memoize(d);
        // version 3; byte order (a cached one-character str in CPython); subarray, names, fields;
        // elsize and alignment -1 (not a flexible type); flags 0
        String order = (String) shared("str:" + d.order, () -> new String(new char[] {d.order}));
        save(new Tuple(3L, order, null, null, null, -1L, -1L, 0L));
        op('b'); // BUILD
    }

    private Global global(String module, String name) {
        return (Global) shared("global:" + module + "." + name, () -> new Global(module, name));
    }

    private Object shared(String key, Supplier<Object> create) {
        return shared.computeIfAbsent(key, k -> create.get());
    }

    private void enter(Object container) {
        if (depth >= PickleReader.MAX_DEPTH) {
            throw error("is nested more than " + PickleReader.MAX_DEPTH + " containers deep, which PickleReader refuses");
        }
        depth++;
        open.add(container);
    }

    private void leave(Object container) {
        open.remove(container);
        depth--;
    }

    private void mark() {
        if (marks >= PickleReader.MAX_DEPTH) {
            throw error("needs more than " + PickleReader.MAX_DEPTH + " nested MARKs, which PickleReader refuses");
        }
        marks++;
        op('('); // MARK
    }

    private void memoize(Object o) {
        int index = memo.size();
        memo.put(o, index);
        if (index < 256) {
            op('q', index); // BINPUT
        } else {
            op('r'); // LONG_BINPUT
            le(index, 4);
        }
    }

    private void memoGet(int index) {
        if (index < 256) {
            op('h', index); // BINGET
        } else {
            op('j'); // LONG_BINGET
            le(index, 4);
        }
    }

    private void op(int... bytes) {
        for (int b : bytes) {
            out.write(b);
        }
    }

    private void le(long v, int n) {
        for (int i = 0; i < n; i++) {
            out.write((int) (v >>> (8 * i)));
        }
    }

    /** An error about the value at the current path, e.g. {@code value['points'][3] is ...}. */
    private IllegalArgumentException error(String what) {
        StringBuilder sb = new StringBuilder("value");
        for (Object step : path) {
            sb.append('[').append(step instanceof Integer ? step.toString() : PickleText.show(step)).append(']');
        }
        return new IllegalArgumentException(sb.append(' ').append(what).toString());
    }
}
