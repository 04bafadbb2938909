package org.draglora.engine.drag;

/**
 * How DragLoRA adapts the input latent to the drag LoRA after each iteration (ILFA, ALGORITHM.md §6).
 */
public enum IlfaMethod {

    /** No adaptation: the latent stays the inverted one (DragDiffusion; the "no ILFA" ablation). */
    OFF,

    /**
     * The reference's ILFA (DL:utils/drag_utils_lora.py:288-309): DDIM-denoise t -> t-20 with the drag
     * LoRA, DDPM re-noise back to t with fresh noise, inside the mask.
     */
    RENOISE,

    /**
     * The latent region around each handle moves with the tracked handle ({@link LatentFollow}),
     * inside the mask; no UNet pass. For models on which the re-noising step dissolves shapes (the
     * embedded model's {@code draglora.json} chooses it).
     */
    SHIFT;

    /** Whether the latent is adapted at all. */
    public boolean on() {
        return this != OFF;
    }

    /** The value by its lower-case name as configuration files write it ("off", "renoise", "shift"). */
    public static IlfaMethod parse(String name) {
        for (IlfaMethod m : values()) {
            if (m.name().equalsIgnoreCase(name)) {
                return m;
            }
        }
        throw new IllegalArgumentException("unknown ILFA method '" + name + "' (off, renoise, shift)");
    }
}
