package org.draglora.sessions.gpu;

/**
 * One unit of device work, run on the scheduler's pinned thread: the only thread of the process
 * that touches tensors. A job is one step of an edit (a drag iteration, a RecLoRA step, an
 * inversion, a decode); its result is opaque to the scheduler.
 *
 * @param <T> what the job produces
 */
@FunctionalInterface
public interface GpuJob<T> {

    /** Runs the job; an exception fails this job only. */
    T run() throws Exception;
}
