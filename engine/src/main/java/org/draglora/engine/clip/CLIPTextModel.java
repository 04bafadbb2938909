package org.draglora.engine.clip;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import org.draglora.engine.nn.LayerNorm;
import org.draglora.engine.weights.WeightLoadException;
import org.draglora.engine.weights.WeightScope;
import org.draglora.engine.weights.WeightSource;

/**
 * Port of transformers {@code CLIPTextModel} (models/clip/modeling_clip.py, transformers 4.38,
 * eager attention) with its {@code CLIPTextTransformer} and {@code CLIPEncoder} folded in (they
 * hold no weights of their own besides final_layer_norm): embeddings, causal pre-LN encoder
 * layers, final layer norm, and the pooled state at each row's eos position.
 *
 * <p>Keys: text_model.embeddings, text_model.encoder.layers.N, text_model.final_layer_norm; the
 * optional buffer text_model.embeddings.position_ids is ignored ({@link #IGNORABLE_KEYS}).
 * Shapes: inputIds (B, L) INT64, L <= max_position_embeddings -> lastHiddenState (B, L, C),
 * pooledOutput (B, C). SD 1.5 passes no attention mask, so padding tokens are attended to.
 */
public final class CLIPTextModel implements AutoCloseable {

    /** Checkpoint keys that may stay unconsumed: the {@code position_ids} buffer older transformers saved. */
    public static final Predicate<String> IGNORABLE_KEYS = key -> key.endsWith("position_ids");

    private final CLIPTextConfig config;
    private final NDManager manager;
    private final DataType dtype;
    private final CLIPTextEmbeddings embeddings;
    private final List<CLIPEncoderLayer> layers = new ArrayList<>();
    private final LayerNorm finalLayerNorm;

    /** Builds (and so loads) the model from {@code w}; the model owns {@code w.manager()}. */
    public CLIPTextModel(WeightScope w, CLIPTextConfig cfg) {
        this.config = cfg;
        this.manager = w.manager();
        this.dtype = w.dtype();
        WeightScope t = w.child("text_model");
        embeddings = new CLIPTextEmbeddings(t.child("embeddings"), cfg);
        for (int i = 0; i < cfg.numHiddenLayers(); i++) {
            layers.add(new CLIPEncoderLayer(t.child("encoder").child("layers").child(i), cfg));
        }
        finalLayerNorm = new LayerNorm(t.child("final_layer_norm"), cfg.hiddenSize(), cfg.layerNormEps());
    }

    /**
     * Strict float32 load from {@code source} into {@code manager}, which the model then owns; only
     * {@link #IGNORABLE_KEYS} may stay unconsumed. On a key or shape mismatch the manager is closed
     * and a {@link WeightLoadException} lists every problem.
     */
    public static CLIPTextModel load(WeightSource source, NDManager manager, CLIPTextConfig cfg) {
        WeightScope w = WeightScope.load(source, manager, DataType.FLOAT32, IGNORABLE_KEYS);
        CLIPTextModel model = new CLIPTextModel(w, cfg);
        try {
            w.verify();
        } catch (WeightLoadException e) {
            model.close();
            throw e;
        }
        return model;
    }

    /** The configuration. */
    public CLIPTextConfig config() {
        return config;
    }

    /** The element type of the weights. */
    public DataType dtype() {
        return dtype;
    }

    public CLIPTextOutput forward(NDArray inputIds) {
        if (inputIds.getShape().dimension() != 2) {
            throw new IllegalArgumentException("input_ids must be (B, L), got " + inputIds.getShape());
        }
        NDArray ids = inputIds.toType(DataType.INT64, false);
        long batch = ids.getShape().get(0);
        long len = ids.getShape().get(1);
        List<NDArray> hiddenStates = new ArrayList<>();
        NDArray x = embeddings.forward(ids);
        hiddenStates.add(x);
        NDArray mask = causalMask(ids.getManager(), len, x.getDataType());
        for (CLIPEncoderLayer layer : layers) {
            x = layer.forward(x, mask);
            hiddenStates.add(x);
        }
        NDArray last = finalLayerNorm.forward(x);

        // pooled: last (B, L, C) at one position per row; index (B) -> (B, 1, 1) -> (B, 1, C)
        long hidden = config.hiddenSize();
        NDArray index = eosPositions(ids).reshape(batch, 1, 1).broadcast(new Shape(batch, 1, hidden));
        // (B, 1, C) -> (B, C)
        NDArray pooled = last.gather(index, 1).reshape(batch, hidden);
        return new CLIPTextOutput(last, pooled, hiddenStates);
    }

    /**
     * The eos position of each row, (B) INT64. With the legacy eos id 2 (SD 1.5's config)
     * transformers takes {@code argmax(input_ids)}, which is the first end-of-text token because it
     * has the largest id; otherwise the first position holding {@code eos_token_id}.
     */
    private NDArray eosPositions(NDArray ids) {
        if (config.eosTokenId() == CLIPTextConfig.LEGACY_EOS_TOKEN_ID) {
            return ids.argMax(1);
        }
        return ids.eq(config.eosTokenId()).toType(DataType.INT32, false).argMax(1);
    }

    /**
     * transformers' {@code _create_4d_causal_attention_mask}: 0 on and below the diagonal, the
     * dtype's lowest finite value above it (future positions). Shape (L, L), broadcast over
     * (B, heads, L, L).
     */
    private static NDArray causalMask(NDManager m, long len, DataType dtype) {
        NDArray positions = m.arange(0, len, 1, DataType.INT64);
        // future[i, j] = j > i: (1, L) > (L, 1) -> (L, L)
        NDArray future = positions.reshape(1, len).gt(positions.reshape(len, 1));
        return future.toType(dtype, false).mul(lowestFinite(dtype));
    }

    /** {@code torch.finfo(dtype).min}, the value transformers fills masked scores with. */
    private static float lowestFinite(DataType dtype) {
        switch (dtype) {
            case FLOAT16:
                return -65504f; // torch.finfo(torch.float16).min
            case BFLOAT16:
                return -3.3895314e38f; // torch.finfo(torch.bfloat16).min
            default:
                return -Float.MAX_VALUE; // torch.finfo(torch.float32).min
        }
    }

    /** Frees the weights. */
    @Override
    public void close() {
        if (manager != null) {
            manager.close();
        }
    }
}
