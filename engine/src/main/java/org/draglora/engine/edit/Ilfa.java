package org.draglora.engine.edit;

import ai.djl.ndarray.NDArray;
import org.draglora.engine.schedule.DdimScheduler;

/**
 * ILFA, input latent feature adaptation (ALGORITHM.md §6, DL:utils/drag_utils_lora.py:288-309):
 * DDIM-denoise the latent from t one stride of the DDIM grid down (t-20 on 50 steps) with the
 * current model's noise prediction, DDPM re-noise it back to t with fresh noise, and keep the
 * result inside the mask only; outside it the latent is the inverted one.
 */
public final class Ilfa {

    private Ilfa() {}

    /**
     * One ILFA update.
     *
     * @param eps the model's noise prediction for {@code z} at {@code t}
     * @param z the latent at {@code t}, (1, 4, h, w)
     * @param noise fresh N(0, I) noise of z's shape
     * @param mask the editable latent cells, (1, 1, h, w) of 0 and 1; {@code null}: everything
     * @param zOrig the inverted latent kept outside the mask (unused without a mask)
     * @param steps the DDIM grid's length (50); one stride below t is where the update denoises to
     *     (661 for 681 on 50 steps)
     */
    public static NDArray adapt(DdimScheduler scheduler, NDArray eps, NDArray z, NDArray noise, NDArray mask,
            NDArray zOrig, long t, int steps) {
        NDArray zPrev = scheduler.step(eps, t, z, steps).prevSample();
        NDArray renoised = scheduler.renoise(zPrev, noise, t - scheduler.stepRatio(steps), t);
        if (mask == null) {
            return renoised;
        }
        return renoised.mul(mask).add(zOrig.mul(mask.neg().add(1f)));
    }
}
