package org.draglora.engine.drag;

/** Which patch the drag loss pulls the shifted patch toward (ALGORITHM.md §5.3, §10, §13.2). */
public enum MotionReference {

    /**
     * The frozen patch of F0 (initial latent, initial LoRA) around the initial handle, taken once
     * before the loop: DragLoRA (DL:utils/drag_utils_lora.py:148-152, 247).
     */
    INITIAL_FEATURES,

    /** {@code stopgrad(F1)} around the current handle: DragDiffusion (DD:utils/drag_utils.py:142). */
    CURRENT_DETACHED
}
