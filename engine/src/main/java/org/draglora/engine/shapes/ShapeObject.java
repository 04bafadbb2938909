package org.draglora.engine.shapes;

import java.util.function.IntConsumer;

/**
 * One shape in a scene, in image pixel coordinates ({@code x} the column, {@code y} the row, pixel centres at
 * whole numbers, as {@link org.draglora.engine.io.PointPair} clicks them).
 *
 * <p>A point {@code p} of the image maps to the kind's local frame by
 * {@code u = ((p - c) . a) / (size * stretch)}, {@code v = ((p - c) . a_perp) / size}, with the axis
 * {@code a = (cos rotation, sin rotation)} and {@code a_perp = (-sin rotation, cos rotation)}. So {@code size} is
 * the radius-like extent in pixels (a disc's radius), and {@code stretch} scales the object along its own axis
 * (1 for an unstretched object; STRETCH drag tasks change it). The texture's second colour is the fill's shade;
 * a {@link Texture#SOLID} object carries its fill there too.
 */
public record ShapeObject(ShapeKind kind, double centreX, double centreY, double size, double rotation,
        double stretch, ShapeColour fill, Texture texture, ShapeColour secondColour) {

    /** Rejects nulls, non-finite numbers, and a size or stretch that is not positive. */
    public ShapeObject {
        if (kind == null || fill == null || texture == null || secondColour == null) {
            throw new IllegalArgumentException("kind, fill, texture and secondColour must not be null");
        }
        if (!Double.isFinite(centreX) || !Double.isFinite(centreY) || !Double.isFinite(rotation)) {
            throw new IllegalArgumentException("centre and rotation must be finite, got (" + centreX + ", " + centreY
                    + ") rotation " + rotation);
        }
        if (!(size > 0) || !Double.isFinite(size) || !(stretch > 0) || !Double.isFinite(stretch)) {
            throw new IllegalArgumentException("size and stretch must be positive and finite, got size " + size
                    + " stretch " + stretch);
        }
    }

    /** An unstretched object with one colour. */
    public static ShapeObject solid(ShapeKind kind, double centreX, double centreY, double size, double rotation,
            ShapeColour fill) {
        return new ShapeObject(kind, centreX, centreY, size, rotation, 1, fill, Texture.SOLID, fill);
    }

    /** The same object translated by (dx, dy) pixels. */
    public ShapeObject movedBy(double dx, double dy) {
        return new ShapeObject(kind, centreX + dx, centreY + dy, size, rotation, stretch, fill, texture, secondColour);
    }

    /** The same object with another stretch and centre (what a STRETCH edit changes). */
    public ShapeObject withStretch(double newStretch, double newCentreX, double newCentreY) {
        return new ShapeObject(kind, newCentreX, newCentreY, size, rotation, newStretch, fill, texture, secondColour);
    }

    /** The same object as another kind of shape (a prompt that names another shape). */
    public ShapeObject withKind(ShapeKind newKind) {
        return new ShapeObject(newKind, centreX, centreY, size, rotation, stretch, fill, texture, secondColour);
    }

    /** The same object in another fill colour. */
    public ShapeObject withFill(ShapeColour newFill) {
        return new ShapeObject(kind, centreX, centreY, size, rotation, stretch, newFill, texture, secondColour);
    }

    /** x component of the object's own axis (its local u direction) in the image. */
    public double axisX() {
        return StrictMath.cos(rotation);
    }

    /** y component of the object's own axis in the image. */
    public double axisY() {
        return StrictMath.sin(rotation);
    }

    /** Semi-axis, in pixels, of the bounding ellipse along the object's axis. */
    public double boundingMajor() {
        return size * stretch * kind.boundingRadius();
    }

    /** Semi-axis, in pixels, of the bounding ellipse across the object's axis. */
    public double boundingMinor() {
        return size * kind.boundingRadius();
    }

    /** Radius of a circle about the centre that holds the whole object. */
    public double boundingRadius() {
        return Math.max(boundingMajor(), boundingMinor());
    }

    /** Half-width, in pixels, of the axis-aligned box around the bounding ellipse. */
    public double halfWidth() {
        double a = boundingMajor() * axisX();
        double b = boundingMinor() * axisY();
        return Math.sqrt(a * a + b * b);
    }

    /** Half-height, in pixels, of the axis-aligned box around the bounding ellipse. */
    public double halfHeight() {
        double a = boundingMajor() * axisY();
        double b = boundingMinor() * axisX();
        return Math.sqrt(a * a + b * b);
    }

    /**
     * Calls {@code pixel} with the row-major index of every pixel of a {@code width} x {@code height} image
     * whose centre (pixel centres at whole coordinates) lies inside the shape, visiting only the box around
     * its bounding ellipse.
     */
    public void forEachPixelInside(int width, int height, IntConsumer pixel) {
        int x0 = Math.max(0, (int) Math.floor(centreX - halfWidth()));
        int x1 = Math.min(width - 1, (int) Math.ceil(centreX + halfWidth()));
        int y0 = Math.max(0, (int) Math.floor(centreY - halfHeight()));
        int y1 = Math.min(height - 1, (int) Math.ceil(centreY + halfHeight()));
        for (int y = y0; y <= y1; y++) {
            for (int x = x0; x <= x1; x++) {
                if (contains(x, y)) {
                    pixel.accept(y * width + x);
                }
            }
        }
    }

    /** Whether image point (x, y) lies inside the shape (the outline counts as inside). */
    public boolean contains(double x, double y) {
        return field(x, y) <= 0;
    }

    /**
     * A lower bound, in pixels, on how deep (x, y) lies inside the shape: positive inside, negative outside
     * (then its magnitude bounds the distance to the shape from below).
     */
    public double depth(double x, double y) {
        return -field(x, y) * size * Math.min(1, stretch);
    }

    /**
     * Distance in pixels from the centre along the unit direction (dx, dy) to the shape's outermost outline
     * point on that ray (for a ring: its outer edge).
     */
    public double edgeDistance(double dx, double dy) {
        double len = Math.sqrt(dx * dx + dy * dy);
        if (!(len > 0)) {
            throw new IllegalArgumentException("direction must not be zero, got (" + dx + ", " + dy + ")");
        }
        double ux = dx / len;
        double uy = dy / len;
        double outside = boundingRadius() + 1;
        double inside = outside;
        while (inside > 0 && !contains(centreX + inside * ux, centreY + inside * uy)) {
            outside = inside;
            inside -= 0.125;
        }
        if (inside <= 0) {
            throw new IllegalStateException("no outline found from the centre of " + this + " along (" + dx + ", "
                    + dy + ")");
        }
        for (int i = 0; i < 40; i++) {
            double mid = 0.5 * (inside + outside);
            if (contains(centreX + mid * ux, centreY + mid * uy)) {
                inside = mid;
            } else {
                outside = mid;
            }
        }
        return 0.5 * (inside + outside);
    }

    /** The kind's field at image point (x, y), in local units. */
    double field(double x, double y) {
        double px = x - centreX;
        double py = y - centreY;
        double ax = axisX();
        double ay = axisY();
        return kind.field((px * ax + py * ay) / (size * stretch), (-px * ay + py * ax) / size);
    }

    /** The prompt phrase without article: "red striped disc". */
    String phrase() {
        String adjective = texture.adjective();
        return fill.name() + (adjective.isEmpty() ? "" : " " + adjective) + " " + kind.noun();
    }
}
