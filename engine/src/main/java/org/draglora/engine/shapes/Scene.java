package org.draglora.engine.shapes;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.TreeSet;
import org.draglora.engine.io.RgbImage;

/**
 * A ShapeDrag picture before rendering: the image size, the background, and the objects in paint order (later
 * objects cover earlier ones).
 */
public record Scene(int width, int height, Background background, List<ShapeObject> objects) {

    /** Validates the size and copies the object list. */
    public Scene {
        if (width <= 0 || height <= 0) {
            throw new IllegalArgumentException("scene size must be positive, got " + width + "x" + height);
        }
        if (background == null || objects == null) {
            throw new IllegalArgumentException("background and objects must not be null");
        }
        objects = List.copyOf(objects);
    }

    /** The anti-aliased image: 4x4 supersampling wherever an outline or a texture edge may cross a pixel. */
    public RgbImage render() {
        return SceneRenderer.render(this);
    }

    /**
     * Where object {@code index} is visible: row-major flags, set for each pixel whose centre lies inside that
     * object and inside no object painted after it.
     */
    public boolean[] objectMask(int index) {
        checkIndex(index);
        int[] top = topObjects();
        boolean[] mask = new boolean[top.length];
        for (int i = 0; i < top.length; i++) {
            mask[i] = top[i] == index;
        }
        return mask;
    }

    /** For each pixel, row-major, the index of the topmost object whose shape holds its centre, or -1. */
    public int[] topObjects() {
        int[] top = new int[width * height];
        Arrays.fill(top, -1);
        for (int k = 0; k < objects.size(); k++) {
            int index = k;
            objects.get(k).forEachPixelInside(width, height, p -> top[p] = index);
        }
        return top;
    }

    /** A short description: "a red disc and a blue striped star on a grey background". */
    public String prompt() {
        StringBuilder sb = new StringBuilder();
        for (int k = 0; k < objects.size(); k++) {
            if (k > 0) {
                sb.append(k == objects.size() - 1 ? " and " : ", ");
            }
            String phrase = objects.get(k).phrase();
            sb.append("aeiou".indexOf(phrase.charAt(0)) >= 0 ? "an " : "a ").append(phrase);
        }
        String bg = background.phrase();
        return objects.isEmpty() ? bg.substring("on ".length()) : sb + " " + bg;
    }

    /**
     * Every word {@link #prompt()} can write (colour names, texture adjectives, shape nouns and the words of
     * its templates, here and in {@link Background}), sorted: the embedded model's tokenizer gives each one
     * a token of its own.
     */
    public static List<String> promptWords() {
        TreeSet<String> words = new TreeSet<>(List.of("a", "an", "and", "on", "background", "gradient", "striped",
                "mottled"));
        for (ShapeColour c : Palette.OBJECT_COLOURS) {
            words.add(c.name());
        }
        for (ShapeColour c : Palette.BACKGROUND_COLOURS) {
            words.add(c.name());
        }
        for (Texture t : Texture.values()) {
            if (!t.adjective().isEmpty()) {
                words.add(t.adjective());
            }
        }
        for (ShapeKind k : ShapeKind.values()) {
            words.add(k.noun());
        }
        return List.copyOf(words);
    }

    /** The same scene with object {@code index} replaced. */
    public Scene withObject(int index, ShapeObject object) {
        checkIndex(index);
        List<ShapeObject> copy = new ArrayList<>(objects);
        copy.set(index, object);
        return new Scene(width, height, background, copy);
    }

    /** The same scene without object {@code index} (later objects move down one index). */
    public Scene withoutObject(int index) {
        checkIndex(index);
        List<ShapeObject> copy = new ArrayList<>(objects);
        copy.remove(index);
        return new Scene(width, height, background, copy);
    }

    private void checkIndex(int index) {
        if (index < 0 || index >= objects.size()) {
            throw new IllegalArgumentException("object index " + index + " is outside 0.." + (objects.size() - 1));
        }
    }
}
