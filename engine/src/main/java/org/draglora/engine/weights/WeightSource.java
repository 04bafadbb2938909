package org.draglora.engine.weights;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Map;

/**
 * Where module construction takes its tensors from: a safetensors file, a renamed view of a
 * single-file checkpoint, or a shape-only key list (key-set tests, benchmarks on random weights).
 */
public interface WeightSource {

    /** Every tensor this source offers, by name. */
    Map<String, TensorInfo> infos();

    /**
     * The tensor's values as little-endian float32 bytes (widened or narrowed from its stored
     * type). The buffer may alias a read-only file mapping: callers copy before any write.
     */
    ByteBuffer readFloat32(String name) throws IOException;

    /** Whether the source holds values ({@code false} for a shape-only key list). */
    default boolean hasValues() {
        return true;
    }

    /** A human-readable origin for error messages. */
    String describe();
}
