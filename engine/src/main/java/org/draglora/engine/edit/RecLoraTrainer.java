package org.draglora.engine.edit;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import java.util.List;
import org.draglora.engine.lora.LoraSet;
import org.draglora.engine.nn.Ops;
import org.draglora.engine.optim.AdamW;
import org.draglora.engine.schedule.DdimScheduler;
import org.draglora.engine.unet.ForwardContext;
import org.draglora.engine.unet.UNet2DConditionModel;
import org.draglora.engine.vae.LatentDistribution;

/**
 * Fits the reconstruction LoRA (RecLoRA) to one image, one step per call so that a session can
 * interleave it with other work (ALGORITHM.md §4): each step takes {@code batch} copies of the
 * image, each with a random square crop, a VAE posterior sample times 0.18215, Gaussian noise and
 * a timestep t ~ U{0..999}, and minimises the MSE between the noise and the UNet's prediction with
 * AdamW. The UNet weights stay frozen; only the LoRA set learns. {@link #wholeUnet} fits every weight
 * of a UNet copy instead, with the same recipe (a diagnostic of how much a reconstruction can hold,
 * {@code bench ilfa}).
 *
 * <p>Difference from the reference, for speed: the image is VAE-encoded once; crops are taken on
 * the latent grid (8-pixel aligned) of that posterior instead of encoding each pixel crop. The
 * reference first resizes the shorter side to 512; here the image is used at its own size (a
 * square image needs no crop at all, as in the reference at 512x512).
 */
public final class RecLoraTrainer {

    private final EditModel model;
    private final UNet2DConditionModel unet;
    private final ForwardContext context;
    private final NDArray text;
    private final RecLoraSettings settings;
    private final RandomStream random;
    private final NDArray mean;
    private final NDArray std;
    private final LoraSet lora;
    private final AdamW optimizer;
    private int step;
    private double lastLoss = Double.NaN;

    /**
     * @param image (1, 3, H, W) in [-1, 1]
     * @param text the prompt embedding (1, 77, C)
     * @param owner manager for the LoRA set, optimiser state and cached posterior
     */
    public RecLoraTrainer(EditModel model, NDArray image, NDArray text, RecLoraSettings settings, RandomStream random,
            NDManager owner) {
        this(model, model.unet(), null, image, text, settings, random, owner);
    }

    /**
     * Fits all of {@code parameters}, the weights of {@code unet} (a trainable copy of the model's
     * UNet), instead of a LoRA; {@link #lora()} is then {@code null} and the settings' rank unused.
     */
    public static RecLoraTrainer wholeUnet(EditModel model, UNet2DConditionModel unet, List<NDArray> parameters,
            NDArray image, NDArray text, RecLoraSettings settings, RandomStream random, NDManager owner) {
        return new RecLoraTrainer(model, unet, parameters, image, text, settings, random, owner);
    }

    private RecLoraTrainer(EditModel model, UNet2DConditionModel unet, List<NDArray> parameters, NDArray image,
            NDArray text, RecLoraSettings settings, RandomStream random, NDManager owner) {
        this.model = model;
        this.unet = unet;
        this.text = text;
        this.settings = settings;
        this.random = random;
        try (NDManager scratch = owner.newSubManager()) {
            LatentDistribution dist = model.vae().encode(Ops.borrow(image, scratch));
            this.mean = dist.mean().duplicate();
            this.std = dist.std().duplicate();
            mean.attach(owner);
            std.attach(owner);
        }
        List<NDArray> trained = parameters;
        if (parameters == null) {
            this.lora = LoraSet.init(unet, settings.targets(), settings.rank(), owner, random.derivedSeed(RandomStream.Purpose.LORA_INIT, 0));
            this.context = ForwardContext.of(lora);
            trained = lora.parameters();
        } else {
            this.lora = null;
            this.context = ForwardContext.DEFAULT;
        }
        trained.forEach(p -> p.setRequiresGradient(true));
        this.optimizer = new AdamW(trained, AdamW.Settings.of(settings.lr(), settings.weightDecay()), owner);
    }

    /** Steps done. */
    public int stepsDone() {
        return step;
    }

    /** Whether every step has run. */
    public boolean done() {
        return step >= settings.steps();
    }

    /** The loss of the last step (NaN before the first). */
    public double lastLoss() {
        return lastLoss;
    }

    /** The LoRA being fitted (trainable until the caller turns gradients off); null for {@link #wholeUnet}. */
    public LoraSet lora() {
        return lora;
    }

    /** One training step; returns its loss. */
    public double step() {
        if (done()) {
            throw new IllegalStateException("RecLoRA already ran its " + settings.steps() + " steps");
        }
        DdimScheduler scheduler = model.scheduler();
        int batch = settings.batch();
        long h = mean.getShape().get(2);
        long w = mean.getShape().get(3);
        long side = Math.min(h, w);
        try (NDManager s = mean.getManager().newSubManager()) {
            NDList latents = new NDList();
            long[] timesteps = new long[batch];
            float[] sqrtA = new float[batch];
            float[] sqrt1mA = new float[batch];
            for (int b = 0; b < batch; b++) {
                long index = (long) step * batch + b;
                int top = h > side ? random.uniformInt(RandomStream.Purpose.RECLORA_CROP, 2 * index, (int) (h - side + 1)) : 0;
                int left = w > side ? random.uniformInt(RandomStream.Purpose.RECLORA_CROP, 2 * index + 1, (int) (w - side + 1)) : 0;
                NDIndex crop = new NDIndex(":, :, {}:{}, {}:{}", top, top + side, left, left + side);
                NDArray m = Ops.borrow(mean, s).get(crop);
                NDArray sd = Ops.borrow(std, s).get(crop);
                // posterior sample * scaling factor (ALGORITHM.md §4: latent_dist.sample() * 0.18215)
                NDArray eps = random.gaussian(s, m.getShape(), RandomStream.Purpose.RECLORA_POSTERIOR, index);
                latents.add(Ops.scale(m.add(sd.mul(eps)), model.scalingFactor()));
                timesteps[b] = random.uniformInt(RandomStream.Purpose.RECLORA_TIMESTEP, index, scheduler.config().numTrainTimesteps());
                double a = scheduler.alphaCumprod(timesteps[b]);
                sqrtA[b] = (float) Math.sqrt(a);
                sqrt1mA[b] = (float) Math.sqrt(1 - a);
            }
            NDArray z0 = NDArrays.concat(latents, 0);
            NDArray noise = random.gaussian(s, z0.getShape(), RandomStream.Purpose.RECLORA_NOISE, step);
            // z_t = sqrt(abar_t) z0 + sqrt(1 - abar_t) eps, one t per sample: (B) -> (B, 1, 1, 1)
            NDArray zt = z0.mul(Ops.owned(s.create(sqrtA, new Shape(batch, 1, 1, 1))))
                    .add(noise.mul(Ops.owned(s.create(sqrt1mA, new Shape(batch, 1, 1, 1)))));
            // (1, 77, C) -> (B, 77, C)
            NDArray texts = Ops.borrow(text, s).broadcast(new Shape(batch, text.getShape().get(1), text.getShape().get(2)));
            NDArray loss;
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                NDArray pred = unet.forward(zt, Ops.owned(s.create(timesteps)), texts, context).sample();
                loss = pred.sub(noise).square().mean();
                gc.backward(loss);
            }
            optimizer.step();
            lastLoss = loss.getFloat();
        }
        step++;
        return lastLoss;
    }
}
