package org.draglora.sessions.edit;

import java.util.Arrays;
import org.draglora.engine.session.EditEngine;
import org.draglora.sessions.store.BlobStore;

/**
 * Re-executes a session's edit from its journal: the inputs of its last epoch, every live change
 * applied before the drag step where it was applied originally. Call it on the device thread.
 */
public final class Replay {

    /**
     * What a re-execution gave.
     *
     * @param result the re-executed result image (RGB bytes)
     * @param recorded the result the session recorded, or {@code null} when it has not finished
     * @param identical whether both exist and are equal byte for byte
     */
    public record Outcome(byte[] result, byte[] recorded, boolean identical) {}

    private Replay() {}

    /** Re-executes {@code state}'s edit with {@code engine}; images come from {@code blobs}. */
    public static Outcome reexecute(EditEngine engine, BlobStore blobs, SessionState state) {
        if (state.spec() == null) {
            throw new IllegalArgumentException("the session has no image: nothing to replay");
        }
        byte[] result = new EngineSlot(engine, blobs).reexecute(state);
        byte[] recorded = state.resultHash() == null ? null : blobs.require(state.resultHash());
        return new Outcome(result, recorded, recorded != null && Arrays.equals(result, recorded));
    }
}
