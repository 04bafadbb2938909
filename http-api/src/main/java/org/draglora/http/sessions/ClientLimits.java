package org.draglora.http.sessions;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import org.draglora.config.LimitSettings;
import org.draglora.sessions.edit.SessionState;

/**
 * Per-client limits of a shared server ({@code draglora.limits}): a token bucket of requests per
 * client (one remote address), and a cap on the sessions one client has preparing or dragging
 * at a time, so that one client cannot flood the API or occupy the device with many edits.
 */
final class ClientLimits {

    /** Buckets kept before idle ones are forgotten. */
    private static final int MAX_CLIENTS = 10_000;

    private final LimitSettings settings;
    private final Map<String, Bucket> buckets = new ConcurrentHashMap<>();
    private final Map<String, Set<String>> sessionsByClient = new ConcurrentHashMap<>();

    ClientLimits(LimitSettings settings) {
        this.settings = settings;
    }

    /** The settings. */
    LimitSettings settings() {
        return settings;
    }

    /**
     * Takes one request from {@code client}'s bucket; {@code false} when it is empty. A
     * {@code kind} other than "" has its own bucket (cursor moves must not starve commands).
     */
    boolean tryAcquire(String client, String kind) {
        if (buckets.size() > MAX_CLIENTS) {
            long now = System.nanoTime();
            buckets.values().removeIf(b -> b.fullAt(now, settings));
        }
        return buckets.computeIfAbsent(client + "|" + kind, k -> new Bucket(settings.burst())).take(System.nanoTime(),
                settings);
    }

    /** Records that {@code client} created or started session {@code sessionId}. */
    void own(String client, String sessionId) {
        sessionsByClient.computeIfAbsent(client, k -> ConcurrentHashMap.newKeySet()).add(sessionId);
    }

    /**
     * How many of {@code client}'s sessions other than {@code except} are preparing or dragging
     * now; {@code states} reads a session's state. Sessions that no longer run are forgotten.
     */
    CompletionStage<Integer> running(String client, String except,
            Function<String, CompletionStage<SessionState>> states) {
        Set<String> ids = sessionsByClient.getOrDefault(client, Set.of());
        List<CompletableFuture<Boolean>> checks = new ArrayList<>();
        for (String id : ids) {
            if (id.equals(except)) {
                continue;
            }
            checks.add(states.apply(id).thenApply(s -> {
                boolean runs = s.status().runs();
                if (!runs) {
                    ids.remove(id);
                }
                return runs;
            }).toCompletableFuture());
        }
        return CompletableFuture.allOf(checks.toArray(CompletableFuture[]::new))
                .thenApply(v -> (int) checks.stream().filter(CompletableFuture::join).count());
    }

    /** A token bucket: {@code burst} tokens, refilled at the configured rate. */
    private static final class Bucket {
        private double tokens;
        private long updated = System.nanoTime();

        Bucket(int burst) {
            tokens = burst;
        }

        synchronized boolean take(long now, LimitSettings s) {
            refill(now, s);
            if (tokens >= 1) {
                tokens -= 1;
                return true;
            }
            return false;
        }

        synchronized boolean fullAt(long now, LimitSettings s) {
            refill(now, s);
            return tokens >= s.burst();
        }

        private void refill(long now, LimitSettings s) {
            tokens = Math.min(s.burst(), tokens + (now - updated) / 1e9 * s.requestsPerSecond());
            updated = now;
        }
    }
}
