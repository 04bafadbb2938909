package org.draglora.engine.io;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Short, single-line renderings of pickle values and opcodes for {@link PickleReader}'s error messages. */
final class PickleText {

    private PickleText() {}

    /** A short, single-line rendering of a value for messages: strings quoted and escaped, containers by size. */
    static String show(Object o) {
        return show(o, true);
    }

    /** As {@link #show(Object)}; {@code quote} false leaves a string unquoted (still escaped and shortened). */
    static String show(Object o, boolean quote) {
        if (o instanceof String) {
            String s = (String) o;
            StringBuilder sb = new StringBuilder(quote ? "'" : "");
            for (int i = 0; i < s.length() && i < 80; i++) {
                char c = s.charAt(i);
                sb.append(c < 0x20 || c == 0x7f ? String.format("\\x%02x", (int) c) : String.valueOf(c));
            }
            return sb.append(s.length() > 80 ? "..." : "").append(quote ? "'" : "").toString();
        }
        if (o instanceof Long || o instanceof Double || o instanceof Boolean || o instanceof Integer) {
            return String.valueOf(o);
        }
        if (o instanceof BigInteger) {
            return ((BigInteger) o).bitLength() > 128 ? "an int of " + ((BigInteger) o).bitLength() + " bits" : o.toString();
        }
        if (o instanceof List) {
            return "a list of " + ((List<?>) o).size() + " items";
        }
        if (o instanceof PickleGlobals.Tuple) {
            return "a tuple of " + ((PickleGlobals.Tuple) o).size() + " items";
        }
        if (o instanceof Map) {
            return "a dict of " + ((Map<?, ?>) o).size() + " items";
        }
        if (o instanceof byte[]) {
            return "bytes of length " + ((byte[]) o).length;
        }
        if (o instanceof NdArray) {
            return o.toString();
        }
        return o instanceof Number ? String.valueOf(o) : "a " + typeName(o);
    }

    /** A Python-ish type name for messages. */
    static String typeName(Object o) {
        if (o == null) {
            return "None";
        }
        if (o instanceof PickleGlobals.Global) {
            return "global " + ((PickleGlobals.Global) o).displayName();
        }
        if (o instanceof PickleGlobals.Tuple) {
            return "tuple";
        }
        if (o instanceof ArrayList) {
            return "list";
        }
        if (o instanceof LinkedHashMap) {
            return "dict";
        }
        if (o instanceof String) {
            return "str";
        }
        if (o instanceof Long || o instanceof BigInteger) {
            return "int";
        }
        if (o instanceof Double) {
            return "float";
        }
        if (o instanceof Boolean) {
            return "bool";
        }
        if (o instanceof byte[]) {
            return "bytes";
        }
        if (o instanceof PickleGlobals.Dtype) {
            return "numpy dtype";
        }
        if (o instanceof PickleGlobals.PendingArray || o instanceof NdArray) {
            return "numpy array";
        }
        return o.getClass().getSimpleName();
    }

    /** "0x63 'c' (GLOBAL)": an opcode byte with its name from pickletools, for messages. */
    static String opcodeName(int op) {
        String name = OPCODE_NAMES.get(op);
        String ch = op >= 0x20 && op < 0x7f ? " '" + (char) op + "'" : "";
        return String.format("0x%02x", op) + ch + (name == null ? " (unknown)" : " (" + name + ")");
    }

    private static final Map<Integer, String> OPCODE_NAMES = opcodeNames();

    private static Map<Integer, String> opcodeNames() {
        Object[] table = {
            '(', "MARK", '.', "STOP", '0', "POP", '1', "POP_MARK", '2', "DUP", 'F', "FLOAT", 'I', "INT",
            'J', "BININT", 'K', "BININT1", 'L', "LONG", 'M', "BININT2", 'N', "NONE", 'P', "PERSID",
            'Q', "BINPERSID", 'R', "REDUCE", 'S', "STRING", 'T', "BINSTRING", 'U', "SHORT_BINSTRING",
            'V', "UNICODE", 'X', "BINUNICODE", 'a', "APPEND", 'b', "BUILD", 'c', "GLOBAL", 'd', "DICT",
            '}', "EMPTY_DICT", 'e', "APPENDS", 'g', "GET", 'h', "BINGET", 'i', "INST", 'j', "LONG_BINGET",
            'l', "LIST", ']', "EMPTY_LIST", 'o', "OBJ", 'p', "PUT", 'q', "BINPUT", 'r', "LONG_BINPUT",
            's', "SETITEM", 't', "TUPLE", ')', "EMPTY_TUPLE", 'u', "SETITEMS", 'G', "BINFLOAT",
            'B', "BINBYTES", 'C', "SHORT_BINBYTES", 0x80, "PROTO", 0x81, "NEWOBJ", 0x82, "EXT1", 0x83, "EXT2",
            0x84, "EXT4", 0x85, "TUPLE1", 0x86, "TUPLE2", 0x87, "TUPLE3", 0x88, "NEWTRUE", 0x89, "NEWFALSE",
            0x8a, "LONG1", 0x8b, "LONG4", 0x8c, "SHORT_BINUNICODE", 0x8d, "BINUNICODE8", 0x8e, "BINBYTES8",
            0x8f, "EMPTY_SET", 0x90, "ADDITEMS", 0x91, "FROZENSET", 0x92, "NEWOBJ_EX", 0x93, "STACK_GLOBAL",
            0x94, "MEMOIZE", 0x95, "FRAME", 0x96, "BYTEARRAY8", 0x97, "NEXT_BUFFER", 0x98, "READONLY_BUFFER",
        };
        Map<Integer, String> names = new HashMap<>();
        for (int i = 0; i < table.length; i += 2) {
            int code = table[i] instanceof Character ? (Character) table[i] : (Integer) table[i];
            names.put(code, (String) table[i + 1]);
        }
        return Map.copyOf(names);
    }
}
