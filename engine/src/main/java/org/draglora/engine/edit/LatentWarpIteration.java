package org.draglora.engine.edit;

import ai.djl.ndarray.NDArray;
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
            moves.add(new LatentWarp.Move(LatentWarp.latentCoordinate(h.y(), scale),
                    LatentWarp.latentCoordinate(h.x(), scale), (t.y() - h.y()) / scale, (t.x() - h.x()) / scale));
        }
        if (warped != null) {
            warped.close();
        }
        warped = run.warpLatent(run.zOrig, moves);
        iterations++;
        return new Outcome(true, null, StepRecord.Losses.NONE, 0, 0, 0, null, "warped");
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
