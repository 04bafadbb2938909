package org.draglora.engine.shapes;

/**
 * The shapes of the ShapeDrag world, each defined in its own local frame where the object's size is 1 and
 * {@code v} points down the image at rotation 0.
 *
 * <p>Each kind has a field {@code f(u, v)}: negative inside, positive outside, zero on the outline, and
 * 1-Lipschitz, so {@code |f|} is a lower bound on the distance to the outline (exact for the disc and ring,
 * exact inside the convex polygons). The renderer uses that bound to sample far-from-edge pixels once and
 * supersample only the pixels an edge may cross.
 */
public enum ShapeKind {
    /** A disc of radius 1. */
    DISC("disc", 1.0),
    /** A square of half-side 0.8. */
    SQUARE("square", 0.8 * Math.sqrt(2)),
    /** An equilateral triangle of circumradius 1.1, apex up, centroid at the origin. */
    TRIANGLE("triangle", 1.1),
    /** An annulus between radii 0.5 and 1. */
    RING("ring", 1.0),
    /** A five-pointed star, tips at radius 1.1 (one up), inner corners at radius 0.5. */
    STAR("star", 1.1),
    /** An ellipse with semi-axes 1 (along u) and 0.6 (along v). */
    ELLIPSE("ellipse", 1.0),
    /** A rectangle of half-sides 1 (along u) and 0.55 (along v). */
    RECTANGLE("rectangle", Math.sqrt(1 + 0.55 * 0.55));

    private static final double TRIANGLE_INRADIUS = 0.55;
    private static final double STAR_TIP = 1.1;
    private static final double STAR_INNER = 0.5;
    private static final double ELLIPSE_MINOR = 0.6;
    private static final double RECTANGLE_MINOR = 0.55;
    private static final double[] TRIANGLE_NX = new double[3];
    private static final double[] TRIANGLE_NY = new double[3];
    /** Unit directions of the star's five tips. */
    private static final double[] TIP_X = new double[5];
    private static final double[] TIP_Y = new double[5];
    /**
     * Half of the star's kite around its upper tip: after rotating a point into the sector of its nearest tip
     * (that tip then points along -v) and mirroring it to u >= 0, the star there is the intersection of two
     * half-planes n.p <= c: the edge from the centre to the inner corner and the edge from it to the tip.
     */
    private static final double[] KITE_NX = new double[2];
    private static final double[] KITE_NY = new double[2];
    private static final double[] KITE_C = new double[2];

    static {
        for (int i = 0; i < 3; i++) {
            double a = Math.toRadians(90 + 120 * i); // outward normal of the edge opposite each apex
            TRIANGLE_NX[i] = StrictMath.cos(a);
            TRIANGLE_NY[i] = StrictMath.sin(a);
        }
        for (int k = 0; k < 5; k++) {
            double tip = Math.toRadians(-90 + 72 * k);
            TIP_X[k] = StrictMath.cos(tip);
            TIP_Y[k] = StrictMath.sin(tip);
        }
        // canonical kite half: centre O = (0, 0), inner corner I at angle -90 + 36 degrees, tip T = (0, -1.1)
        double ix = STAR_INNER * StrictMath.cos(Math.toRadians(-54));
        double iy = STAR_INNER * StrictMath.sin(Math.toRadians(-54));
        double[][] edges = {{0, 0, ix, iy}, {ix, iy, 0, -STAR_TIP}};
        double mx = 0.25 * ix; // a point inside the kite half
        double my = 0.25 * (iy - STAR_TIP);
        for (int e = 0; e < 2; e++) {
            double nx = edges[e][3] - edges[e][1];
            double ny = edges[e][0] - edges[e][2];
            double len = Math.sqrt(nx * nx + ny * ny);
            nx /= len;
            ny /= len;
            double c = nx * edges[e][0] + ny * edges[e][1];
            if (nx * mx + ny * my > c) { // the interior must satisfy n.p <= c
                nx = -nx;
                ny = -ny;
                c = -c;
            }
            KITE_NX[e] = nx;
            KITE_NY[e] = ny;
            KITE_C[e] = c;
        }
    }

    private final String noun;
    private final double boundingRadius;

    ShapeKind(String noun, double boundingRadius) {
        this.noun = noun;
        this.boundingRadius = boundingRadius;
    }

    /** The word a prompt uses ("disc"). */
    public String noun() {
        return noun;
    }

    /** The radius, in local units, of the smallest origin-centred circle that holds the shape. */
    public double boundingRadius() {
        return boundingRadius;
    }

    /** The shape's field at local point (u, v): negative inside, 1-Lipschitz (see the class comment). */
    public double field(double u, double v) {
        switch (this) {
            case DISC:
                return Math.sqrt(u * u + v * v) - 1;
            case SQUARE:
                return Math.max(Math.abs(u), Math.abs(v)) - 0.8;
            case TRIANGLE:
                return triangle(u, v);
            case RING:
                return Math.abs(Math.sqrt(u * u + v * v) - 0.75) - 0.25;
            case STAR:
                return star(u, v);
            case ELLIPSE:
                // (rho - 1) * minor axis is 1-Lipschitz: |grad rho| <= 1 / minor
                return (Math.sqrt(u * u + v * v / (ELLIPSE_MINOR * ELLIPSE_MINOR)) - 1) * ELLIPSE_MINOR;
            case RECTANGLE:
                return Math.max(Math.abs(u) - 1, Math.abs(v) - RECTANGLE_MINOR);
            default:
                throw new IllegalStateException("no field for " + this);
        }
    }

    private static double triangle(double u, double v) {
        double f = TRIANGLE_NX[0] * u + TRIANGLE_NY[0] * v;
        f = Math.max(f, TRIANGLE_NX[1] * u + TRIANGLE_NY[1] * v);
        f = Math.max(f, TRIANGLE_NX[2] * u + TRIANGLE_NY[2] * v);
        return f - TRIANGLE_INRADIUS;
    }

    /**
     * The star as the union of five kites (centre, inner corner, tip, inner corner), one per angular sector; a
     * point is measured against the kite of its nearest tip. Across a sector boundary the two kites agree (they
     * mirror each other there), so the field stays continuous and 1-Lipschitz.
     */
    private static double star(double u, double v) {
        int best = 0;
        double bestDot = u * TIP_X[0] + v * TIP_Y[0];
        for (int k = 1; k < 5; k++) {
            double d = u * TIP_X[k] + v * TIP_Y[k];
            if (d > bestDot) {
                bestDot = d;
                best = k;
            }
        }
        // rotate the point so its tip lies along -v: tip k = R(72 k) tip 0, so apply R(-72 k)
        double c = -TIP_Y[best];
        double s = TIP_X[best];
        double ru = Math.abs(u * c + v * s);
        double rv = -u * s + v * c;
        return Math.max(KITE_NX[0] * ru + KITE_NY[0] * rv - KITE_C[0], KITE_NX[1] * ru + KITE_NY[1] * rv - KITE_C[1]);
    }
}
