package org.draglora.engine.shapes;

/**
 * A named 8-bit RGB colour of the ShapeDrag world; the name is the word the scene's prompt uses.
 */
public record ShapeColour(String name, int red, int green, int blue) {

    /** Rejects a blank name and components outside 0..255. */
    public ShapeColour {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("a colour needs a name, got " + (name == null ? "null" : "'" + name + "'"));
        }
        if (red < 0 || red > 255 || green < 0 || green > 255 || blue < 0 || blue > 255) {
            throw new IllegalArgumentException("colour components must be in 0..255, got (" + red + ", " + green + ", "
                    + blue + ") for " + name);
        }
    }

    /** Euclidean distance to another colour in RGB space (0..441). */
    public double distanceTo(ShapeColour other) {
        double dr = red - other.red;
        double dg = green - other.green;
        double db = blue - other.blue;
        return Math.sqrt(dr * dr + dg * dg + db * db);
    }
}
