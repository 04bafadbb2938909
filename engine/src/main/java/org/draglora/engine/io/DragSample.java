package org.draglora.engine.io;

import java.util.ArrayList;
import java.util.List;

/**
 * One drag-editing task: the source image, the editable region, the prompt ("" is legal,
 * ALGORITHM.md §1.1) and the point pairs in image pixels.
 *
 * <p>Invariants checked on construction: the mask has the image's size (the message names both
 * sizes) and every handle and target lies on the image ({@link PointPair#isInside}). An empty
 * point list is allowed here; the benchmark readers refuse samples without points.
 */
public record DragSample(RgbImage image, EditMask mask, String prompt, List<PointPair> points) {

    /** Validates sizes and points; copies the point list. */
    public DragSample {
        if (image == null || mask == null || prompt == null || points == null) {
            throw new IllegalArgumentException("image, mask, prompt and points must not be null");
        }
        mask.requireSize(image.width(), image.height());
        for (PointPair p : points) {
            if (p == null) {
                throw new IllegalArgumentException("points must not contain null");
            }
        }
        points = List.copyOf(points);
        for (int i = 0; i < points.size(); i++) {
            PointPair p = points.get(i);
            if (!p.isInside(image.width(), image.height())) {
                throw new IllegalArgumentException("point pair " + (i + 1) + " (" + PointPairs.format(List.of(p))
                        + ") is outside the " + image.sizeText() + " image");
            }
        }
    }

    /** The same task with every handle and target exchanged (drag-back, ALGORITHM.md §11.4). */
    public DragSample swapped() {
        List<PointPair> back = new ArrayList<>(points.size());
        for (PointPair p : points) {
            back.add(p.swapped());
        }
        return new DragSample(image, mask, prompt, back);
    }

    /** The same task on another image of the same size (drag-back starts from the dragged image). */
    public DragSample withImage(RgbImage other) {
        return new DragSample(other, mask, prompt, points);
    }

    /**
     * Image and mask cropped to multiples of 8 (top-left kept, see {@link ImageTensors#cropToMultipleOf8});
     * a point in the dropped border is an error.
     */
    public DragSample cropToMultipleOf8() {
        RgbImage cropped = ImageTensors.cropToMultipleOf8(image);
        return new DragSample(cropped, mask.cropOrPad(cropped.width(), cropped.height()), prompt, points);
    }

    /**
     * Image and mask padded to multiples of 8: the image repeats its last column and row, the new
     * mask pixels are not editable (see {@link ImageTensors#padToMultipleOf8}); points are unchanged.
     */
    public DragSample padToMultipleOf8() {
        RgbImage padded = ImageTensors.padToMultipleOf8(image);
        return new DragSample(padded, mask.cropOrPad(padded.width(), padded.height()), prompt, points);
    }
}
