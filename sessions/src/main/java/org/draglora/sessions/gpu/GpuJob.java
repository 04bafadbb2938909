package org.draglora.sessions.gpu;

/**
 * One unit of device work, run on the scheduler's pinned thread, one at a time (the engine calls in
 * it run their tensor work on the engine's device thread). A job is one step of an edit (a drag iteration, a RecLoRA step, an
 * inversion, a decode); its result is opaque to the scheduler.
 *
 * @param <T> what the job produces
 */
@FunctionalInterface
public interface GpuJob<T> {

    /** Runs the job; an exception fails this job only. */
    T run() throws Exception;
}
