package org.draglora.engine.shapes;

/**
 * A scene's background: muted mid-tone colours (see {@link Palette#BACKGROUND_COLOURS}), low in contrast so the
 * objects stand out.
 *
 * <p>{@code angle} (radians) is the direction of the gradient or the normal of the stripes; {@code period} is
 * the stripe period or the noise cell size in pixels; {@code seed} drives the noise. Unused fields are ignored
 * (use the factories).
 */
public record Background(BackgroundKind kind, ShapeColour colour, ShapeColour secondColour, double angle,
        double period, long seed) {

    /** Grey-level amplitude of {@link BackgroundKind#NOISE} (the field spans about +-this many levels). */
    public static final double NOISE_AMPLITUDE = 14;

    /** Rejects nulls, a non-finite angle, and a period that is not positive where the kind uses one. */
    public Background {
        if (kind == null || colour == null || secondColour == null) {
            throw new IllegalArgumentException("kind, colour and secondColour must not be null");
        }
        if (!Double.isFinite(angle)) {
            throw new IllegalArgumentException("angle must be finite, got " + angle);
        }
        boolean usesPeriod = kind == BackgroundKind.STRIPES || kind == BackgroundKind.NOISE;
        if (usesPeriod && !(period > 0 && Double.isFinite(period))) {
            throw new IllegalArgumentException(kind + " needs a positive period, got " + period);
        }
    }

    /** One colour everywhere. */
    public static Background flat(ShapeColour colour) {
        return new Background(BackgroundKind.FLAT, colour, colour, 0, 0, 0);
    }

    /** A blend from {@code from} to {@code to} along direction {@code angle}. */
    public static Background gradient(ShapeColour from, ShapeColour to, double angle) {
        return new Background(BackgroundKind.GRADIENT, from, to, angle, 0, 0);
    }

    /** Bands of {@code colour} and {@code other}, each half a period wide, with normal direction {@code angle}. */
    public static Background stripes(ShapeColour colour, ShapeColour other, double angle, double period) {
        return new Background(BackgroundKind.STRIPES, colour, other, angle, period, 0);
    }

    /** Value noise around {@code colour} with cells of {@code cellSize} pixels. */
    public static Background noise(ShapeColour colour, double cellSize, long seed) {
        return new Background(BackgroundKind.NOISE, colour, colour, 0, cellSize, seed);
    }

    /** The prompt phrase: "on a grey striped background". */
    String phrase() {
        String name = colour.name();
        switch (kind) {
            case GRADIENT:
                return "on a " + name + " gradient background";
            case STRIPES:
                return "on a " + name + " striped background";
            case NOISE:
                return "on a " + name + " mottled background";
            default:
                return "on a " + name + " background";
        }
    }
}
