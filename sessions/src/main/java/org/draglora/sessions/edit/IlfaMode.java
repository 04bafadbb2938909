package org.draglora.sessions.edit;

/**
 * ILFA-only: each step is one forward without autograd (tracking, then ILFA on the latent), no
 * optimiser step (ALGORITHM.md §6, §7). Cheaper than a DOO step, so the fair scheduler charges
 * the session less device time for it.
 */
enum IlfaMode implements DragModeBehavior {
    INSTANCE;

    @Override
    public String engineMode() {
        return "ILFA_ONLY";
    }
}
