package org.draglora.config;

import com.typesafe.config.Config;

/**
 * What one client (one remote address) may ask of a shared server: {@code draglora.limits} in HOCON.
 *
 * @param requestsPerSecond the sustained rate of API requests and WebSocket commands per client
 * @param burst how many requests a client may make at once above that rate (a token bucket's size)
 * @param runningSessionsPerClient sessions one client may have preparing or dragging at a time
 */
public record LimitSettings(double requestsPerSecond, int burst, int runningSessionsPerClient) {

    /** Validates every field, naming the key and the offending value. */
    public LimitSettings {
        if (!(requestsPerSecond > 0)) {
            throw new IllegalArgumentException("draglora.limits.requests-per-second must be > 0, got " + requestsPerSecond);
        }
        if (burst < 1) {
            throw new IllegalArgumentException("draglora.limits.burst must be >= 1, got " + burst);
        }
        if (runningSessionsPerClient < 1) {
            throw new IllegalArgumentException("draglora.limits.running-sessions-per-client must be >= 1, got "
                    + runningSessionsPerClient);
        }
    }

    /** Reads the keys from the resolved root, so that errors name full keys. */
    static LimitSettings from(Config root) {
        return new LimitSettings(root.getDouble("draglora.limits.requests-per-second"),
                root.getInt("draglora.limits.burst"), root.getInt("draglora.limits.running-sessions-per-client"));
    }
}
