package org.draglora.sessions.bench;

import java.util.ArrayList;
import java.util.List;
import org.draglora.engine.shapes.DragKind;
import org.draglora.engine.shapes.DragTask;
import org.draglora.engine.shapes.DragTaskGenerator;
import org.draglora.sessions.edit.PointPair;
import org.draglora.sessions.edit.SessionSpec;
import org.draglora.sessions.edit.SpecRequests;
import org.draglora.sessions.store.BlobStore;

/** Session specs of generated shape scenes, for benchmarks and tests of the session stack. */
public final class SceneSessions {

    private SceneSessions() {}

    /**
     * A DragLoRA session on generated scene {@code seed} (64x64, one object moved, its mask and
     * prompt); the image and mask go into {@code blobs}.
     */
    public static SessionSpec moveOne(BlobStore blobs, long seed, int maxSteps, int recLoraSteps) {
        return moveOne(blobs, seed, "draglora", maxSteps, recLoraSteps);
    }

    /** As {@link #moveOne(BlobStore, long, int, int)} with the edit method {@code method}. */
    public static SessionSpec moveOne(BlobStore blobs, long seed, String method, int maxSteps, int recLoraSteps) {
        DragTask task = DragTaskGenerator.generate(seed, 64, 64, DragKind.MOVE_ONE);
        List<PointPair> points = new ArrayList<>();
        task.points().forEach(p -> points.add(new PointPair(p.handleX(), p.handleY(), p.targetX(), p.targetY())));
        return new SessionSpec(blobs.put(task.image().rgb()), 64, 64, SpecRequests.storeMask(blobs, task.mask().editable()),
                task.scene().prompt(), method, seed, points, maxSteps, recLoraSteps);
    }
}
