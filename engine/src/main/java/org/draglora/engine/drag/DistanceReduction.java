package org.draglora.engine.drag;

/** How the L1 feature distance of tracking reduces over channels (ALGORITHM.md §8, §13.3). */
public enum DistanceReduction {

    /**
     * {@code mean_c |f0_c - F1_c(q)|}: DragLoRA (DL:utils/drag_utils_lora.py:76). The switching
     * thresholds d1 = 1.0 and d2 = 1.3 are in these units.
     */
    MEAN,

    /** {@code sum_c |f0_c - F1_c(q)|}: DragDiffusion (DD:utils/drag_utils.py:38). */
    SUM
}
