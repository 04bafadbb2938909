package org.draglora.http.sessions;

import java.util.Locale;
import java.util.concurrent.CompletionStage;
import org.draglora.sessions.gpu.SchedulerMetrics;

/** {@code GET /metrics}: the server's counters in the Prometheus text format (version 0.0.4). */
public final class Metrics {

    private Metrics() {}

    /** The metrics page of {@code backend} now. */
    public static CompletionStage<String> page(EditBackend backend) {
        return backend.schedulerMetrics().thenCombine(backend.roomCount(), (m, rooms) -> render(backend, m, rooms));
    }

    private static String render(EditBackend backend, SchedulerMetrics m, int rooms) {
        StringBuilder b = new StringBuilder();
        gauge(b, "draglora_sessions_active", "Sessions whose actors run (started or recovered since the server started).",
                rooms);
        counter(b, "draglora_sessions_created_total", "Sessions created or imported since the server started.",
                backend.sessionsCreated.get());
        gauge(b, "draglora_websockets_open", "Open WebSocket connections.", backend.openSockets.get());
        gauge(b, "draglora_gpu_queue_jobs", "Jobs waiting for the device.", m.queued());
        gauge(b, "draglora_gpu_busy_ratio", "Fraction of time the device thread ran jobs since start.", m.busyFraction());
        counter(b, "draglora_gpu_jobs_completed_total", "Device jobs that ran and returned.", m.completed());
        counter(b, "draglora_gpu_jobs_failed_total", "Device jobs that threw.", m.failed());
        counter(b, "draglora_gpu_jobs_rejected_total", "Device jobs refused because the queue was full.", m.rejected());
        counter(b, "draglora_gpu_jobs_cancelled_total", "Queued device jobs cancelled before they ran.", m.cancelled());
        Runtime rt = Runtime.getRuntime();
        gauge(b, "draglora_jvm_heap_used_bytes", "JVM heap in use.", rt.totalMemory() - rt.freeMemory());
        gauge(b, "process_resident_memory_bytes", "Resident memory of the server process (heap, native tensors, code).",
                org.draglora.engine.bench.ProcessMemory.residentMib() * 1024.0 * 1024.0);
        return b.toString();
    }

    private static void gauge(StringBuilder b, String name, String help, double value) {
        metric(b, name, help, "gauge", value);
    }

    private static void counter(StringBuilder b, String name, String help, double value) {
        metric(b, name, help, "counter", value);
    }

    private static void metric(StringBuilder b, String name, String help, String type, double value) {
        b.append("# HELP ").append(name).append(' ').append(help).append('\n');
        b.append("# TYPE ").append(name).append(' ').append(type).append('\n');
        b.append(name).append(' ');
        if (value == Math.rint(value) && Math.abs(value) < 1e15) {
            b.append((long) value);
        } else {
            b.append(String.format(Locale.ROOT, "%.6f", value));
        }
        b.append('\n');
    }
}
