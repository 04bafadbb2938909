package org.draglora.engine.edit;

import ai.djl.ndarray.NDArray;
import org.draglora.engine.drag.DragGeometry;
import org.draglora.engine.drag.GridPoint;
import org.draglora.engine.drag.ImagePoint;

/**
 * One handle/target pair during a drag, on the feature grid, with its own reference: the feature
 * vector that tracking looks for and the patch that motion supervision pulls. The reference code
 * takes both from the initial features F0 at the initial handle; a point added or re-anchored
 * mid-run takes them from the current features at its new position. Arrays belong to the run's
 * manager; mutable, owned by one {@link DragRun}.
 */
final class TrackedPoint {

    final int id;
    GridPoint handle;
    GridPoint target;
    /** Where the user put the handle and the target, in image pixels (the grid points are rounded). */
    ImagePoint userHandle;
    ImagePoint userTarget;
    GridPoint expected;
    NDArray referenceVector;
    NDArray referencePatch;
    double lastMinD = Double.NaN;

    TrackedPoint(int id, ImagePoint userHandle, ImagePoint userTarget, DragGeometry geometry) {
        this.id = id;
        this.userHandle = userHandle;
        this.userTarget = userTarget;
        this.handle = geometry.toGrid(userHandle);
        this.target = geometry.toGrid(userTarget);
        this.expected = handle;
    }

    /** Replaces the reference arrays, closing the old ones. */
    void anchor(NDArray vector, NDArray patch) {
        if (referenceVector != null) {
            referenceVector.close();
            referencePatch.close();
        }
        referenceVector = vector;
        referencePatch = patch;
    }

    boolean anchored() {
        return referenceVector != null;
    }
}
