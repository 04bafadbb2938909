package org.draglora.engine.drag;

/**
 * Which candidates of the tracking window may become the new handle (ALGORITHM.md §8, paper §3.5
 * "EPT"). The window is {@code rows [max(0, p_r-r), min(Hf, p_r+r+1))}, cols likewise, enumerated
 * row-major (DL:utils/drag_utils_lora.py:48-53).
 */
public enum TrackingStrategy {

    /** The whole window: DragDiffusion's tracking (DD:utils/drag_utils.py:35-37). */
    SQUARE,

    /**
     * Window points no farther from the target than the current handle, {@code ||q-t|| <= ||p-t||};
     * the handle itself always qualifies. DragLoRA's default (DL:utils/drag_utils_lora.py:69-72).
     */
    DISTANCE_CLOSER,

    /**
     * Window points inside a ±30° cone toward the target, {@code cos(q-p, t-p) >= cos 30°}; the handle
     * itself is excluded (its zero vector has cosine 0). "draglora_fast" (DL:utils/drag_utils_lora.py:55-67).
     * Two fixes: with {@code ||t-p|| < 1} the handle stays and still reports its distance (the reference
     * skips the point and its minD, §16.3), and an empty cone (possible only with a target off the grid)
     * keeps the handle instead of failing.
     */
    ANGLE_CLOSER,

    /**
     * FreeDrag-style line search, absent from the reference (ALGORITHM.md §13.8, §17.5); our definition:
     * with {@code D = ||t-p||} and {@code u = (t-p)/D}, the candidates are {@code p + min(k, D) u} for
     * {@code k = 0, 1, ..., r}, duplicates dropped (so the target itself is the last candidate once it
     * is within reach), and the list stops at the map's border (a target off the grid). Features between
     * grid pixels are read bilinearly, so the new handle may be fractional. {@code k = 0} keeps the
     * handle a candidate, as in {@link #DISTANCE_CLOSER}.
     */
    LINEAR
}
