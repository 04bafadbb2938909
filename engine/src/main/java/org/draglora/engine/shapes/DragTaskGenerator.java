package org.draglora.engine.shapes;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.draglora.engine.io.EditMask;
import org.draglora.engine.io.PointPair;

/**
 * Random ShapeDrag tasks, a pure function of the seed, image size and drag kind.
 *
 * <p>Rules (pixel lengths at 64x64, scaled with the shorter image side):
 * <ul>
 *   <li>Dragged objects: size 8 to 15 (8 to 11 for MOVE_MANY, 8 to 14 for STRETCH); vectors 8 to 20 long in any
 *       direction; the bounding box of each dragged object stays at least 1 pixel inside the frame before and
 *       after the edit; dragged objects keep their bounding circles 2 pixels apart from each other before and
 *       after, so each stays fully visible in the input and in the ideal result.</li>
 *   <li>Handles: MOVE kinds take a random point at least 0.2 size deep inside the object (so a ring's handle
 *       sits on its band); STRETCH takes the outline point on the object's axis, 1.5 pixels (at most a quarter of
 *       the reach) inside. Target = handle + vector.</li>
 *   <li>STRETCH: the object scales along its own axis by {@code s = (span + d) / span} about its outline point
 *       opposite the handle ({@code span} = handle to that point, {@code d} = drag length, {@code d <= span}, so
 *       {@code s <= 2}); the handle lands exactly on the target.</li>
 *   <li>Edit mask: every pixel whose centre lies within {@link #MASK_MARGIN_AT_64} pixels of a dragged object's
 *       bounding ellipse at any point of the drag (old and new position and the sweep between: a capsule for a
 *       move), by a 1-Lipschitz lower bound, so the region is at least that generous.</li>
 *   <li>Other objects (0 to 2, fewer for MOVE_MANY) keep their bounding circle 1.5 pixels clear of every mask
 *       pixel, so everything outside the mask is identical in the input and the ideal result.</li>
 *   <li>All objects in a task have distinct, well separated colours; paint order is shuffled.</li>
 * </ul>
 */
public final class DragTaskGenerator {

    /** Edit mask margin around the dragged objects' bounding ellipses, in pixels at 64x64 (at least 2). */
    public static final double MASK_MARGIN_AT_64 = 4;

    /** Smallest image side for tasks. */
    public static final int MIN_SIDE = 32;

    private static final int ATTEMPTS = 2000;
    private static final int TRIES = 50;

    private DragTaskGenerator() {
    }

    /** A task of the given kind; throws if none fits after many attempts (not seen at sides >= 32). */
    public static DragTask generate(long seed, int width, int height, DragKind kind) {
        if (kind == null) {
            throw new IllegalArgumentException("kind must not be null");
        }
        if (width < MIN_SIDE || height < MIN_SIDE) {
            throw new IllegalArgumentException("task images must have sides of at least " + MIN_SIDE + ", got "
                    + width + "x" + height);
        }
        SplittableRandom rng = new SplittableRandom(seed);
        for (int a = 0; a < ATTEMPTS; a++) {
            DragTask task = attempt(rng, width, height, kind);
            if (task != null) {
                return task;
            }
        }
        throw new IllegalStateException("no " + kind + " task fits " + width + "x" + height + " after " + ATTEMPTS
                + " attempts (seed " + seed + ")");
    }

    /** Mask margin in pixels for an image of this size. */
    public static double maskMargin(int width, int height) {
        return Math.max(2, MASK_MARGIN_AT_64 * SceneGenerator.scale(width, height));
    }

    private record Dragged(ShapeObject before, ShapeObject after, PointPair pair) {
    }

