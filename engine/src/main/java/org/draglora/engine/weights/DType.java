package org.draglora.engine.weights;

/**
 * The safetensors element types this project reads. Floating types are widened to float32 in Java
 * on load (DJL aborts the JVM on BFLOAT16, and float16 compute is unusable on CPU: STACK.md §3).
 */
public enum DType {
    F32(4),
    F16(2),
    BF16(2),
    F64(8),
    I64(8),
    I32(4),
    U8(1),
    BOOL(1);

    private final int bytes;

    DType(int bytes) {
        this.bytes = bytes;
    }

    /** Size of one element in bytes. */
    public int bytes() {
        return bytes;
    }

    /** Whether the type holds floating-point numbers. */
    public boolean isFloating() {
        return this == F32 || this == F16 || this == BF16 || this == F64;
    }

    /** Parses the dtype string of a safetensors header, naming the tensor on failure. */
    public static DType parse(String name, String tensor) {
        try {
            return DType.valueOf(name);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(
                    "tensor '" + tensor + "' has unsupported safetensors dtype '" + name + "'", e);
        }
    }
}
