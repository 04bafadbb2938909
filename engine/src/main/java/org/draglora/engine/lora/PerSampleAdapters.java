package org.draglora.engine.lora;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import java.util.ArrayList;
import java.util.List;
import org.draglora.engine.nn.LayerAdapters;

/**
 * Different LoRA sets for the samples of one batch, so that one UNet pass serves several models
 * that share the base weights: the expensive base products run batched, only the small LoRA
 * branches run per sample. Used for the two DDS forwards (RecLoRA and DragLoRA) and, later, for
 * batching several sessions' steps. Sample {@code i} of the batch uses {@code sets.get(i)};
 * fused weight overrides are not possible per sample and are not consulted.
 */
public final class PerSampleAdapters implements LayerAdapters {

    private final List<LayerAdapters> sets;

    public PerSampleAdapters(List<? extends LayerAdapters> sets) {
        if (sets.isEmpty()) {
            throw new IllegalArgumentException("need at least one adapter set");
        }
        this.sets = List.copyOf(sets);
    }

    @Override
    public NDArray weight(String path) {
        for (LayerAdapters s : sets) {
            if (s.weight(path) != null) {
                throw new IllegalStateException("per-sample adapters cannot use fused weights (" + path + ")");
            }
        }
        return null;
    }

    @Override
    public NDArray delta(String path, NDArray x) {
        long batch = x.getShape().get(0);
        if (batch != sets.size()) {
            throw new IllegalArgumentException("batch of " + batch + " for " + sets.size() + " adapter sets");
        }
        NDList parts = x.split(batch, 0);
        List<NDArray> deltas = new ArrayList<>();
        NDArray template = null;
        for (int i = 0; i < batch; i++) {
            NDArray d = sets.get(i).delta(path, parts.get(i));
            deltas.add(d);
            template = template == null ? d : template;
        }
        if (template == null) {
            return null;
        }
        NDList out = new NDList();
        for (NDArray d : deltas) {
            // a set without an adapter on this layer contributes zeros
            out.add(d != null ? d : template.zerosLike());
        }
        return NDArrays.concat(out, 0);
    }
}
