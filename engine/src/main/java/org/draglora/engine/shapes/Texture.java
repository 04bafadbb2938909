package org.draglora.engine.shapes;

/**
 * The fill pattern of a shape: one colour, or two (the fill and its shade) laid out in the object's own frame,
 * so the pattern moves, turns and stretches with the object.
 */
public enum Texture {
    /** The fill colour everywhere. */
    SOLID(""),
    /** Bands parallel to the object's local x axis, alternating fill and shade. */
    STRIPES("striped"),
    /** A checkerboard of fill and shade cells. */
    CHECKER("checkered"),
    /** A linear blend from the fill (top in the object's frame) to the shade (bottom). */
    GRADIENT("shaded");

    private final String adjective;

    Texture(String adjective) {
        this.adjective = adjective;
    }

    /** The word a prompt puts before the shape's noun ("striped"), empty for {@link #SOLID}. */
    public String adjective() {
        return adjective;
    }

    /**
     * The shade weight at local point (u, v): 0 means the fill colour, 1 the shade, values between a blend
     * (only {@link #GRADIENT} blends).
     */
    double weight(double u, double v) {
        switch (this) {
            case STRIPES:
                return (((long) Math.floor(v / BAND)) & 1L) == 0 ? 0 : 1;
            case CHECKER:
                return ((((long) Math.floor(u / BAND)) + ((long) Math.floor(v / BAND))) & 1L) == 0 ? 0 : 1;
            case GRADIENT:
                return Math.min(1, Math.max(0, (v + 1) * 0.5));
            default:
                return 0;
        }
    }

    /**
     * A lower bound, in local units, on the distance from (u, v) to the nearest place where the pattern changes
     * colour abruptly; {@code +Infinity} for the patterns without sharp edges. The renderer samples a pixel once
     * when this exceeds the pixel's reach, and supersamples it otherwise.
     */
    double edgeDistance(double u, double v) {
        switch (this) {
            case STRIPES:
                return BAND * fold(v / BAND);
            case CHECKER:
                return BAND * Math.min(fold(u / BAND), fold(v / BAND));
            default:
                return Double.POSITIVE_INFINITY;
        }
    }

    /** Width of one stripe or checker cell in local units (the shape's size is 1). */
    static final double BAND = 0.25;

    private static double fold(double q) {
        double f = q - Math.floor(q);
        return Math.min(f, 1 - f);
    }
}
