package org.draglora.sessions.edit;

import org.draglora.sessions.gpu.JobPriority;

/**
 * How a dragging session behaves in one optimisation mode: which job it submits next and which
 * mode follows a step. The switching rule itself (ALGORITHM.md §7) is the engine's; the step's
 * outcome says which mode the engine chose, and the behaviour follows it. One job at a time.
 */
sealed interface DragModeBehavior permits DooMode, IlfaMode {

    /** The mode's engine name ("DOO", "ILFA_ONLY"). */
    String engineMode();

    /** The scheduler priority of this mode's steps: both are interactive (the user is watching). */
    default JobPriority priority() {
        return JobPriority.INTERACTIVE;
    }

    /** The behaviour after a step whose outcome chose {@code nextMode} ({@code null} = unchanged). */
    default DragModeBehavior next(String nextMode) {
        return nextMode == null ? this : of(nextMode);
    }

    /** The behaviour of an engine mode name. */
    static DragModeBehavior of(String engineMode) {
        return "ILFA_ONLY".equals(engineMode) ? IlfaMode.INSTANCE : DooMode.INSTANCE;
    }
}
