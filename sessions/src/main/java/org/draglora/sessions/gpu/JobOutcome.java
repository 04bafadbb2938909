package org.draglora.sessions.gpu;

/**
 * What became of a submitted job: errors are data, so a failed or rejected job never takes the
 * scheduler or another session down.
 *
 * @param <T> what the job produces
 */
public sealed interface JobOutcome<T> {

    /** The job ran; {@code deviceNanos} is what it cost on the device thread. */
    record Completed<T>(T value, long deviceNanos) implements JobOutcome<T> {}

    /** The job ran and threw; {@code reason} is the exception's message. */
    record Failed<T>(String reason, long deviceNanos) implements JobOutcome<T> {}

    /** The queue was full: the job was never queued. */
    record Rejected<T>(String reason) implements JobOutcome<T> {}

    /** The job was queued and then cancelled before it ran. */
    record Cancelled<T>() implements JobOutcome<T> {}
}
