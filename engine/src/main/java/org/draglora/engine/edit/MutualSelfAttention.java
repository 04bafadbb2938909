package org.draglora.engine.edit;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.draglora.engine.runtime.NoGrad;
import org.draglora.engine.unet.AttnProcessor;
import org.draglora.engine.unet.ForwardContext;
import org.draglora.engine.unet.KvCaptureProcessor;
import org.draglora.engine.unet.KvInjectProcessor;
import org.draglora.engine.unet.KvStore;

/**
 * One step of the final denoising with MasaCtrl mutual self-attention (ALGORITHM.md §9,
 * DL:utils/pipelines/drag_pipeline_lora.py:585-663): the source latent runs through the RecLoRA
 * UNet and its self-attention K/V in layers {@code startLayer..15} (up_blocks.2 and up_blocks.3 by
 * default) are injected into the edited model's pass on the target latent; both advance one DDIM
 * step (eta 0).
 */
final class MutualSelfAttention {

    /** The two advanced latents and how many UNet passes it took. */
    record Result(NDArray source, NDArray target, int forwardPasses) {}

    private MutualSelfAttention() {}

    static Result step(DragRun run, NDManager s, NDArray zSrc, NDArray zTgt, long t, int index) {
        List<String> selfPaths = run.model.unet().selfAttentionPaths();
        int start = Math.min(run.settings.mutualAttention().startLayer(), selfPaths.size());
        List<String> layers = selfPaths.subList(start, selfPaths.size());
        boolean inject = index >= run.settings.mutualAttention().startStep() && !layers.isEmpty();
        int steps = run.settings.schedule().inferenceSteps();
        try (NoGrad ignored = NoGrad.open()) {
            KvStore store = new KvStore(s);
            ForwardContext src = run.recContext();
            ForwardContext tgt = ForwardContext.of(run.finalAdapters());
            if (inject) {
                src = src.withProcessors(on(layers, new KvCaptureProcessor(store)));
                tgt = tgt.withProcessors(on(layers, new KvInjectProcessor(store)));
            }
            NDArray eSrc = run.forward(zSrc, t, src).sample();
            NDArray eTgt = run.forward(zTgt, t, tgt).sample();
            NDArray nextSrc = run.model.scheduler().step(eSrc, t, zSrc, steps).prevSample();
            NDArray nextTgt = run.model.scheduler().step(eTgt, t, zTgt, steps).prevSample();
            return new Result(nextSrc, nextTgt, 2);
        }
    }

    private static Map<String, AttnProcessor> on(List<String> paths, AttnProcessor p) {
        Map<String, AttnProcessor> m = new HashMap<>();
        paths.forEach(path -> m.put(path, p));
        return m;
    }
}
