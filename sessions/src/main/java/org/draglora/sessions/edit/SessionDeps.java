package org.draglora.sessions.edit;

import java.time.Duration;
import java.util.Objects;
import org.apache.pekko.actor.typed.ActorRef;
import org.draglora.engine.session.EditEngine;
import org.draglora.sessions.gpu.GpuScheduler;
import org.draglora.sessions.store.BlobStore;

/**
 * What every edit session of one device shares.
 *
 * @param scheduler the device's GPU scheduler (it runs every engine call of every session, one job at a time)
 * @param engine the device's loaded model
 * @param blobs images, masks, previews and results by hash
 * @param idleTimeout a session that ran no step for this long releases its tensors
 * @param previews whether drag steps make latent previews for the timeline
 */
public record SessionDeps(ActorRef<GpuScheduler.Command> scheduler, EditEngine engine, BlobStore blobs,
        Duration idleTimeout, boolean previews) {

    public SessionDeps {
        Objects.requireNonNull(scheduler, "scheduler");
        Objects.requireNonNull(engine, "engine");
        Objects.requireNonNull(blobs, "blobs");
        Objects.requireNonNull(idleTimeout, "idleTimeout");
    }
}
