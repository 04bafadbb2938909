package org.draglora.engine.runtime;

import ai.djl.pytorch.jni.JniUtils;

/**
 * Turns autograd recording off on this thread until closed, then restores it ({@code torch.no_grad}).
 * Used inside a gradient collector for the parts of a step that must not be differentiated (the
 * DDS forwards, ILFA, optimiser updates).
 */
public final class NoGrad implements AutoCloseable {

    private final boolean previous;

    private NoGrad() {
        previous = JniUtils.isGradMode();
        JniUtils.setGradMode(false);
    }

    /** Opens a no-grad region. */
    public static NoGrad open() {
        return new NoGrad();
    }

    @Override
    public void close() {
        JniUtils.setGradMode(previous);
    }
}
