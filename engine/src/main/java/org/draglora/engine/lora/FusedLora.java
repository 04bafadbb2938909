package org.draglora.engine.lora;

import ai.djl.ndarray.NDArray;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import org.draglora.engine.nn.LayerAdapters;

/**
 * A frozen fused view of a LoRA set: replacement weights {@code W + scale * up @ down} by layer
 * path (the reference's RecLoRA-fused "ori" UNet, ALGORITHM.md §1.4). The arrays belong to the
 * manager given to {@link LoraSet#fuse}.
 */
public final class FusedLora implements LayerAdapters {

    private final Map<String, NDArray> weights;

    FusedLora(Map<String, NDArray> weights) {
        this.weights = Collections.unmodifiableMap(new LinkedHashMap<>(weights));
    }

    /** Number of fused layers. */
    public int size() {
        return weights.size();
    }

    @Override
    public NDArray weight(String path) {
        return weights.get(path);
    }
}
