package org.draglora.engine.shapes;

import java.util.List;

/**
 * The colours of the ShapeDrag world: saturated or extreme object colours, muted mid-tone background colours,
 * and the rule that gives each object colour its texture shade.
 *
 * <p>The sets are chosen so colour segmentation is easy: every object colour segment (fill to shade) keeps at
 * least 85 RGB units from every background colour, tone, noise extreme and gradient mix, and the generators
 * only combine object colours whose segments are at least {@link #MIN_SEPARATION} apart.
 */
public final class Palette {

    /** Object colours, well apart from each other and from the backgrounds. */
    public static final List<ShapeColour> OBJECT_COLOURS = List.of(
            new ShapeColour("red", 220, 30, 30),
            new ShapeColour("green", 30, 165, 50),
            new ShapeColour("blue", 30, 60, 220),
            new ShapeColour("yellow", 250, 225, 30),
            new ShapeColour("orange", 250, 130, 20),
            new ShapeColour("purple", 120, 30, 190),
            new ShapeColour("cyan", 30, 210, 220),
            new ShapeColour("magenta", 235, 50, 175),
            new ShapeColour("white", 250, 250, 250),
            new ShapeColour("black", 15, 15, 15));

    /** Background colours: mid tones close to each other. */
    public static final List<ShapeColour> BACKGROUND_COLOURS = List.of(
            new ShapeColour("grey", 128, 128, 128),
            new ShapeColour("sand", 150, 140, 112),
            new ShapeColour("slate", 104, 118, 134),
            new ShapeColour("sage", 118, 134, 108),
            new ShapeColour("mauve", 136, 114, 126));

    /** Smallest RGB distance between the colour segments of two objects placed in one generated scene. */
    public static final double MIN_SEPARATION = 100;

    /** How much lighter the second tone of a striped background is, per channel. */
    public static final int STRIPE_TONE_STEP = 16;

    private static final double[][] SEPARATION = new double[OBJECT_COLOURS.size()][OBJECT_COLOURS.size()];

    static {
        for (int i = 0; i < OBJECT_COLOURS.size(); i++) {
            for (int j = 0; j < OBJECT_COLOURS.size(); j++) {
                ShapeColour a = OBJECT_COLOURS.get(i);
                ShapeColour b = OBJECT_COLOURS.get(j);
                SEPARATION[i][j] = segmentDistance(a, shadeOf(a), b, shadeOf(b));
            }
        }
    }

    private Palette() {
    }

    /**
     * The second colour of a textured object: the fill darkened to 82 %, or for a very dark fill (every channel
     * below 60) lightened by 16 % of the way to white. It keeps the colour's name.
     */
    public static ShapeColour shadeOf(ShapeColour fill) {
        if (Math.max(fill.red(), Math.max(fill.green(), fill.blue())) < 60) {
            return new ShapeColour(fill.name(), lighten(fill.red()), lighten(fill.green()), lighten(fill.blue()));
        }
        return new ShapeColour(fill.name(), (int) Math.round(fill.red() * 0.82),
                (int) Math.round(fill.green() * 0.82), (int) Math.round(fill.blue() * 0.82));
    }

    /** The lighter second tone of a striped background. */
    public static ShapeColour stripeToneOf(ShapeColour background) {
        return new ShapeColour(background.name(), Math.min(255, background.red() + STRIPE_TONE_STEP),
                Math.min(255, background.green() + STRIPE_TONE_STEP),
                Math.min(255, background.blue() + STRIPE_TONE_STEP));
    }

    /**
     * The smallest RGB distance between the colour segments (fill to shade) of the object colours at indices
     * {@code i} and {@code j} of {@link #OBJECT_COLOURS}.
     */
    public static double separation(int i, int j) {
        return SEPARATION[i][j];
    }

    /** Distance in RGB space from colour (r, g, b) to the segment between {@code a} and {@code b}. */
    public static double distanceToSegment(double r, double g, double b, ShapeColour a, ShapeColour bEnd) {
        double er = bEnd.red() - a.red();
        double eg = bEnd.green() - a.green();
        double eb = bEnd.blue() - a.blue();
        double pr = r - a.red();
        double pg = g - a.green();
        double pb = b - a.blue();
        double len2 = er * er + eg * eg + eb * eb;
        double t = len2 == 0 ? 0 : Math.max(0, Math.min(1, (pr * er + pg * eg + pb * eb) / len2));
        double dr = pr - t * er;
        double dg = pg - t * eg;
        double db = pb - t * eb;
        return Math.sqrt(dr * dr + dg * dg + db * db);
    }

    /** Smallest distance between segments a1-a2 and b1-b2, to within a unit (sampled). */
    static double segmentDistance(ShapeColour a1, ShapeColour a2, ShapeColour b1, ShapeColour b2) {
        double best = Double.POSITIVE_INFINITY;
        for (int k = 0; k <= 64; k++) {
            double t = k / 64.0;
            double r = a1.red() + t * (a2.red() - a1.red());
            double g = a1.green() + t * (a2.green() - a1.green());
            double b = a1.blue() + t * (a2.blue() - a1.blue());
            best = Math.min(best, distanceToSegment(r, g, b, b1, b2));
        }
        return best;
    }

    private static int lighten(int c) {
        return (int) Math.round(c + (255 - c) * 0.16);
    }
}
