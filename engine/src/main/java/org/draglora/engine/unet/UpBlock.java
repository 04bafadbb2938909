package org.draglora.engine.unet;

import ai.djl.ndarray.NDArray;
import java.util.Deque;
import java.util.List;

/** An up block of the UNet: {@link CrossAttnUpBlock2D} or {@link UpBlock2D}. */
interface UpBlock {

    /**
     * Runs the block, popping one skip state per resnet from the end of {@code skips} (the
     * concatenation is {@code cat([hidden, skip], dim=1)}, hidden first).
     */
    NDArray forward(NDArray hiddenStates, Deque<NDArray> skips, NDArray temb, NDArray encoderHiddenStates,
            ForwardContext ctx);

    /** The resnets in call order. */
    List<ResnetBlock2D> resnets();

    /** The attentions in call order (empty without transformers). */
    List<Attention> attentions();
}
