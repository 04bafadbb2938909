package org.draglora.engine.runtime;

import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * The one thread on which a process runs the tensor work that several threads ask for (the
 * server's sessions through the GPU scheduler, benchmarks that compare direct calls with it,
 * HTTP-triggered replays). Callers block until their work is done; work submitted from the device
 * thread itself runs inline.
 *
 * <p>Why one thread: libtorch's CPU build parallelises its ops with GNU OpenMP, which gives every
 * thread that enters a parallel region a worker pool of its own, kept until that thread exits. Once
 * two pools are alive, libgomp counts more workers than cores and lets them spin only briefly
 * before sleeping, so every parallel op waits for futex wake-ups: measured on this 2-core machine,
 * a drag step on the embedded model took 483-529 ms on a second thread against 229-255 ms on the
 * thread that loaded the model, at the same thread count (process CPU/wall 1.04 against 1.97).
 * Loading the model on one thread and stepping on another was enough to halve the server's speed.
 *
 * <p>The thread is a daemon and turns autograd recording off when it starts (grad mode is
 * thread-local in libtorch). Every job is a span of its {@link ExitGuard}: the exit waits for the
 * running job, and once it has begun, jobs are refused with an {@link ExitInProgressException}
 * (their callers hold no tensors, so they can unwind safely) and clean-up jobs ({@link #release})
 * are skipped.
 */
public final class DeviceThread {

    /** Work that may throw a checked exception, rethrown to the caller as it is. */
    @FunctionalInterface
    public interface Work<T, E extends Exception> {
        T run() throws E;
    }

    private final ExecutorService executor;
    private final ExitGuard exitGuard;
    private volatile Thread thread;

    /** Starts the thread, named {@code name}; {@code prepare} runs on it first; jobs are spans of {@code exitGuard}. */
    public DeviceThread(String name, Runnable prepare, ExitGuard exitGuard) {
        this.exitGuard = exitGuard;
        this.executor = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(() -> {
                prepare.run();
                r.run();
            }, name);
            t.setDaemon(true);
            thread = t;
            return t;
        });
    }

    /** Whether the caller is the device thread. */
    public boolean isCurrent() {
        return Thread.currentThread() == thread;
    }

    /**
     * Runs {@code work} on the device thread and returns its result, or throws what it threw. The
     * caller waits for the work to finish even when interrupted (the work owns tensors the caller
     * will touch next), then keeps its interrupt flag.
     */
    @SuppressWarnings("unchecked")
    public <T, E extends Exception> T call(Work<T, E> work) throws E {
        if (isCurrent()) {
            return work.run();
        }
        if (exitGuard.exiting()) {
            throw new ExitInProgressException();
        }
        Future<T> future = executor.submit(() -> {
            ExitGuard.Span span = exitGuard.tryEnter();
            if (span == null) {
                throw new ExitInProgressException();
            }
            try (span) {
                return work.run();
            }
        });
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    return future.get();
                } catch (InterruptedException e) {
                    interrupted = true;
                } catch (ExecutionException e) {
                    Throwable cause = e.getCause();
                    if (cause instanceof RuntimeException r) {
                        throw r;
                    }
                    if (cause instanceof Error err) {
                        throw err;
                    }
                    throw (E) cause; // Work.run declares E and nothing else checked
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * Runs clean-up work (freeing native memory) on the device thread, or skips it once the
     * process is exiting: the process's end frees that memory anyway, and a refused clean-up must
     * not turn an orderly exit into errors.
     */
    public void release(Runnable cleanup) {
        try {
            run(cleanup);
        } catch (ExitInProgressException e) {
            // the exit began: nothing to free that the process's end does not
        }
    }

    /** Runs {@code work} on the device thread and waits for it. */
    public void run(Runnable work) {
        call(() -> {
            work.run();
            return null;
        });
    }
}
