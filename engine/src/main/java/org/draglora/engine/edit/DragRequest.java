package org.draglora.engine.edit;

import java.util.List;
import java.util.Objects;
import org.draglora.engine.drag.DragSettings;
import org.draglora.engine.drag.ImagePoint;

/**
 * Everything one edit starts from: the image, the editable mask, the point pairs, the prompt, the
 * settings and the seed. Images are RGB bytes, row-major, 3 per pixel. The points may be empty
 * while an edit prepares (RecLoRA, inversion); the drag needs at least one.
 *
 * @param editable one flag per pixel (row-major), true = may change; {@code null} = empty mask
 *     (the reference's "no mask": no mask loss, ILFA does nothing, ALGORITHM.md §16.5)
 */
public record DragRequest(int width, int height, byte[] rgb, boolean[] editable, List<PointPair> points, String prompt,
        DragSettings drag, RecLoraSettings recLora, long seed) {

    /** A handle and its target, in image pixels. */
    public record PointPair(ImagePoint handle, ImagePoint target) {
        public PointPair {
            Objects.requireNonNull(handle, "handle");
            Objects.requireNonNull(target, "target");
        }
    }

    public DragRequest {
        Objects.requireNonNull(rgb, "rgb");
        Objects.requireNonNull(prompt, "prompt");
        Objects.requireNonNull(drag, "drag");
        Objects.requireNonNull(recLora, "recLora");
        points = List.copyOf(points);
        if (width < 8 || height < 8 || width % 8 != 0 || height % 8 != 0) {
            throw new IllegalArgumentException("image is " + width + "x" + height + ": width and height must be "
                    + "multiples of 8, at least 8");
        }
        if (rgb.length != width * height * 3) {
            throw new IllegalArgumentException(rgb.length + " RGB bytes for a " + width + "x" + height + " image");
        }
        if (editable != null && editable.length != width * height) {
            throw new IllegalArgumentException("mask has " + editable.length + " pixels, the image " + width * height);
        }
        for (PointPair p : points) {
            requireInside(p.handle(), width, height, "handle");
            requireInside(p.target(), width, height, "target");
        }
    }

    static void requireInside(ImagePoint p, int width, int height, String what) {
        if (!(p.x() >= 0 && p.x() <= width - 1 && p.y() >= 0 && p.y() <= height - 1)) {
            throw new IllegalArgumentException(what + " (" + p.x() + ", " + p.y() + ") lies outside the " + width + "x"
                    + height + " image");
        }
    }

    /** Whether the mask is empty (no pixel may change). */
    public boolean maskEmpty() {
        if (editable == null) {
            return true;
        }
        for (boolean b : editable) {
            if (b) {
                return false;
            }
        }
        return true;
    }
}
