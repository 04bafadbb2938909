package org.draglora.engine.unet;

import ai.djl.ndarray.NDArray;

/**
 * Records the layer's own K and V into a {@link KvStore}, then attends normally. Installed on the
 * reference (RecLoRA) UNet's self-attention layers during the final denoising (ALGORITHM.md §9).
 */
public final class KvCaptureProcessor implements AttnProcessor {

    private final KvStore store;

    public KvCaptureProcessor(KvStore store) {
        this.store = store;
    }

    @Override
    public NDArray attend(Attention attn, NDArray q, NDArray k, NDArray v) {
        store.put(attn.path(), k, v);
        return DefaultAttnProcessor.INSTANCE.attend(attn, q, k, v);
    }
}
