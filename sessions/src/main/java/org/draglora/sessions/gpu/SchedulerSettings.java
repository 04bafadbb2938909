package org.draglora.sessions.gpu;

import java.time.Duration;

/**
 * @param capacity jobs that may wait at once, over all sessions; one more is rejected at once
 * @param backgroundPromotion a background job that waited this long runs before interactive work,
 *     so a busy editor cannot starve another session's preparation
 */
public record SchedulerSettings(int capacity, Duration backgroundPromotion) {

    public SchedulerSettings {
        if (capacity < 1) {
            throw new IllegalArgumentException("scheduler capacity must be at least 1, got " + capacity);
        }
        if (backgroundPromotion.isNegative()) {
            throw new IllegalArgumentException("background promotion must not be negative: " + backgroundPromotion);
        }
    }
}
