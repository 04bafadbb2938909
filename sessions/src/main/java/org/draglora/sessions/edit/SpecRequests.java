package org.draglora.sessions.edit;

import java.util.ArrayList;
import java.util.List;
import org.draglora.engine.drag.DragSettings;
import org.draglora.engine.drag.ImagePoint;
import org.draglora.engine.edit.DragRequest;
import org.draglora.engine.edit.RecLoraSettings;
import org.draglora.engine.session.EditEngine;
import org.draglora.engine.tools.EditMethod;
import org.draglora.sessions.store.BlobStore;

/** Turns a {@link SessionSpec} into the engine's {@link DragRequest}: one mapping for live runs, replays and benchmarks. */
public final class SpecRequests {

    private SpecRequests() {}

    /** The engine request of {@code spec}: its method's settings with the model's defaults, its budgets and seed. */
    public static DragRequest request(EditEngine engine, BlobStore blobs, SessionSpec spec) {
        byte[] rgb = blobs.require(spec.imageHash());
        List<DragRequest.PointPair> pairs = new ArrayList<>();
        for (PointPair p : spec.points()) {
            pairs.add(new DragRequest.PointPair(handle(p), target(p)));
        }
        DragSettings drag = engine.defaults().apply(EditMethod.parse(spec.method()).settings())
                .withMaxSteps(spec.maxSteps());
        RecLoraSettings rec = engine.defaults().apply(RecLoraSettings.reference()).withSteps(spec.recLoraSteps());
        return new DragRequest(spec.width(), spec.height(), rgb, mask(blobs, spec.maskHash()), pairs, spec.prompt(), drag,
                rec, spec.seed());
    }

    /** Stores {@code editable} as one byte per pixel (1 = may change) and returns its hash. */
    public static String storeMask(BlobStore blobs, boolean[] editable) {
        byte[] bytes = new byte[editable.length];
        for (int i = 0; i < bytes.length; i++) {
            bytes[i] = (byte) (editable[i] ? 1 : 0);
        }
        return blobs.put(bytes);
    }

    /** The mask stored under {@code hash} (one byte per pixel, non-zero = editable), or {@code null}. */
    static boolean[] mask(BlobStore blobs, String hash) {
        if (hash == null) {
            return null;
        }
        byte[] bytes = blobs.require(hash);
        boolean[] m = new boolean[bytes.length];
        for (int i = 0; i < bytes.length; i++) {
            m[i] = bytes[i] != 0;
        }
        return m;
    }

    static ImagePoint handle(PointPair p) {
        return new ImagePoint(p.handleX(), p.handleY());
    }

    static ImagePoint target(PointPair p) {
        return new ImagePoint(p.targetX(), p.targetY());
    }
}
