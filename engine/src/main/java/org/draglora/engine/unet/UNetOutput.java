package org.draglora.engine.unet;

import ai.djl.ndarray.NDArray;
import java.util.List;

/**
 * What one UNet call returns: the noise prediction and the intermediate features that drag
 * editing supervises (ALGORITHM.md §1.3, DL:utils/pipelines/drag_pipeline_lora.py:252-291).
 *
 * @param sample the noise prediction eps, (B, outChannels, H, W)
 * @param midBlock the mid block output
 * @param upBlocks the output of each up block, after its upsampler (up_blocks.0 ... up_blocks.3)
 */
public record UNetOutput(NDArray sample, NDArray midBlock, List<NDArray> upBlocks) {

    public UNetOutput {
        upBlocks = List.copyOf(upBlocks);
    }

    /**
     * The reference code's feature list {@code [mid_block, up_blocks.0, ..., up_blocks.3]}; its
     * default {@code unet_feature_idx = [3]} is {@code up_blocks.2}.
     */
    public List<NDArray> features() {
        java.util.ArrayList<NDArray> all = new java.util.ArrayList<>();
        all.add(midBlock);
        all.addAll(upBlocks);
        return all;
    }
}