    private static DragTask attempt(SplittableRandom rng, int w, int h, DragKind kind) {
        double s = SceneGenerator.scale(w, h);
        int count = kind == DragKind.MOVE_MANY ? (rng.nextDouble() < 0.6 ? 2 : 3) : 1;
        List<Integer> colours = new ArrayList<>();
        List<Dragged> dragged = new ArrayList<>();
        for (int k = 0; k < count; k++) {
            int colour = SceneGenerator.pickColour(rng, colours);
            if (colour < 0) {
                return null;
            }
            Dragged d = kind == DragKind.STRETCH ? stretchOne(rng, w, h, colour)
                    : moveOne(rng, w, h, colour, count == 1 ? 15 : 11);
            if (d == null || !clear(d, dragged, 2 * s)) {
                return null;
            }
            colours.add(colour);
            dragged.add(d);
        }
        boolean[] mask = sweepMask(dragged, w, h, maskMargin(w, h));
        List<ShapeObject> others = new ArrayList<>();
        int statics = rng.nextInt(Math.max(0, 3 - count) + 1);
        for (int k = 0; k < statics; k++) {
            int colour = SceneGenerator.pickColour(rng, colours);
            ShapeObject o = colour < 0 ? null : placeStatic(rng, w, h, colour, mask, others);
            if (o != null) {
                colours.add(colour);
                others.add(o);
            }
        }
        int n = count + others.size();
        int[] order = new int[n]; // order[slot] = object number (dragged first, then others)
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        for (int i = n - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        List<ShapeObject> before = new ArrayList<>();
        List<ShapeObject> after = new ArrayList<>();
        Integer[] slotOf = new Integer[count];
        for (int slot = 0; slot < n; slot++) {
            int id = order[slot];
            if (id < count) {
                before.add(dragged.get(id).before());
                after.add(dragged.get(id).after());
                slotOf[id] = slot;
            } else {
                before.add(others.get(id - count));
                after.add(others.get(id - count));
            }
        }
        List<PointPair> pairs = new ArrayList<>();
        for (Dragged d : dragged) {
            pairs.add(d.pair());
        }
        Background bg = SceneGenerator.randomBackground(rng, w, h);
        return new DragTask(new Scene(w, h, bg, before), kind, List.of(slotOf), pairs, new EditMask(w, h, mask),
                new Scene(w, h, bg, after));
    }

    private static Dragged moveOne(SplittableRandom rng, int w, int h, int colour, double maxSize) {
        double s = SceneGenerator.scale(w, h);
        for (int t = 0; t < TRIES; t++) {
            double size = (8 + rng.nextDouble() * (maxSize - 8)) * s;
            ShapeObject o = SceneGenerator.randomObject(rng, 0, 0, size, colour);
            double len = (8 + 12 * rng.nextDouble()) * s;
            double angle = rng.nextDouble() * 2 * Math.PI;
            double dx = len * StrictMath.cos(angle);
            double dy = len * StrictMath.sin(angle);
            double xlo = o.halfWidth() + 1 + Math.max(0, -dx);
            double xhi = w - 2 - o.halfWidth() - Math.max(0, dx);
            double ylo = o.halfHeight() + 1 + Math.max(0, -dy);
            double yhi = h - 2 - o.halfHeight() - Math.max(0, dy);
            if (xlo > xhi || ylo > yhi) {
                continue;
            }
            o = o.movedBy(xlo + rng.nextDouble() * (xhi - xlo), ylo + rng.nextDouble() * (yhi - ylo));
            double[] handle = interiorPoint(rng, o);
            if (handle != null) {
                return new Dragged(o, o.movedBy(dx, dy),
                        new PointPair(handle[0], handle[1], handle[0] + dx, handle[1] + dy));
            }
        }
        return null;
    }

    private static Dragged stretchOne(SplittableRandom rng, int w, int h, int colour) {
        double s = SceneGenerator.scale(w, h);
        for (int t = 0; t < TRIES; t++) {
            double size = (8 + 6 * rng.nextDouble()) * s;
            ShapeObject o = SceneGenerator.randomObject(rng, 0, 0, size, colour);
            double ux = o.axisX();
            double uy = o.axisY();
            double reach = o.edgeDistance(ux, uy);
            double back = o.edgeDistance(-ux, -uy);
            double hu = reach - Math.min(1.5 * s, 0.25 * reach);
            if (!(o.depth(hu * ux, hu * uy) > 0)) {
                continue;
            }
            double span = hu + back;
            double dmin = 8 * s;
            double dmax = Math.min(20 * s, span);
            if (dmax < dmin) {
                continue;
            }
            double d = dmin + rng.nextDouble() * (dmax - dmin);
            double factor = (span + d) / span;
            double shift = back * (factor - 1); // keeps the outline point opposite the handle fixed
            ShapeObject stretched = o.withStretch(o.stretch() * factor, shift * ux, shift * uy);
            double xlo = Math.max(o.halfWidth() + 1, stretched.halfWidth() + 1 - shift * ux);
            double xhi = Math.min(w - 2 - o.halfWidth(), w - 2 - stretched.halfWidth() - shift * ux);
            double ylo = Math.max(o.halfHeight() + 1, stretched.halfHeight() + 1 - shift * uy);
            double yhi = Math.min(h - 2 - o.halfHeight(), h - 2 - stretched.halfHeight() - shift * uy);
            if (xlo > xhi || ylo > yhi) {
                continue;
            }
            double cx = xlo + rng.nextDouble() * (xhi - xlo);
            double cy = ylo + rng.nextDouble() * (yhi - ylo);
            double hx = cx + hu * ux;
            double hy = cy + hu * uy;
            return new Dragged(o.movedBy(cx, cy), stretched.movedBy(cx, cy),
                    new PointPair(hx, hy, hx + d * ux, hy + d * uy));
        }
        return null;
    }

    /** A random point at least 0.2 size deep inside o, or null. */
    private static double[] interiorPoint(SplittableRandom rng, ShapeObject o) {
        double r = o.boundingRadius();
        for (int t = 0; t < 400; t++) {
            double rho = r * Math.sqrt(rng.nextDouble());
            double a = rng.nextDouble() * 2 * Math.PI;
            double x = o.centreX() + rho * StrictMath.cos(a);
            double y = o.centreY() + rho * StrictMath.sin(a);
            if (o.depth(x, y) >= 0.2 * o.size()) {
                return new double[] {x, y};
            }
        }
        return null;
    }

    /** Whether d's objects keep their bounding circles {@code gap} apart from the others', before and after. */
    private static boolean clear(Dragged d, List<Dragged> placed, double gap) {
        for (Dragged p : placed) {
            if (overlap(d.before(), p.before(), gap) || overlap(d.after(), p.after(), gap)) {
                return false;
            }
        }
        return true;
    }

    private static boolean overlap(ShapeObject a, ShapeObject b, double gap) {
        double dist = Math.hypot(a.centreX() - b.centreX(), a.centreY() - b.centreY());
        return dist < a.boundingRadius() + b.boundingRadius() + gap;
    }

    /** Pixels within {@code margin} of a dragged object's bounding ellipse at any point of its drag. */
    private static boolean[] sweepMask(List<Dragged> dragged, int w, int h, double margin) {
        boolean[] mask = new boolean[w * h];
        for (Dragged d : dragged) {
            ShapeObject a = d.before();
            ShapeObject b = d.after();
            double travel = Math.max(Math.hypot(b.centreX() - a.centreX(), b.centreY() - a.centreY()),
                    Math.abs(b.boundingMajor() - a.boundingMajor()));
            int steps = Math.max(1, (int) Math.ceil(travel / 0.5));
            for (int i = 0; i <= steps; i++) {
                double t = i / (double) steps;
                ShapeObject o = a.withStretch(a.stretch() + t * (b.stretch() - a.stretch()),
                        a.centreX() + t * (b.centreX() - a.centreX()), a.centreY() + t * (b.centreY() - a.centreY()));
                int x0 = Math.max(0, (int) Math.floor(o.centreX() - o.halfWidth() - margin - 1));
                int x1 = Math.min(w - 1, (int) Math.ceil(o.centreX() + o.halfWidth() + margin + 1));
                int y0 = Math.max(0, (int) Math.floor(o.centreY() - o.halfHeight() - margin - 1));
                int y1 = Math.min(h - 1, (int) Math.ceil(o.centreY() + o.halfHeight() + margin + 1));
                fillEllipse(mask, w, o, margin, x0, x1, y0, y1);
            }
        }
        return mask;
    }

    /**
     * Sets the pixels in the box whose centre is within {@code margin} of o's bounding ellipse, by the 1-Lipschitz
     * bound {@code (rho - 1) * minor semi-axis} (rho = the ellipse's normalised radius), which never exceeds the
     * true distance, so the region is at least that wide.
     */
    private static void fillEllipse(boolean[] mask, int w, ShapeObject o, double margin, int x0, int x1, int y0,
            int y1) {
        double ax = o.axisX();
        double ay = o.axisY();
        double a = o.boundingMajor();
        double b = o.boundingMinor();
        double minor = Math.min(a, b);
        for (int y = y0; y <= y1; y++) {
            for (int x = x0; x <= x1; x++) {
                double px = x - o.centreX();
                double py = y - o.centreY();
                double pu = (px * ax + py * ay) / a;
                double pv = (-px * ay + py * ax) / b;
                if ((Math.sqrt(pu * pu + pv * pv) - 1) * minor <= margin) {
                    mask[y * w + x] = true;
                }
            }
        }
    }

    private static ShapeObject placeStatic(SplittableRandom rng, int w, int h, int colour, boolean[] mask,
            List<ShapeObject> others) {
        double s = SceneGenerator.scale(w, h);
        for (int t = 0; t < TRIES; t++) {
            ShapeObject o = SceneGenerator.randomObject(rng, 0, 0, (8 + 8 * rng.nextDouble()) * s, colour);
            double lo = 0.7 * o.boundingRadius();
            o = o.movedBy(lo + rng.nextDouble() * (w - 1 - 2 * lo), lo + rng.nextDouble() * (h - 1 - 2 * lo));
            if (clearOfMask(o, mask, w, h) && SceneGenerator.apart(o, others, 0.75)) {
                return o;
            }
        }
        return null;
    }

    private static boolean clearOfMask(ShapeObject o, boolean[] mask, int w, int h) {
        double r = o.boundingRadius() + 1.5;
        int x0 = Math.max(0, (int) Math.floor(o.centreX() - r));
        int x1 = Math.min(w - 1, (int) Math.ceil(o.centreX() + r));
        int y0 = Math.max(0, (int) Math.floor(o.centreY() - r));
        int y1 = Math.min(h - 1, (int) Math.ceil(o.centreY() + r));
        for (int y = y0; y <= y1; y++) {
            for (int x = x0; x <= x1; x++) {
                if (mask[y * w + x] && Math.hypot(x - o.centreX(), y - o.centreY()) <= r) {
                    return false;
                }
            }
        }
        return true;
    }
}
