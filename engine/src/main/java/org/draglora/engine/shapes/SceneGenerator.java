package org.draglora.engine.shapes;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Random ShapeDrag scenes, a pure function of the seed: 1 to 3 upright objects of varied kind, size, colour
 * and texture on a muted background.
 *
 * <p>Rules: sizes scale with the image's shorter side (8 to 20 pixels at 64x64); each object's centre keeps 0.7
 * of its bounding radius from the frame's edges, so at least about four fifths of it is inside; two objects'
 * centres are at least 0.75 times the sum of their bounding radii apart, so none hides another; no two objects
 * share a colour or have colours closer than {@link Palette#MIN_SEPARATION}. Textures: 55 % solid, 15 % each
 * striped, checkered and shaded. Objects are upright (rotation 0: squares axis-aligned, triangles and stars
 * pointing up): the embedded model learns to draw clean shapes from noise on upright ones within its training
 * budget, and did not on randomly turned ones (docs/shapedrag-experiments.md, "Upright shapes"). All randomness
 * comes from one {@link SplittableRandom} seeded with the seed.
 */
public final class SceneGenerator {

    /** Smallest image side the generators accept. */
    public static final int MIN_SIDE = 16;

    private static final int PLACEMENT_TRIES = 200;

    private SceneGenerator() {
    }

    /** A scene with the default constraints. */
    public static Scene generate(long seed, int width, int height) {
        return generate(seed, width, height, SceneConstraints.defaults(width, height));
    }

    /**
     * One solid object on a flat background, the simplest scenes there are: the scene {@link #generate} makes
     * with exactly one object, its fill made solid and its background flat in the background's colour.
     */
    public static Scene plain(long seed, int width, int height) {
        return plain(seed, width, height, 1);
    }

    /**
     * Solid objects on a flat background: the scene {@link #generate} makes with 1 to {@code maxObjects}
     * objects, every fill made solid and the background flat in the background's colour. With {@code maxObjects}
     * 1 this is {@link #plain(long, int, int)}.
     */
    public static Scene plain(long seed, int width, int height, int maxObjects) {
        return plain(seed, width, height, SceneConstraints.upTo(maxObjects, width, height));
    }

    /**
     * Solid objects on a flat background, as {@link #plain(long, int, int, int)}, holding {@code minObjects} to
     * {@code maxObjects} of them.
     */
    public static Scene plain(long seed, int width, int height, int minObjects, int maxObjects) {
        return plain(seed, width, height, SceneConstraints.between(minObjects, maxObjects, width, height));
    }

    private static Scene plain(long seed, int width, int height, SceneConstraints constraints) {
        Scene s = generate(seed, width, height, constraints);
        List<ShapeObject> solid = new ArrayList<>();
        for (ShapeObject o : s.objects()) {
            solid.add(new ShapeObject(o.kind(), o.centreX(), o.centreY(), o.size(), o.rotation(), o.stretch(), o.fill(),
                    Texture.SOLID, o.fill()));
        }
        return new Scene(width, height, Background.flat(s.background().colour()), solid);
    }

    /** A scene within the given constraints. */
    public static Scene generate(long seed, int width, int height, SceneConstraints constraints) {
        checkSize(width, height);
        if (constraints == null) {
            throw new IllegalArgumentException("constraints must not be null");
        }
        SplittableRandom rng = new SplittableRandom(seed);
        int count = constraints.minObjects() + rng.nextInt(constraints.maxObjects() - constraints.minObjects() + 1);
        double shrink = 1;
        while (true) {
            List<ShapeObject> objects = new ArrayList<>();
            List<Integer> colours = new ArrayList<>();
            for (int k = 0; k < count; k++) {
                ShapeObject o = place(rng, width, height, constraints, shrink, objects, colours);
                if (o == null) {
                    break;
                }
                objects.add(o);
            }
            if (objects.size() == count) {
                return new Scene(width, height, randomBackground(rng, width, height), objects);
            }
            shrink *= 0.9; // the frame is crowded: try again with smaller objects
            if (shrink * constraints.minSize() < 2) {
                throw new IllegalArgumentException("cannot fit " + count + " objects of size >= "
                        + constraints.minSize() + " in " + width + "x" + height);
            }
        }
    }

    private static ShapeObject place(SplittableRandom rng, int w, int h, SceneConstraints c, double shrink,
            List<ShapeObject> placed, List<Integer> colours) {
        int colour = pickColour(rng, colours);
        if (colour < 0) {
            return null;
        }
        for (int t = 0; t < PLACEMENT_TRIES; t++) {
            double size = shrink * (c.minSize() + rng.nextDouble() * (c.maxSize() - c.minSize()));
            ShapeObject o = randomObject(rng, 0, 0, size, colour);
            double r = o.boundingRadius();
            double lo = 0.7 * r;
            if (w - 1 - 2 * lo < 0 || h - 1 - 2 * lo < 0) {
                continue;
            }
            o = o.movedBy(lo + rng.nextDouble() * (w - 1 - 2 * lo), lo + rng.nextDouble() * (h - 1 - 2 * lo));
            if (apart(o, placed, 0.75)) {
                colours.add(colour);
                return o;
            }
        }
        return null;
    }

    /** Whether o's centre is at least {@code factor} times the sum of bounding radii from every placed one. */
    static boolean apart(ShapeObject o, List<ShapeObject> placed, double factor) {
        for (ShapeObject p : placed) {
            double d = Math.hypot(o.centreX() - p.centreX(), o.centreY() - p.centreY());
            if (d < factor * (o.boundingRadius() + p.boundingRadius())) {
                return false;
            }
        }
        return true;
    }

    /** The image's shorter side over 64: the factor every pixel length of the generators is scaled by. */
    static double scale(int width, int height) {
        return Math.min(width, height) / 64.0;
    }

    static void checkSize(int width, int height) {
        if (width < MIN_SIDE || height < MIN_SIDE) {
            throw new IllegalArgumentException("scene sides must be at least " + MIN_SIDE + ", got " + width + "x"
                    + height);
        }
    }

    /**
     * A random object colour index, well apart from those already used, or -1 if none is left. The chosen one
     * is not recorded; the caller adds it when it places the object.
     */
    static int pickColour(SplittableRandom rng, List<Integer> used) {
        List<Integer> free = new ArrayList<>();
        for (int i = 0; i < Palette.OBJECT_COLOURS.size(); i++) {
            boolean ok = true;
            for (int u : used) {
                ok &= u != i && Palette.separation(u, i) >= Palette.MIN_SEPARATION;
            }
            if (ok) {
                free.add(i);
            }
        }
        return free.isEmpty() ? -1 : free.get(rng.nextInt(free.size()));
    }

    /** An unstretched, upright object of random kind and texture in colour {@code colour}. */
    static ShapeObject randomObject(SplittableRandom rng, double x, double y, double size, int colour) {
        ShapeKind[] kinds = ShapeKind.values();
        ShapeKind kind = kinds[rng.nextInt(kinds.length)];
        rng.nextDouble(); // the angle scenes were once turned by: still drawn, so each seed's other draws stay as they were
        double p = rng.nextDouble();
        Texture texture = p < 0.55 ? Texture.SOLID : p < 0.70 ? Texture.STRIPES : p < 0.85 ? Texture.CHECKER
                : Texture.GRADIENT;
        ShapeColour fill = Palette.OBJECT_COLOURS.get(colour);
        ShapeColour second = texture == Texture.SOLID ? fill : Palette.shadeOf(fill);
        return new ShapeObject(kind, x, y, size, 0, 1, fill, texture, second);
    }

    /** A random background: 30 % flat, 25 % gradient, 20 % stripes, 25 % noise. */
    static Background randomBackground(SplittableRandom rng, int w, int h) {
        List<ShapeColour> colours = Palette.BACKGROUND_COLOURS;
        int first = rng.nextInt(colours.size());
        ShapeColour c = colours.get(first);
        double scale = scale(w, h);
        double p = rng.nextDouble();
        double angle = rng.nextDouble() * 2 * Math.PI;
        if (p < 0.30) {
            return Background.flat(c);
        }
        if (p < 0.55) {
            ShapeColour other = colours.get((first + 1 + rng.nextInt(colours.size() - 1)) % colours.size());
            return Background.gradient(c, other, angle);
        }
        if (p < 0.75) {
            return Background.stripes(c, Palette.stripeToneOf(c), angle, (8 + rng.nextDouble() * 10) * scale);
        }
        return Background.noise(c, (12 + rng.nextDouble() * 12) * scale, rng.nextLong());
    }
}
