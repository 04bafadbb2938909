package org.draglora.engine.io;

import static org.draglora.engine.io.PickleText.show;
import static org.draglora.engine.io.PickleText.typeName;

import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The allow-list of {@link PickleReader}: the only globals a pickle may name, each implemented
 * here in Java, plus the conversion of the reader's working objects into the final Java values.
 *
 * <p>numpy layouts implemented (numpy {@code _core/src/multiarray/methods.c} {@code array_reduce},
 * {@code array_reduce_ex_picklebuffer}; {@code descriptor.c} {@code arraydescr_reduce};
 * {@code scalartypes.c} {@code gentype_reduce}):
 * <ul>
 *   <li>ndarray, protocols 2-4: {@code _reconstruct(ndarray, (0,), b'b')}, then BUILD with
 *       {@code (1, shape, dtype, is_fortran, raw_bytes)}.</li>
 *   <li>ndarray, protocol 5: {@code _frombuffer(buffer, dtype, shape, order)} with order 'C' or 'F'.</li>
 *   <li>dtype: {@code dtype('u1', False, True)}, then BUILD with
 *       {@code (3, endian, subarray, names, fields, elsize, alignment, flags[, metadata])}.</li>
 *   <li>scalar: {@code scalar(dtype, raw_bytes)}.</li>
 * </ul>
 */
final class PickleGlobals {

    /** The callables a pickle may name. */
    enum Global {
        RECONSTRUCT("numpy.core.multiarray._reconstruct", "numpy._core.multiarray._reconstruct"),
        NDARRAY("numpy.ndarray"),
        DTYPE("numpy.dtype"),
        SCALAR("numpy.core.multiarray.scalar", "numpy._core.multiarray.scalar"),
        FROMBUFFER("numpy.core.numeric._frombuffer", "numpy._core.numeric._frombuffer"),
        CODECS_ENCODE("_codecs.encode"),
        BYTES("builtins.bytes", "__builtin__.bytes"),
        BYTEARRAY("builtins.bytearray", "__builtin__.bytearray");

        private final List<String> names;

        Global(String... names) {
            this.names = List.of(names);
        }

        /** The first spelling, {@code module.name}. */
        String displayName() {
            return names.get(0);
        }
    }

    /** A Python tuple while unpickling (immutable; becomes an unmodifiable List). */
    record Tuple(Object[] items) {
        int size() {
            return items.length;
        }

        Object get(int i) {
            return items[i];
        }
    }

    /** A numpy dtype while unpickling; BUILD sets its byte order. */
    static final class Dtype {
        final String code; // e.g. "u1", "i8", "f4"
        char endian;

        Dtype(String code) {
            this.code = code;
            this.endian = NdArray.itemSizeOf("|" + code) == 1 ? '|' : '<';
        }

        String str() {
            return endian + code;
        }
    }

    /** A numpy array from {@code _reconstruct}, complete once BUILD has given it its state. */
    static final class PendingArray {
        NdArray result;
    }

    private PickleGlobals() {}

    /** The allowed global {@code module.name}, or an error naming it. */
    static Global resolve(String module, String name) {
        String full = module + "." + name;
        for (Global g : Global.values()) {
            if (g.names.contains(full)) {
                return g;
            }
        }
        throw new IllegalArgumentException("the pickle refers to " + show(full, false) + ", which is not allowed (only numpy"
                + " arrays, dtypes and scalars, and bytes can be read)");
    }

