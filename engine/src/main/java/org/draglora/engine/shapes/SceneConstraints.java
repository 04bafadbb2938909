package org.draglora.engine.shapes;

/**
 * What {@link SceneGenerator} may produce: how many objects, and the range of object sizes in pixels (the
 * radius-like {@link ShapeObject#size()}).
 */
public record SceneConstraints(int minObjects, int maxObjects, double minSize, double maxSize) {

    /** Most objects a generated scene holds (the palette and the frame run out beyond that). */
    public static final int MAX_OBJECTS = 4;

    /** Rejects counts outside 1..{@link #MAX_OBJECTS}, an empty range, and sizes that are not positive. */
    public SceneConstraints {
        if (minObjects < 1 || maxObjects > MAX_OBJECTS || minObjects > maxObjects) {
            throw new IllegalArgumentException("object counts must satisfy 1 <= min <= max <= " + MAX_OBJECTS
                    + ", got " + minObjects + ".." + maxObjects);
        }
        if (!(minSize > 0) || !(maxSize >= minSize) || !Double.isFinite(maxSize)) {
            throw new IllegalArgumentException("sizes must satisfy 0 < min <= max, got " + minSize + ".." + maxSize);
        }
    }

    /** 1 to 3 objects of size 8 to 20 pixels at 64x64, scaled with the image's shorter side. */
    public static SceneConstraints defaults(int width, int height) {
        double scale = SceneGenerator.scale(width, height);
        return new SceneConstraints(1, 3, 8 * scale, 20 * scale);
    }

    /** 1 to {@code maxObjects} objects, default sizes. */
    public static SceneConstraints upTo(int maxObjects, int width, int height) {
        return between(1, maxObjects, width, height);
    }

    /** Exactly {@code count} objects, default sizes. */
    public static SceneConstraints exactly(int count, int width, int height) {
        return between(count, count, width, height);
    }

    /** {@code minObjects} to {@code maxObjects} objects, default sizes. */
    public static SceneConstraints between(int minObjects, int maxObjects, int width, int height) {
        SceneConstraints d = defaults(width, height);
        return new SceneConstraints(minObjects, maxObjects, d.minSize(), d.maxSize());
    }
}
