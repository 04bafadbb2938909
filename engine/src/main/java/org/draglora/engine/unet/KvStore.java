package org.draglora.engine.unet;

import ai.djl.ndarray.NDArray;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Self-attention keys and values by attention key path, captured in one forward pass and injected
 * into another (the mutual self-attention of the final denoising, ALGORITHM.md §9). Captured
 * arrays are moved to the store's manager (attention intermediates die with the attention
 * otherwise); a store typically lives for one denoising step, in that step's manager.
 */
public final class KvStore {

    private final ai.djl.ndarray.NDManager owner;

    /** A store whose captured arrays belong to {@code owner}. */
    public KvStore(ai.djl.ndarray.NDManager owner) {
        this.owner = owner;
    }

    /** Keys and values of one attention, (B, N, C) each, before the head split. */
    public record KeyValue(NDArray key, NDArray value) {}

    private final Map<String, KeyValue> entries = new LinkedHashMap<>();

    void put(String path, NDArray key, NDArray value) {
        key.attach(owner);
        value.attach(owner);
        entries.put(path, new KeyValue(key, value));
    }

    /** The captured pair of {@code path}, or an exception naming it. */
    public KeyValue get(String path) {
        KeyValue kv = entries.get(path);
        if (kv == null) {
            throw new IllegalStateException("no K/V captured for " + path + " (captured: " + entries.keySet() + ")");
        }
        return kv;
    }

    /** The captured paths in capture order. */
    public java.util.Set<String> paths() {
        return java.util.Collections.unmodifiableSet(entries.keySet());
    }

    /** Forgets every entry (the arrays stay with their manager). */
    public void clear() {
        entries.clear();
    }
}