    /** REDUCE or NEWOBJ: {@code callable(*args)} for an allowed callable. */
    static Object call(Object callable, Object args, String what, int at) {
        if (!(callable instanceof Global)) {
            throw new IllegalArgumentException(what + " at byte " + at + " calls a " + typeName(callable)
                    + ", not an allowed global");
        }
        if (!(args instanceof Tuple)) {
            throw new IllegalArgumentException(what + " at byte " + at + " needs an argument tuple, found " + typeName(args));
        }
        Tuple a = (Tuple) args;
        Global g = (Global) callable;
        switch (g) {
            case RECONSTRUCT:
                arity(a, 3, 3, g, at);
                if (a.get(0) != Global.NDARRAY) {
                    throw new IllegalArgumentException("_reconstruct at byte " + at + " builds a " + typeName(a.get(0))
                            + "; only numpy.ndarray is allowed");
                }
                return new PendingArray();
            case DTYPE:
                arity(a, 1, 3, g, at);
                if (!(a.get(0) instanceof String)) {
                    throw new IllegalArgumentException("numpy.dtype at byte " + at + " needs a type string, found "
                            + typeName(a.get(0)));
                }
                return new Dtype(supportedCode((String) a.get(0), at));
            case SCALAR:
                arity(a, 2, 2, g, at);
                return scalar(dtype(a.get(0), "scalar", at), rawBytes(a.get(1), "scalar", at), at);
            case FROMBUFFER:
                return fromBuffer(a, at);
            case CODECS_ENCODE:
                arity(a, 2, 2, g, at);
                return latin1(a, at);
            case BYTES:
            case BYTEARRAY:
                arity(a, 0, 1, g, at);
                return a.size() == 0 ? new byte[0] : rawBytes(a.get(0), g.displayName(), at).clone();
            default:
                throw new IllegalArgumentException(what + " at byte " + at + " calls " + g.displayName()
                        + ", which can only appear as an argument");
        }
    }

    /** BUILD: sets the state of a dtype or of an array from {@code _reconstruct}. */
    static void build(Object target, Object state, int at) {
        if (target instanceof Dtype) {
            buildDtype((Dtype) target, state, at);
        } else if (target instanceof PendingArray) {
            ((PendingArray) target).result = arrayFromState(state, at);
        } else {
            throw new IllegalArgumentException("BUILD at byte " + at + " on a " + typeName(target) + " is not supported");
        }
    }

    private static void buildDtype(Dtype d, Object state, int at) {
        int n = state instanceof Tuple ? ((Tuple) state).size() : -1;
        if (n < 5 || n > 9) {
            throw new IllegalArgumentException("numpy dtype state at byte " + at + " is not a tuple of 5 to 9 items");
        }
        Tuple s = (Tuple) state;
        // arraydescr_setstate: 9/8/7 items (version, endian, subarray, names, fields, elsize, alignment
        // [, flags[, metadata]]); 6 items (version, endian, subarray, fields, elsize, alignment);
        // 5 items (endian, subarray, fields, elsize, alignment)
        Object endian = s.get(n == 5 ? 0 : 1);
        List<Object> structure = n == 5 ? List.of(nullable(s.get(1)), nullable(s.get(2)))
                : n == 6 ? List.of(nullable(s.get(2)), nullable(s.get(3)))
                : List.of(nullable(s.get(2)), nullable(s.get(3)), nullable(s.get(4)));
        String e = endian instanceof byte[] ? new String((byte[]) endian, StandardCharsets.ISO_8859_1)
                : endian instanceof String ? (String) endian : null;
        if (e == null || e.length() != 1 || "<>|=".indexOf(e.charAt(0)) < 0) {
            throw new IllegalArgumentException("numpy dtype state at byte " + at + " has byte order " + show(endian));
        }
        for (Object part : structure) {
            if (part != NONE) {
                throw new IllegalArgumentException("numpy dtype " + show(d.code) + " at byte " + at
                        + " is structured or a sub-array, which is not supported");
            }
        }
        char c = e.charAt(0);
        d.endian = NdArray.itemSizeOf("|" + d.code) == 1 ? '|' : c == '=' ? '<' : c;
    }

    /** Stands for Python None inside {@link List#of}, which refuses null. */
    private static final Object NONE = new Object();

    private static Object nullable(Object o) {
        return o == null ? NONE : o;
    }

    private static NdArray arrayFromState(Object state, int at) {
        if (!(state instanceof Tuple) || (((Tuple) state).size() != 5 && ((Tuple) state).size() != 4)) {
            throw new IllegalArgumentException("numpy array state at byte " + at + " is not a tuple of 4 or 5 items");
        }
        Tuple s = (Tuple) state;
        int base = s.size() == 5 ? 1 : 0; // version 1 has a leading version number
        if (base == 1 && !Long.valueOf(1).equals(s.get(0))) {
            throw new IllegalArgumentException("numpy array state at byte " + at + " has version " + show(s.get(0)));
        }
        long[] shape = shape(s.get(base), at);
        Dtype dtype = dtype(s.get(base + 1), "ndarray", at);
        boolean fortran = truthy(s.get(base + 2), at);
        byte[] data = rawBytes(s.get(base + 3), "ndarray", at);
        return array(dtype, shape, fortran, data, at);
    }

