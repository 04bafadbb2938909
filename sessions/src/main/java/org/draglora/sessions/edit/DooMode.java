package org.draglora.sessions.edit;

/**
 * DOO+ILFA: each step is a forward with autograd, the drag + mask + DDS losses, one backward and
 * an AdamW step on the drag LoRA, then ILFA (ALGORITHM.md §5).
 */
enum DooMode implements DragModeBehavior {
    INSTANCE;

    @Override
    public String engineMode() {
        return "DOO";
    }
}
