package org.draglora.engine.unet;

import ai.djl.ndarray.NDArray;
import java.util.List;

/** A down block of the UNet: {@link CrossAttnDownBlock2D} or {@link DownBlock2D}. */
interface DownBlock {

    /**
     * The output of a down block: the hidden states passed on, and the states pushed on the skip
     * stack (each resnet/attention output, then the downsampler output).
     */
    record Output(NDArray hiddenStates, List<NDArray> resSamples) {
        public Output {
            resSamples = List.copyOf(resSamples);
        }
    }

    Output forward(NDArray hiddenStates, NDArray temb, NDArray encoderHiddenStates, ForwardContext ctx);

    /** The resnets in call order. */
    List<ResnetBlock2D> resnets();

    /** The attentions in call order (empty without transformers). */
    List<Attention> attentions();
}
