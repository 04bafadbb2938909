package org.draglora.engine.runtime;

import java.time.Duration;
import java.util.concurrent.locks.LockSupport;

/**
 * Keeps libtorch out of the JVM's exit.
 *
 * <p>On SIGTERM or Ctrl-C the JVM runs its shutdown hooks and then calls the C library's
 * {@code exit}, which runs libtorch's static destructors. A thread still inside a libtorch op at
 * that moment (the device thread in the middle of a drag step, or the CLI's main thread) reads
 * freed globals and the process dies with SIGSEGV and an {@code hs_err_pid*.log} instead of exiting
 * (seen once on the server: SIGTERM during a step, crash in {@code at::accelerator::getAccelerator}
 * on the daemon device thread).
 *
 * <p>So tensor work runs in spans ({@link #enter()}: a drag step, a training step, a model load, a
 * device-thread job), and the process's guard registers a shutdown hook that stops new spans and
 * waits for the running ones to end, at most {@link #EXIT_WAIT}. A thread that asks for a new span
 * after that is parked until the process is gone ({@link #enter()}), so it can neither start an op
 * nor unwind into native frees; {@link #tryEnter()} answers {@code null} instead, for callers that
 * can refuse work without touching tensors. Spans nest: a thread inside one enters again freely.
 */
public final class ExitGuard {

    /**
     * How long the exit waits for running spans. A drag step takes well under a second on a GPU
     * and on the embedded model; an SD 1.5 step on a CPU can take tens of seconds.
     */
    public static final Duration EXIT_WAIT = Duration.ofSeconds(30);

    private static ExitGuard process;

    private final Object lock = new Object();
    private final ThreadLocal<int[]> depth = ThreadLocal.withInitial(() -> new int[1]);
    private int active;
    private boolean exiting;

    /** A guard of its own (tests); the process's one is {@link #process()}. */
    public ExitGuard() {}

    /** The process's guard; its shutdown hook is registered on the first call. */
    public static synchronized ExitGuard process() {
        if (process == null) {
            ExitGuard guard = new ExitGuard();
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                if (!guard.beginExit(EXIT_WAIT)) {
                    System.err.println("draglora: exiting while tensor work still runs (waited "
                            + EXIT_WAIT.toSeconds() + " s); the process may crash on its way out");
                }
            }, "draglora-exit-guard"));
            process = guard;
        }
        return process;
    }

    /** One span of tensor work; closing it ends the span. */
    public final class Span implements AutoCloseable {
        private boolean closed;

        private Span() {}

        @Override
        public void close() {
            if (closed) {
                return;
            }
            closed = true;
            depth.get()[0]--;
            synchronized (lock) {
                active--;
                lock.notifyAll();
            }
        }
    }

    /**
     * Starts a span on the calling thread. Once the process is exiting, a thread that holds no span
     * never returns from here: it stays parked until the process ends.
     */
    public Span enter() {
        Span span = tryEnter();
        if (span != null) {
            return span;
        }
        while (true) { // the exit is under way: this thread must not touch libtorch again
            LockSupport.park(this);
            Thread.interrupted(); // a set flag would make park return at once: clear it, park again
        }
    }

    /** Starts a span, or returns {@code null} when the process is exiting (and the thread holds no span). */
    public Span tryEnter() {
        int[] d = depth.get();
        synchronized (lock) {
            if (exiting && d[0] == 0) {
                return null;
            }
            active++;
        }
        d[0]++;
        return new Span();
    }

    /** Whether the exit has begun. */
    public boolean exiting() {
        synchronized (lock) {
            return exiting;
        }
    }

    /**
     * Refuses new spans and waits up to {@code wait} for the running ones; returns whether none is
     * left. Called once, by the shutdown hook.
     */
    public boolean beginExit(Duration wait) {
        long deadline = System.nanoTime() + wait.toNanos();
        boolean interrupted = false;
        synchronized (lock) {
            exiting = true;
            try {
                while (active > 0) {
                    long left = deadline - System.nanoTime();
                    if (left <= 0) {
                        return false;
                    }
                    try {
                        lock.wait(Math.max(1, left / 1_000_000));
                    } catch (InterruptedException e) {
                        interrupted = true;
                    }
                }
                return true;
            } finally {
                if (interrupted) {
                    Thread.currentThread().interrupt();
                }
            }
        }
    }
}
