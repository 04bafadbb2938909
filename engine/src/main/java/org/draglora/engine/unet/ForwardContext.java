package org.draglora.engine.unet;

import java.util.Map;
import org.draglora.engine.nn.LayerAdapters;

/**
 * What travels with one forward call of a shared, never-mutated model: the per-session layer
 * adapters (a trainable LoRA set or a fused frozen view), attention processors by the attention's
 * key path (K/V capture or injection), and a tap that sees named intermediate tensors.
 *
 * @param adapters LoRA adapters or fused weights for the attention projections and, where a LoRA
 *     targets them, the resnet convolutions
 * @param processors processor per attention key path; absent paths use {@link DefaultAttnProcessor}
 * @param tap receives intermediates ({@code time_proj}, {@code down_blocks.0}, ...), or does nothing
 */
public record ForwardContext(LayerAdapters adapters, Map<String, AttnProcessor> processors, FeatureTap tap) {

    /** The base model with nothing attached. */
    public static final ForwardContext DEFAULT = new ForwardContext(LayerAdapters.NONE, Map.of(), FeatureTap.NONE);

    public ForwardContext {
        processors = Map.copyOf(processors);
    }

    /** The base model with these adapters. */
    public static ForwardContext of(LayerAdapters adapters) {
        return new ForwardContext(adapters, Map.of(), FeatureTap.NONE);
    }

    /** This context with another tap. */
    public ForwardContext withTap(FeatureTap newTap) {
        return new ForwardContext(adapters, processors, newTap);
    }

    /** This context with these processors (replacing the previous ones). */
    public ForwardContext withProcessors(Map<String, AttnProcessor> newProcessors) {
        return new ForwardContext(adapters, newProcessors, tap);
    }

    /** The processor of the attention at {@code path}. */
    public AttnProcessor processor(String path) {
        AttnProcessor p = processors.get(path);
        return p == null ? DefaultAttnProcessor.INSTANCE : p;
    }
}
