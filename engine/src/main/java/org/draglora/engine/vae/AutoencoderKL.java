package org.draglora.engine.vae;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import org.draglora.engine.nn.Ops;
import org.draglora.engine.nn.Conv2d;
import org.draglora.engine.unet.FeatureTap;
import org.draglora.engine.weights.WeightLoadException;
import org.draglora.engine.weights.WeightScope;
import org.draglora.engine.weights.WeightSource;

/**
 * Port of diffusers {@code AutoencoderKL} (models/autoencoders/autoencoder_kl.py, v0.27), the SD
 * 1.5 VAE: {@code encode} is encoder then quant_conv then the diagonal Gaussian; {@code decode} is
 * post_quant_conv then decoder. Neither applies the scaling factor; {@link #encodeScaled} and
 * {@link #decodeScaled} do, as the SD pipeline and DragDiffusion do.
 *
 * <p>Keys at the root: encoder, quant_conv, post_quant_conv, decoder (current attention names
 * {@code to_q}/{@code to_k}/{@code to_v}/{@code to_out.0}; legacy names are renamed before
 * loading). Shapes: image (B, in, H, W) in [-1, 1] <-> latent (B, latent, H/f, W/f), f = 2^(n-1)
 * (8 in SD 1.5).
 */
public final class AutoencoderKL implements AutoCloseable {

    /** GroupNorm eps of every VAE norm: diffusers vae.py Encoder/Decoder (resnet_eps=1e-6, conv_norm_out eps=1e-6). */
    static final double NORM_EPS = 1e-6;

    private final AutoencoderKLConfig config;
    private final NDManager manager;
    private final DataType dtype;
    private final Encoder encoder;
    private final Conv2d quantConv;
    private final Conv2d postQuantConv;
    private final Decoder decoder;

    /** Builds (and so loads) the model from {@code w}; the model owns {@code w.manager()}. */
    public AutoencoderKL(WeightScope w, AutoencoderKLConfig cfg) {
        this.config = cfg;
        this.manager = w.manager();
        this.dtype = w.dtype();
        long moments = 2L * cfg.latentChannels();
        encoder = new Encoder(w.child("encoder"), cfg);
        quantConv = new Conv2d(w.child("quant_conv"), moments, moments, 1, 1, 0);
        postQuantConv = new Conv2d(w.child("post_quant_conv"), cfg.latentChannels(), cfg.latentChannels(), 1, 1, 0);
        decoder = new Decoder(w.child("decoder"), cfg);
    }

    /**
     * Strict float32 load from {@code source} into {@code manager}, which the model then owns; on a
     * key or shape mismatch the manager is closed and a {@link WeightLoadException} lists every problem.
     */
    public static AutoencoderKL load(WeightSource source, NDManager manager, AutoencoderKLConfig cfg) {
        WeightScope w = WeightScope.load(source, manager);
        AutoencoderKL vae = new AutoencoderKL(w, cfg);
        try {
            w.verify();
        } catch (WeightLoadException e) {
            vae.close();
            throw e;
        }
        return vae;
    }

    /** The configuration. */
    public AutoencoderKLConfig config() {
        return config;
    }

    /** The element type of the weights. */
    public DataType dtype() {
        return dtype;
    }

    /** The latent distribution of {@code image} (B, in, H, W), unscaled. */
    public LatentDistribution encode(NDArray image) {
        return encode(image, FeatureTap.NONE);
    }

    /**
     * As {@link #encode(NDArray)}; {@code tap} sees encoder.conv_in, encoder.down_blocks.N,
     * encoder.mid_block, encoder and quant_conv (the moments).
     */
    public LatentDistribution encode(NDArray image, FeatureTap tap) {
        NDArray h = encoder.forward(image.toType(dtype, false), tap);
        NDArray moments = toFloat32(quantConv.forward(h));
        tap.accept("quant_conv", moments);
        return LatentDistribution.fromMoments(moments);
    }

    /** The image for an unscaled {@code latent} (B, latent, h, w). */
    public NDArray decode(NDArray latent) {
        return decode(latent, FeatureTap.NONE);
    }

    /**
     * As {@link #decode(NDArray)}; {@code tap} sees post_quant_conv, decoder.conv_in,
     * decoder.mid_block and decoder.up_blocks.N.
     */
    public NDArray decode(NDArray latent, FeatureTap tap) {
        NDArray z = postQuantConv.forward(latent.toType(dtype, false));
        tap.accept("post_quant_conv", z);
        return toFloat32(decoder.forward(z, tap));
    }

    /**
     * The SD latent of {@code image}: the distribution's mean times {@code scaling_factor}
     * (DragDiffusion's {@code image2latent}; the SD img2img pipeline samples instead of taking the mean).
     */
    public NDArray encodeScaled(NDArray image) {
        return Ops.scale(encode(image).mean(), config.scalingFactor());
    }

    /** The image for an SD latent: divides by {@code scaling_factor}, then {@link #decode(NDArray)}. */
    public NDArray decodeScaled(NDArray scaledLatent) {
        return decode(Ops.divide(scaledLatent, config.scalingFactor()));
    }

    private static NDArray toFloat32(NDArray a) {
        return a.getDataType() == DataType.FLOAT32 ? a : a.toType(DataType.FLOAT32, false);
    }

    /** Frees the weights. */
    @Override
    public void close() {
        if (manager != null) {
            manager.close();
        }
    }
}
