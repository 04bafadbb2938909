package org.draglora.engine.bench;

/**
 * How many generated scenes a model benchmark measures, and the seed they come from
 * ({@code --n} and {@code --seed} of {@code bench prompts} and {@code bench samples}).
 */
public record SceneCases(int cases, long seed) {

    /** Rejects fewer than one scene. */
    public SceneCases {
        if (cases < 1) {
            throw new IllegalArgumentException("--n must be at least 1, got " + cases);
        }
    }
}
