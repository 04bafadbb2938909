package org.draglora.engine.unet;

import ai.djl.ndarray.NDArray;

/**
 * Ignores the layer's own K and V and attends with the layer's queries to the K/V captured from
 * another pass: {@code softmax(Q_tgt K_src^T / sqrt(d)) V_src} (MasaCtrl mutual self-attention,
 * ALGORITHM.md §9; DL:utils/attn_utils_lora.py:69-102). {@code to_out} runs afterwards as usual.
 */
public final class KvInjectProcessor implements AttnProcessor {

    private final KvStore store;

    public KvInjectProcessor(KvStore store) {
        this.store = store;
    }

    @Override
    public NDArray attend(Attention attn, NDArray q, NDArray k, NDArray v) {
        KvStore.KeyValue source = store.get(attn.path());
        return DefaultAttnProcessor.INSTANCE.attend(attn, q, source.key(), source.value());
    }
}
