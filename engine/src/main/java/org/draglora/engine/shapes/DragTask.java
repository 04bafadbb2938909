package org.draglora.engine.shapes;

import java.util.List;
import org.draglora.engine.io.DragSample;
import org.draglora.engine.io.EditMask;
import org.draglora.engine.io.PointPair;
import org.draglora.engine.io.RgbImage;

/**
 * One ShapeDrag benchmark case with exact ground truth: the input scene, the point pairs (pair {@code i} drags
 * object {@code objectIndices[i]} of the scene), the edit mask, and the ideal result, which is the same scene
 * with the dragged objects moved or stretched (same paint order, same indices).
 */
public record DragTask(Scene scene, DragKind kind, List<Integer> objectIndices, List<PointPair> points,
        EditMask mask, Scene idealScene) {

    /** Validates sizes, indices and points; copies the lists. */
    public DragTask {
        if (scene == null || kind == null || objectIndices == null || points == null || mask == null
                || idealScene == null) {
            throw new IllegalArgumentException("scene, kind, objectIndices, points, mask and idealScene must not be null");
        }
        objectIndices = List.copyOf(objectIndices);
        points = List.copyOf(points);
        if (points.isEmpty() || points.size() != objectIndices.size()) {
            throw new IllegalArgumentException("need one object index per point pair and at least one pair, got "
                    + objectIndices.size() + " indices for " + points.size() + " pairs");
        }
        if (idealScene.width() != scene.width() || idealScene.height() != scene.height()
                || idealScene.objects().size() != scene.objects().size()) {
            throw new IllegalArgumentException("the ideal scene must have the input scene's size and object count");
        }
        mask.requireSize(scene.width(), scene.height());
        for (int i = 0; i < points.size(); i++) {
            int index = objectIndices.get(i);
            if (index < 0 || index >= scene.objects().size() || objectIndices.indexOf(index) != i) {
                throw new IllegalArgumentException("object index " + index + " of pair " + (i + 1)
                        + " is out of range or repeated");
            }
            if (!points.get(i).isInside(scene.width(), scene.height())) {
                throw new IllegalArgumentException("point pair " + (i + 1) + " is outside the " + scene.width() + "x"
                        + scene.height() + " image");
            }
        }
    }

    /** The input image. */
    public RgbImage image() {
        return scene.render();
    }

    /** The ideal output image. */
    public RgbImage idealImage() {
        return idealScene.render();
    }

    /** Distance in pixels from handle to target of pair {@code i}. */
    public double initialDistance(int i) {
        PointPair p = points.get(i);
        return Math.hypot(p.targetX() - p.handleX(), p.targetY() - p.handleY());
    }

    /** The task as an edit input: input image, mask, the scene's prompt, the point pairs. */
    public DragSample toSample() {
        return new DragSample(image(), mask, scene.prompt(), points);
    }
}
