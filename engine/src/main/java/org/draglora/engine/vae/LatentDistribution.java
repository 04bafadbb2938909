package org.draglora.engine.vae;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import org.draglora.engine.nn.Ops;

/**
 * Port of diffusers {@code DiagonalGaussianDistribution} (models/autoencoders/vae.py, v0.27), the
 * encoder's latent distribution, without the scaling factor (see
 * {@link AutoencoderKL#encodeScaled(NDArray)}). All shapes are (B, latent, h, w).
 *
 * @param mean the first half of the moments' channels
 * @param logvar the second half, clamped to [-30, 20]
 * @param std {@code exp(0.5 * logvar)}
 */
public record LatentDistribution(NDArray mean, NDArray logvar, NDArray std) {

    /** Clamp bounds of the log-variance: diffusers {@code DiagonalGaussianDistribution.__init__}, v0.27. */
    static final float LOGVAR_MIN = -30f;
    static final float LOGVAR_MAX = 20f;

    /** Splits {@code quant_conv}'s output: moments (B, 2 * latent, h, w) -> mean, logvar (B, latent, h, w). */
    public static LatentDistribution fromMoments(NDArray moments) {
        NDList halves = moments.split(2, 1);
        NDArray logvar = halves.get(1).clip(LOGVAR_MIN, LOGVAR_MAX);
        return new LatentDistribution(halves.get(0), logvar, Ops.scale(logvar, 0.5).exp());
    }

    /** A draw {@code mean + std * noise}, with {@code noise} ~ N(0, 1) of the mean's shape supplied by the caller. */
    public NDArray sample(NDArray noise) {
        return mean.add(std.mul(noise));
    }
}