    private static NdArray fromBuffer(Tuple a, int at) {
        arity(a, 4, 5, Global.FROMBUFFER, at);
        byte[] buffer = rawBytes(a.get(0), "_frombuffer", at);
        Dtype dtype = dtype(a.get(1), "_frombuffer", at);
        long[] shape = shape(a.get(2), at);
        Object order = a.get(3);
        if (!"C".equals(order) && !"F".equals(order)) {
            throw new IllegalArgumentException("_frombuffer at byte " + at + " has order " + show(order)
                    + "; only 'C' and 'F' are supported");
        }
        return array(dtype, shape, "F".equals(order), buffer, at);
    }

    private static NdArray array(Dtype dtype, long[] shape, boolean fortran, byte[] data, int at) {
        try {
            return new NdArray(dtype.str(), shape, fortran, ByteBuffer.wrap(data));
        } catch (IllegalArgumentException | ArithmeticException e) {
            throw new IllegalArgumentException("numpy array at byte " + at + ": " + e.getMessage(), e);
        }
    }

    private static Object scalar(Dtype dtype, byte[] raw, int at) {
        int size = NdArray.itemSizeOf(dtype.str());
        if (raw.length != size) {
            throw new IllegalArgumentException("numpy scalar of dtype " + dtype.str() + " at byte " + at + " has "
                    + raw.length + " bytes instead of " + size);
        }
        NdArray one = new NdArray(dtype.str(), new long[0], false, ByteBuffer.wrap(raw));
        switch (one.kind()) {
            case 'b':
                return one.getLong(0) != 0;
            case 'f':
                return one.getDouble(0);
            default:
                if (one.kind() == 'u' && size == 8) {
                    long v = ByteBuffer.wrap(raw).order(one.byteOrder()).getLong();
                    return v >= 0 ? (Object) v : new BigInteger(Long.toUnsignedString(v));
                }
                return one.getLong(0);
        }
    }

    private static byte[] latin1(Tuple a, int at) {
        if (!(a.get(0) instanceof String) || !isLatin1Name(a.get(1))) {
            throw new IllegalArgumentException("_codecs.encode at byte " + at + " is only allowed as encode(str, 'latin1')");
        }
        String s = (String) a.get(0);
        byte[] out = new byte[s.length()];
        for (int i = 0; i < out.length; i++) {
            char ch = s.charAt(i);
            if (ch > 0xff) {
                throw new IllegalArgumentException("_codecs.encode at byte " + at + ": character U+"
                        + Integer.toHexString(ch) + " is not latin-1");
            }
            out[i] = (byte) ch;
        }
        return out;
    }

    private static boolean isLatin1Name(Object o) {
        return "latin1".equals(o) || "latin-1".equals(o) || "iso-8859-1".equals(o);
    }

    private static String supportedCode(String code, int at) {
        try {
            NdArray.itemSizeOf("|" + code);
            return code;
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("numpy dtype " + show(code) + " at byte " + at
                    + " is not supported (supported: b1, u1, u2, u4, u8, i1, i2, i4, i8, f4, f8)", e);
        }
    }

    private static void arity(Tuple a, int min, int max, Global g, int at) {
        if (a.size() < min || a.size() > max) {
            throw new IllegalArgumentException(g.displayName() + " at byte " + at + " takes " + min
                    + (max == min ? "" : ".." + max) + " arguments, got " + a.size());
        }
    }

    private static Dtype dtype(Object o, String what, int at) {
        if (!(o instanceof Dtype)) {
            throw new IllegalArgumentException(what + " at byte " + at + " needs a numpy dtype, found " + typeName(o));
        }
        return (Dtype) o;
    }

    private static byte[] rawBytes(Object o, String what, int at) {
        if (o instanceof byte[]) {
            return (byte[]) o;
        }
        if (o instanceof String) { // Python 2 pickles carry raw data as latin-1 str
            return latin1(new Tuple(new Object[] {o, "latin1"}), at);
        }
        throw new IllegalArgumentException(what + " at byte " + at + " needs bytes, found " + typeName(o));
    }

