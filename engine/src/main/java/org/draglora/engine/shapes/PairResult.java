package org.draglora.engine.shapes;

/**
 * The measurements of one point pair of a ShapeDrag case.
 *
 * @param objectIndex the dragged object's index in the scene
 * @param initialDistance handle to target, pixels
 * @param handleError estimated position of the handle's point in the output to target, pixels
 * @param found whether the object was found in the output; if not, the handle point counts as not moved
 *     ({@code handleError == initialDistance}, estimated position = handle)
 * @param estimatedX estimated x of the handle's point in the output
 * @param estimatedY estimated y of the handle's point in the output
 * @param iou intersection over union of the object's colour pixels in the output and in the ideal image,
 *     both within the edit mask
 */
public record PairResult(int objectIndex, double initialDistance, double handleError, boolean found,
        double estimatedX, double estimatedY, double iou) {
}
