package org.draglora.engine.clip;

import ai.djl.ndarray.NDArray;
import java.util.List;

/**
 * What one text-encoder call returns, transformers' {@code BaseModelOutputWithPooling} with
 * {@code output_hidden_states=True}.
 *
 * @param lastHiddenState (B, L, C) after the final layer norm: what SD feeds the UNet
 * @param pooledOutput (B, C) the last hidden state at the eos position of each row
 * @param hiddenStates numHiddenLayers + 1 entries of (B, L, C): the embeddings, then each layer's output before
 *     the final layer norm ("clip skip" uses {@code hiddenStates.get(size - 2)} plus the final norm)
 */
public record CLIPTextOutput(NDArray lastHiddenState, NDArray pooledOutput, List<NDArray> hiddenStates) {

    public CLIPTextOutput {
        hiddenStates = List.copyOf(hiddenStates);
    }
}
