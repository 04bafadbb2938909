package org.draglora.config;

import com.typesafe.config.Config;
import java.time.Duration;
import java.util.Objects;

/**
 * Settings of edit sessions: {@code draglora.sessions} and {@code draglora.journal.create-schema}
 * in HOCON. (The journal's database, {@code draglora.journal.url} and the rest, is handed to Pekko by
 * {@code org.draglora.sessions.journal.Journal.configure}.)
 *
 * @param idleTimeout a session that ran no step for this long releases its tensors
 * @param queueCapacity jobs the GPU scheduler queues before it rejects more
 * @param previews whether drag steps make latent previews
 * @param createSchema whether the journal tables are created at start-up when missing
 */
public record SessionSettings(Duration idleTimeout, int queueCapacity, boolean previews, boolean createSchema) {

    /** Validates every field, naming the key and the offending value. */
    public SessionSettings {
        Objects.requireNonNull(idleTimeout, "draglora.sessions.idle-timeout");
        if (idleTimeout.isNegative() || idleTimeout.isZero()) {
            throw new IllegalArgumentException("draglora.sessions.idle-timeout must be positive, got " + idleTimeout);
        }
        if (queueCapacity < 1) {
            throw new IllegalArgumentException("draglora.sessions.queue-capacity must be >= 1, got " + queueCapacity);
        }
    }

    /** Reads the keys from the resolved root, so that errors name full keys. */
    static SessionSettings from(Config root) {
        return new SessionSettings(root.getDuration("draglora.sessions.idle-timeout"),
                root.getInt("draglora.sessions.queue-capacity"), root.getBoolean("draglora.sessions.previews"),
                root.getBoolean("draglora.journal.create-schema"));
    }
}
