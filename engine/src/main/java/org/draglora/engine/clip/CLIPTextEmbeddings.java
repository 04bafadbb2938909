package org.draglora.engine.clip;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import org.draglora.engine.weights.WeightScope;

/**
 * Port of transformers {@code CLIPTextEmbeddings} (models/clip/modeling_clip.py, transformers 4.38):
 * token embedding of each id plus the position embedding of positions 0..L-1 (the default
 * {@code position_ids} buffer, which checkpoints may or may not store and this port never reads).
 *
 * <p>Keys under {@code text_model.embeddings.}: token_embedding.weight (vocab, C),
 * position_embedding.weight (maxPositions, C). Shapes: inputIds (B, L) INT64, L <= maxPositions
 * -> (B, L, C).
 */
public final class CLIPTextEmbeddings {

    private final NDArray tokenEmbedding;
    private final NDArray positionEmbedding;
    private final long hidden;
    private final long maxPositions;

    CLIPTextEmbeddings(WeightScope w, CLIPTextConfig cfg) {
        tokenEmbedding = w.child("token_embedding").get("weight", cfg.vocabSize(), cfg.hiddenSize());
        positionEmbedding = w.child("position_embedding").get("weight", cfg.maxPositionEmbeddings(), cfg.hiddenSize());
        hidden = cfg.hiddenSize();
        maxPositions = cfg.maxPositionEmbeddings();
    }

    public NDArray forward(NDArray inputIds) {
        long batch = inputIds.getShape().get(0);
        long len = inputIds.getShape().get(1);
        if (len > maxPositions) {
            throw new IllegalArgumentException("sequence length " + len + " exceeds max_position_embeddings "
                    + maxPositions);
        }
        // results go to the caller's manager, not the weights' (STACK.md §2: ops attach to the first operand's)
        NDManager m = inputIds.getManager();
        // (B, L) -> (B*L): one row of the table per id -> (B*L, C) -> (B, L, C)
        NDArray flatIds = inputIds.toType(DataType.INT64, false).reshape(batch * len);
        NDArray tokens = tokenEmbedding.get(m, new NDIndex("{}", flatIds)).reshape(batch, len, hidden);
        // rows 0..L-1, (L, C), broadcast over the batch
        NDArray positions = positionEmbedding.get(m, new NDIndex("0:{}", len));
        return tokens.add(positions);
    }
}
