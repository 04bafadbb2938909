package org.draglora.engine.train;

import ai.djl.ndarray.NDArray;
import java.io.IOException;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.draglora.engine.nn.Ops;
import org.draglora.engine.runtime.NoGrad;
import org.draglora.engine.weights.DType;
import org.draglora.engine.weights.SafetensorsFile;
import org.draglora.engine.weights.SafetensorsWriter;
import org.draglora.engine.weights.WeightArrays;

/**
 * The parameters of a model being trained, by their checkpoint keys (the arrays its
 * {@code WeightScope} created), with what training needs: gradients on or off, saving under a
 * prefix, loading in place, and copying (for the exponential moving average).
 */
public final class ParameterSet {

    private final Map<String, NDArray> arrays;

    public ParameterSet(Map<String, NDArray> arrays) {
        this.arrays = new LinkedHashMap<>(arrays);
    }

    /** The arrays by key, in construction order. */
    public Map<String, NDArray> arrays() {
        return java.util.Collections.unmodifiableMap(arrays);
    }

    /** The arrays in construction order. */
    public List<NDArray> list() {
        return new ArrayList<>(arrays.values());
    }

    /** Number of scalars. */
    public long count() {
        long n = 0;
        for (NDArray a : arrays.values()) {
            n += a.size();
        }
        return n;
    }

    public void setRequiresGradient(boolean requires) {
        arrays.values().forEach(a -> a.setRequiresGradient(requires));
    }

    /** Adds every array as {@code prefix + key}, stored as {@code storeAs}. */
    public void write(SafetensorsWriter writer, String prefix, DType storeAs) {
        arrays.forEach((k, v) -> WeightArrays.add(writer, prefix + k, v, storeAs));
    }

    /** Overwrites every array in place with {@code prefix + key} of {@code file}. */
    public void read(SafetensorsFile file, String prefix) throws IOException {
        try (NoGrad ignored = NoGrad.open()) {
            for (Map.Entry<String, NDArray> e : arrays.entrySet()) {
                float[] values = file.readFloats(prefix + e.getKey());
                if (values.length != e.getValue().size()) {
                    throw new IOException(file.path() + ": " + prefix + e.getKey() + " has " + values.length
                            + " values, the model " + e.getValue().size());
                }
                e.getValue().set(FloatBuffer.wrap(values));
            }
        }
    }

    /**
     * This set followed by {@code other}, the same arrays (not copies), so that one optimiser, EMA and
     * checkpoint cover two models that train together; the keys must not overlap.
     */
    public ParameterSet with(ParameterSet other) {
        Map<String, NDArray> both = new LinkedHashMap<>(arrays);
        other.arrays.forEach((k, v) -> {
            if (both.putIfAbsent(k, v) != null) {
                throw new IllegalArgumentException("both parameter sets have " + k);
            }
        });
        return new ParameterSet(both);
    }

    /** Deep copies (no gradients) in the arrays' own managers, under the same keys. */
    public ParameterSet copy() {
        Map<String, NDArray> c = new LinkedHashMap<>();
        arrays.forEach((k, v) -> c.put(k, v.stopGradient().duplicate()));
        return new ParameterSet(c);
    }

    /** Copies the values of {@code other} (same keys and shapes) into these arrays, in place. */
    public void assign(ParameterSet other) {
        try (NoGrad ignored = NoGrad.open()) {
            arrays.forEach((k, v) -> other.arrays.get(k).copyTo(v));
        }
    }

    /** {@code this = decay * this + (1 - decay) * other}, in place: one EMA update. */
    public void blend(ParameterSet other, double decay) {
        try (NoGrad ignored = NoGrad.open()) {
            arrays.forEach((k, v) -> {
                try (NDArray diff = other.arrays.get(k).sub(v); NDArray step = Ops.scale(diff, 1 - decay)) {
                    v.addi(step);
                }
            });
        }
    }
}
