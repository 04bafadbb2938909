package org.draglora.sessions.gpu;

import java.util.Map;

/**
 * A snapshot of one scheduler.
 *
 * @param queued jobs waiting now
 * @param busyFraction device-thread time spent in jobs over time since the scheduler started
 * @param deviceNanosBySession device time charged to each session so far
 * @param completed jobs that ran and returned
 * @param failed jobs that ran and threw
 * @param rejected jobs refused because the queue was full
 * @param cancelled queued jobs cancelled before they ran
 */
public record SchedulerMetrics(int queued, double busyFraction, Map<String, Long> deviceNanosBySession, long completed,
        long failed, long rejected, long cancelled) {

    public SchedulerMetrics {
        deviceNanosBySession = Map.copyOf(deviceNanosBySession);
    }
}
