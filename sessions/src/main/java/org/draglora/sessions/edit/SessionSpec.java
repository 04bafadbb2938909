package org.draglora.sessions.edit;

import java.util.List;
import java.util.Objects;
import org.draglora.sessions.CborSerializable;

/**
 * What an edit starts from. Images and masks live in the blob store; the spec names them by hash.
 *
 * @param imageHash the input image's RGB bytes (row-major, 3 per pixel) in the blob store
 * @param width image width (a multiple of 8)
 * @param height image height (a multiple of 8)
 * @param maskHash the editable mask (one byte per pixel, 1 = may change) in the blob store, or
 *     {@code null} for an empty mask
 * @param prompt the prompt
 * @param method "draglora", "draglora-fast", "dragdiffusion" or "latent-warp"
 * @param seed every random draw of the edit derives from it
 * @param points the initial point pairs (ids 0, 1, ... in this order); may be empty
 * @param maxSteps the DOO step budget K
 * @param recLoraSteps RecLoRA fitting steps
 */
public record SessionSpec(String imageHash, int width, int height, String maskHash, String prompt, String method,
        long seed, List<PointPair> points, int maxSteps, int recLoraSteps) implements CborSerializable {

    public SessionSpec {
        Objects.requireNonNull(imageHash, "imageHash");
        Objects.requireNonNull(prompt, "prompt");
        Objects.requireNonNull(method, "method");
        points = List.copyOf(points);
        if (points.size() > EditSession.MAX_POINTS) {
            throw new IllegalArgumentException("a session holds at most " + EditSession.MAX_POINTS + " points, got "
                    + points.size());
        }
        if (width < 8 || height < 8 || width % 8 != 0 || height % 8 != 0) {
            throw new IllegalArgumentException("image is " + width + "x" + height + ": sides must be multiples of 8");
        }
        for (PointPair p : points) {
            if (!p.inside(width, height)) {
                throw new IllegalArgumentException("point " + p + " lies outside the " + width + "x" + height + " image");
            }
        }
        if (maxSteps < 1 || recLoraSteps < 0) {
            throw new IllegalArgumentException("maxSteps must be >= 1 and recLoraSteps >= 0, got " + maxSteps + ", "
                    + recLoraSteps);
        }
    }

    /** The same edit with another prompt. */
    public SessionSpec withPrompt(String newPrompt) {
        return new SessionSpec(imageHash, width, height, maskHash, newPrompt, method, seed, points, maxSteps,
                recLoraSteps);
    }

    /** The same edit started over from other points and mask (a restart). */
    public SessionSpec restartedWith(List<PointPair> newPoints, String newMaskHash) {
        return new SessionSpec(imageHash, width, height, newMaskHash, prompt, method, seed, newPoints, maxSteps,
                recLoraSteps);
    }
}
