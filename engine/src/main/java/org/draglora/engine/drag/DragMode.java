package org.draglora.engine.drag;

/** The two modes of DragLoRA's adaptive switching scheme (ALGORITHM.md §7). */
public enum DragMode {

    /** Dual-objective optimisation: an optimiser step on the LoRA, then ILFA ({@code ada == False}). */
    DOO,

    /** Tracking and ILFA only, no backward pass and no step count ({@code ada == True}). */
    ILFA_ONLY
}