    private static long[] shape(Object o, int at) {
        if (!(o instanceof Tuple)) {
            throw new IllegalArgumentException("numpy shape at byte " + at + " is a " + typeName(o) + ", not a tuple");
        }
        Tuple t = (Tuple) o;
        long[] shape = new long[t.size()];
        for (int i = 0; i < shape.length; i++) {
            if (!(t.get(i) instanceof Long) || (Long) t.get(i) < 0) {
                throw new IllegalArgumentException("numpy shape at byte " + at + " has dimension " + show(t.get(i)));
            }
            shape[i] = (Long) t.get(i);
        }
        return shape;
    }

    private static boolean truthy(Object o, int at) {
        if (o instanceof Boolean) {
            return (Boolean) o;
        }
        if (o instanceof Long) {
            return (Long) o != 0;
        }
        throw new IllegalArgumentException("numpy fortran flag at byte " + at + " is a " + typeName(o));
    }

    /** Python int from LONG1/LONG4 bytes: little-endian two's complement, empty = 0. */
    static Object decodeLong(byte[] le) {
        if (le.length == 0) {
            return 0L;
        }
        byte[] be = new byte[le.length];
        for (int i = 0; i < le.length; i++) {
            be[i] = le[le.length - 1 - i];
        }
        BigInteger v = new BigInteger(be);
        return v.bitLength() < 64 ? (Object) v.longValue() : v;
    }

    /** Refuses dict keys Python could not hash (list, dict). */
    static Object checkKey(Object key, int at) {
        if (key instanceof ArrayList || key instanceof LinkedHashMap) {
            throw new IllegalArgumentException("unhashable dict key of type " + typeName(key) + " at byte " + at);
        }
        return key;
    }

    /** The final Java value: unmodifiable containers, arrays complete; recursion and deep nesting refused. */
    static Object freeze(Object root) {
        return freeze(root, 0, new IdentityHashMap<>(), Collections.newSetFromMap(new IdentityHashMap<>()));
    }

    private static Object freeze(Object o, int depth, Map<Object, Object> done, Set<Object> open) {
        if (o == null || o instanceof String || o instanceof Long || o instanceof Double || o instanceof Boolean
                || o instanceof BigInteger || o instanceof byte[] || o instanceof NdArray) {
            return o;
        }
        if (o instanceof PendingArray) {
            NdArray result = ((PendingArray) o).result;
            if (result == null) {
                throw new IllegalArgumentException("a numpy array from _reconstruct never received its state (BUILD)");
            }
            return result;
        }
        if (o instanceof Dtype) {
            return ((Dtype) o).str();
        }
        if (o instanceof Global) {
            throw new IllegalArgumentException("the pickle's value contains the global " + ((Global) o).displayName()
                    + " itself, not data");
        }
        if (done.containsKey(o)) {
            return done.get(o);
        }
        if (depth >= PickleReader.MAX_DEPTH) {
            throw new IllegalArgumentException("containers are nested more than " + PickleReader.MAX_DEPTH + " deep");
        }
        if (!open.add(o)) {
            throw new IllegalArgumentException("the pickle holds a container that contains itself");
        }
        Object frozen;
        if (o instanceof Tuple || o instanceof ArrayList) {
            List<?> items = o instanceof Tuple ? Arrays.asList(((Tuple) o).items()) : (List<?>) o;
            List<Object> out = new ArrayList<>(items.size());
            for (Object item : items) {
                out.add(freeze(item, depth + 1, done, open));
            }
            frozen = Collections.unmodifiableList(out);
        } else if (o instanceof LinkedHashMap) {
            Map<Object, Object> out = new LinkedHashMap<>();
            for (Map.Entry<?, ?> e : ((Map<?, ?>) o).entrySet()) {
                out.put(freeze(e.getKey(), depth + 1, done, open), freeze(e.getValue(), depth + 1, done, open));
            }
            frozen = Collections.unmodifiableMap(out);
        } else {
            throw new IllegalStateException("unexpected unpickler value " + o.getClass().getName());
        }
        open.remove(o);
        done.put(o, frozen);
        return frozen;
    }
}
