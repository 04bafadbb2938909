package org.draglora.engine.shapes;

/**
 * Paints a {@link Background} into a row-major RGB buffer of doubles (0..255 scale, not yet rounded).
 */
final class BackgroundPainter {

    private BackgroundPainter() {
    }

    static void paint(Background bg, int w, int h, double[] buf) {
        switch (bg.kind()) {
            case GRADIENT:
                gradient(bg, w, h, buf);
                break;
            case STRIPES:
                stripes(bg, w, h, buf);
                break;
            case NOISE:
                noise(bg, w, h, buf);
                break;
            default:
                Blend flat = new Blend(bg.colour(), bg.colour());
                for (int i = 0; i < w * h; i++) {
                    flat.set(buf, i, 0);
                }
        }
    }

    private static void gradient(Background bg, int w, int h, double[] buf) {
        double c = StrictMath.cos(bg.angle());
        double s = StrictMath.sin(bg.angle());
        double half = 0.5 * ((w - 1) * Math.abs(c) + (h - 1) * Math.abs(s));
        double mx = 0.5 * (w - 1);
        Blend blend = new Blend(bg.colour(), bg.secondColour());
        double my = 0.5 * (h - 1);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                double proj = (x - mx) * c + (y - my) * s;
                double t = half > 0 ? 0.5 * (proj / half + 1) : 0.5;
                blend.set(buf, y * w + x, Math.max(0, Math.min(1, t)));
            }
        }
    }

    /** Box-filtered bands: coverage of the second tone = clamp(0.5 + signed distance / footprint). */
    private static void stripes(Background bg, int w, int h, double[] buf) {
        double c = StrictMath.cos(bg.angle());
        double s = StrictMath.sin(bg.angle());
        double footprint = Math.abs(c) + Math.abs(s); // a pixel's width projected on the band normal
        double halfPeriod = 0.5 * bg.period();
        Blend blend = new Blend(bg.colour(), bg.secondColour());
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                double q = (x * c + y * s) / halfPeriod;
                double k = Math.floor(q);
                double frac = q - k;
                double dist = halfPeriod * Math.min(frac, 1 - frac);
                double signed = (((long) k) & 1L) == 1L ? dist : -dist;
                double t = Math.max(0, Math.min(1, 0.5 + signed / footprint));
                blend.set(buf, y * w + x, t);
            }
        }
    }

    /** Two octaves of value noise (cells of {@code period} and half that), smoothstep-interpolated. */
    private static void noise(Background bg, int w, int h, double[] buf) {
        double[] field = new double[w * h];
        addOctave(field, w, h, bg.period(), bg.seed(), 1.0);
        addOctave(field, w, h, 0.5 * bg.period(), bg.seed() ^ 0x5DEECE66DL, 0.5);
        ShapeColour col = bg.colour();
        double scale = Background.NOISE_AMPLITUDE / 1.5; // octave amplitudes sum to 1.5
        for (int i = 0; i < w * h; i++) {
            double d = scale * field[i];
            buf[3 * i] = col.red() + d;
            buf[3 * i + 1] = col.green() + d;
            buf[3 * i + 2] = col.blue() + d;
        }
    }

    private static void addOctave(double[] field, int w, int h, double cell, long seed, double amplitude) {
        int gw = (int) Math.ceil((w - 1) / cell) + 2;
        int gh = (int) Math.ceil((h - 1) / cell) + 2;
        double[] lattice = new double[gw * gh];
        for (int j = 0; j < gh; j++) {
            for (int i = 0; i < gw; i++) {
                lattice[j * gw + i] = latticeValue(seed, i, j);
            }
        }
        int[] col = new int[w];
        double[] tx = new double[w];
        for (int x = 0; x < w; x++) {
            double gx = x / cell;
            col[x] = (int) gx;
            tx[x] = smooth(gx - col[x]);
        }
        for (int y = 0; y < h; y++) {
            double gy = y / cell;
            int j = (int) gy;
            double ty = smooth(gy - j);
            int top = j * gw;
            int bottom = top + gw;
            for (int x = 0; x < w; x++) {
                int i = col[x];
                double a = lattice[top + i] + tx[x] * (lattice[top + i + 1] - lattice[top + i]);
                double b = lattice[bottom + i] + tx[x] * (lattice[bottom + i + 1] - lattice[bottom + i]);
                field[y * w + x] += amplitude * (a + ty * (b - a));
            }
        }
    }

    /** A value in [-1, 1) from the lattice point's hash (SplitMix64 finaliser). */
    private static double latticeValue(long seed, int i, int j) {
        long z = seed + 0x9E3779B97F4A7C15L * (i + 1) + 0xC2B2AE3D27D4EB4FL * (j + 1);
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        z = z ^ (z >>> 31);
        return (z >>> 11) * 0x1.0p-52 - 1;
    }

    private static double smooth(double t) {
        return t * t * (3 - 2 * t);
    }

    /** Linear blend between two colours, components held as doubles for the per-pixel loops. */
    private static final class Blend {
        private final double r;
        private final double g;
        private final double b;
        private final double dr;
        private final double dg;
        private final double db;

        Blend(ShapeColour from, ShapeColour to) {
            r = from.red();
            g = from.green();
            b = from.blue();
            dr = to.red() - r;
            dg = to.green() - g;
            db = to.blue() - b;
        }

        void set(double[] buf, int pixel, double t) {
            buf[3 * pixel] = r + t * dr;
            buf[3 * pixel + 1] = g + t * dg;
            buf[3 * pixel + 2] = b + t * db;
        }
    }
}
