package org.draglora.engine.edit;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.List;
import org.draglora.engine.drag.ImagePoint;
import org.draglora.engine.drag.LatentWarp;

/**
 * The latent-warp baseline ({@link org.draglora.engine.drag.DragSettings.Target#WARP}): one
 * iteration moves the inverted latent's region around every handle to its target
 * ({@link LatentWarp}); the final denoising then runs under the RecLoRA UNet as DragDiffusion's
 * does. No UNet pass, no optimiser, no tracking: the move is the user's points in image pixels
 * (not the rounded feature-grid points the optimising methods track), rounded to whole latent cells.
 */
final class LatentWarpIteration extends DragIteration {

    /**
     * The moved region's radius as a fraction of the image's shorter side: 0.28, 18 px at 64x64
     * (4.5 cells of the embedded model's 16x16 latent). Measured on ShapeDrag's first 16 cases with
     * the embedded model, error over initial distance at radius 2, 2.5, 3, 3.5, 4.5 and 6 cells:
     * 0.47, 0.40, 0.32, 0.26, 0.23, 0.28 (docs/shapedrag-experiments.md, "Moving the latent itself").
     */
    static final double REGION_RADIUS_FRACTION = 0.28;

    private NDArray warped;

    LatentWarpIteration(DragRun run) {
        super(run);
    }

    /** Needs no F0 and no anchors: the warp reads the points and finishes in its first iteration. */
    @Override
    void initialise() {
    }

    @Override
    Outcome next() {
        int scale = run.model.latentScale();
        List<LatentWarp.Move> moves = new ArrayList<>();
        for (TrackedPoint p : run.points) {
            ImagePoint h = p.userHandle;
            ImagePoint t = p.userTarget;
            moves.add(new LatentWarp.Move(latentCoordinate(h.y(), scale), latentCoordinate(h.x(), scale),
                    (t.y() - h.y()) / scale, (t.x() - h.x()) / scale));
        }
        Shape shape = run.zOrig.getShape(); // (1, C, h, w)
        int channels = (int) shape.get(1);
        boolean[] editable = null;
        if (!run.maskEmpty) {
            float[] m = run.latentMask.toType(DataType.FLOAT32, false).toFloatArray(); // h*w cells
            editable = new boolean[m.length];
            for (int i = 0; i < m.length; i++) {
                editable[i] = m[i] > 0.5f;
            }
        }
        double radius = REGION_RADIUS_FRACTION * Math.min(run.geometry.imageHeight(), run.geometry.imageWidth()) / scale;
        float[] moved = LatentWarp.warp(run.zOrig.toType(DataType.FLOAT32, false).toFloatArray(), channels, run.latentH,
                run.latentW, editable, moves, radius);
        if (warped != null) {
            warped.close();
        }
        warped = run.keep(run.manager.create(moved, shape).toType(run.zOrig.getDataType(), false));
        iterations++;
        return new Outcome(true, null, StepRecord.Losses.NONE, 0, 0, 0, null, "warped");
    }

    /** A pixel coordinate's position on the latent grid, a cell's centre at its index. */
    static double latentCoordinate(double pixel, int scale) {
        return (pixel + 0.5) / scale - 0.5;
    }

    @Override
    NDArray finalLatent() {
        if (warped == null) {
            throw new IllegalStateException("the latent has not been warped yet");
        }
        return warped;
    }

    @Override
    void finishOptimisation() {
        // nothing was optimised
    }
}
