package org.draglora.engine.drag;

/**
 * The knobs of the adaptive switching scheme (ALGORITHM.md §7, §12; DL:utils/drag_utils_lora.py:193-227).
 *
 * @param kIni ILFA-only may start once the accepted DOO step count k is strictly above it (10, {@code :197})
 * @param d1 entry threshold on {@code min(minD)} (1.0, {@code :197})
 * @param d2 trace-back threshold on {@code max(minD)} and exit threshold on {@code min(minD)} (1.3, {@code :201,219})
 * @param l2 entry threshold on the Frobenius deviation of the tracked handles from the expected
 *     positions {@code p + d} (1.4, {@code :198})
 * @param maxTraceBacks consecutive trace-backs allowed before the tracked points are kept (3, {@code :205})
 * @param maxNoMove ILFA-only ends once more than this many iterations moved no point (5, {@code :219})
 * @param maxIlfaOnly our cap on consecutive ILFA-only iterations; the reference has none (§13.5, §16.4).
 *     The default 20 is 4x the no-move allowance (6 stalled iterations end an episode), so an
 *     episode that keeps finding moves is rarely cut, while a handle circling on an equal-distance
 *     arc (which never counts as "no move") costs at most 40 UNet forwards, about 7 DOO steps of ~6
 *     forward-equivalents (fwd+bwd, 2 DDS, ILFA). {@link #UNCAPPED} restores the reference
 * @param enabled false = always DOO with the tracked points, no trace-back: the "no adaptive
 *     switching" ablation (paper Table 3)
 */
public record SwitchingSettings(int kIni, double d1, double d2, double l2, int maxTraceBacks, int maxNoMove,
        int maxIlfaOnly, boolean enabled) {

    /** A {@code maxIlfaOnly} that never triggers: the reference's unbounded ILFA-only mode. */
    public static final int UNCAPPED = Integer.MAX_VALUE;

    /** Our default cap on consecutive ILFA-only iterations (see {@code maxIlfaOnly}). */
    public static final int DEFAULT_MAX_ILFA_ONLY = 20;

    public SwitchingSettings {
        if (kIni < 0) {
            throw new IllegalArgumentException("kIni must be >= 0, got " + kIni);
        }
        requirePositive("d1", d1);
        requirePositive("d2", d2);
        requirePositive("l2", l2);
        if (maxTraceBacks < 0) {
            throw new IllegalArgumentException("maxTraceBacks must be >= 0, got " + maxTraceBacks);
        }
        if (maxNoMove < 0) {
            throw new IllegalArgumentException("maxNoMove must be >= 0, got " + maxNoMove);
        }
        if (maxIlfaOnly < 1) {
            throw new IllegalArgumentException("maxIlfaOnly must be >= 1 (UNCAPPED for no cap), got " + maxIlfaOnly);
        }
    }

    /** The reference's constants with our ILFA-only cap. */
    public static SwitchingSettings defaults() {
        return new SwitchingSettings(10, 1.0, 1.3, 1.4, 3, 5, DEFAULT_MAX_ILFA_ONLY, true);
    }

    /** Exactly the reference: its constants and no cap on ILFA-only iterations. */
    public static SwitchingSettings reference() {
        return new SwitchingSettings(10, 1.0, 1.3, 1.4, 3, 5, UNCAPPED, true);
    }

    /** Switching off: always DOO (DragDiffusion, and the "no ASS" ablation). */
    public static SwitchingSettings disabled() {
        return new SwitchingSettings(10, 1.0, 1.3, 1.4, 3, 5, DEFAULT_MAX_ILFA_ONLY, false);
    }

    private static void requirePositive(String name, double v) {
        if (!(v > 0) || Double.isInfinite(v)) {
            throw new IllegalArgumentException(name + " must be positive and finite, got " + v);
        }
    }
}
