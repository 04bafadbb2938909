package org.draglora.engine.schedule;

import ai.djl.ndarray.NDArray;
import org.draglora.engine.nn.Ops;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Objects;

/**
 * Port of diffusers {@code DDIMScheduler} (schedulers/scheduling_ddim.py, diffusers 0.27.2) for
 * deterministic sampling (eta = 0, epsilon prediction), plus the custom steps of DragDiffusion and
 * DragLoRA: the DDIM inversion step, the ILFA re-noise and the drag timestep (ALGORITHM.md §2, §6).
 *
 * <p>The tables ({@code betas}, {@code alphas_cumprod}) live on the host as float32 values held in
 * {@code double[]} (candle's habit): a step reads two numbers from them and multiplies tensors by
 * Java scalars, so no device table is read back per step and every tensor op stays differentiable.
 * Results are created by plain NDArray arithmetic and belong to the manager of the input arrays.
 *
 * <p>Notation map (DDIM paper, Song et al. 2021, eq. (12) with sigma_t = 0):
 *
 * <pre>
 *   paper              diffusers                    here
 *   alpha_t            alphas_cumprod[t]            alphaCumprod(t), "abar[t]" in ALGORITHM.md
 *   alpha_{t-1}        alphas_cumprod[prev_t]       alphaCumprod(prev) or finalAlphaCumprod()
 *   x_t                sample                       sample
 *   eps_theta(x_t)     model_output                 modelOutput
 *   "predicted x_0"    pred_original_sample         predOriginalSample
 *   x_{t-1}            prev_sample                  prevSample
 * </pre>
 *
 * <p>Shapes: every tensor argument is a latent {@code (B, 4, h, w)} (any shape works, all ops are
 * elementwise); timesteps are indices into the training grid {@code 0 .. numTrainTimesteps - 1}.
 */
public final class DdimScheduler {

    /**
     * The outcome of one (inverse) step, diffusers' {@code DDIMSchedulerOutput}.
     *
     * @param prevSample the latent at the step's destination: x_{t-1} for {@link #step}, x_{t_next}
     *     for {@link #inverseStep} (the state the running loop moves to)
     * @param predOriginalSample the predicted x_0 the step went through
     */
    public record StepResult(NDArray prevSample, NDArray predOriginalSample) {}

    private final DdimConfig config;
    private final double[] betas;
    private final double[] alphasCumprod;
    private final double finalAlphaCumprod;

    /** A scheduler with the given settings. */
    public DdimScheduler(DdimConfig config) {
        this.config = Objects.requireNonNull(config, "config");
        int n = config.numTrainTimesteps();
        float[] b = betaTable(config);
        this.betas = new double[n];
        this.alphasCumprod = new double[n];
        // torch.cumprod on the CPU accumulates float32 inputs in double (at::acc_type<float, false>,
        // ReduceOpsKernel.cpp cumprod_cpu_kernel) and stores each partial product as float32: the
        // same here, which reproduces the fixture's alphas_cumprod bit for bit.
        double product = 1.0;
        for (int i = 0; i < n; i++) {
            betas[i] = b[i];
            float alpha = 1.0f - b[i]; // alphas = 1.0 - betas, float32
            product *= alpha;
            alphasCumprod[i] = (float) product;
        }
        // scheduling_ddim.py: final_alpha_cumprod = 1.0 if set_alpha_to_one else alphas_cumprod[0]
        this.finalAlphaCumprod = config.setAlphaToOne() ? 1.0 : alphasCumprod[0];
    }

    /** Reads a diffusers {@code scheduler_config.json} and builds the scheduler. */
    public static DdimScheduler load(Path schedulerConfigJson) throws IOException {
        return new DdimScheduler(DdimConfig.load(schedulerConfigJson));
    }

    /**
     * The betas as torch computes them in float32: {@code linspace(a, b, N)} (squared for
     * scaled_linear, after {@code a = sqrt(beta_start)}, {@code b = sqrt(beta_end)}).
     */
    private static float[] betaTable(DdimConfig config) {
        int n = config.numTrainTimesteps();
        if (config.betaSchedule() == DdimConfig.BetaSchedule.LINEAR) {
            return linspaceF32(config.betaStart(), config.betaEnd(), n);
        }
        float[] roots = linspaceF32(Math.sqrt(config.betaStart()), Math.sqrt(config.betaEnd()), n);
        float[] out = new float[n];
        for (int i = 0; i < n; i++) {
            out[i] = roots[i] * roots[i]; // ** 2 in float32
        }
        return out;
    }

    /**
     * {@code torch.linspace(start, end, n, dtype=float32)} exactly as ATen's CPU kernel computes it
     * with the AVX2 code path (aten/src/ATen/native/cpu/RangeFactoriesKernel.cpp, {@code
     * linspace_kernel}): a float32 step; the first half counted up from {@code start}, the second
     * half counted down from {@code end}; whole 8-lane vectors (in pairs, Loops.h {@code
     * vectorized_loop}) built as {@code base + k * step} from the vector's first index, the tail
     * element by element; every {@code a + b * c} contracted to one fused multiply-add, as the
     * compiler does there. This reproduces the fixture's betas bit for bit; the plain formula
     * {@code start + i * step} differs by at most one float32 ulp (2e-9 for SD 1.5).
     */
    static float[] linspaceF32(double start, double end, int n) {
        final int lanes = 8; // Vectorized<float>::size() with AVX2
        float s = (float) start;
        float e = (float) end;
        float step = (e - s) / (n - 1);
        int halfway = n / 2;
        int vectorEnd = n / (2 * lanes) * (2 * lanes);
        float[] out = new float[n];
        for (int base = 0; base < vectorEnd; base += lanes) {
            float first = base < halfway ? Math.fma(step, (float) base, s) : Math.fma(-step, (float) (n - base - 1), e);
            for (int k = 0; k < lanes; k++) {
                out[base + k] = Math.fma((float) k, step, first); // Vectorized::arange(first, step)
            }
        }
        for (int i = vectorEnd; i < n; i++) {
            out[i] = i < halfway ? Math.fma(step, (float) i, s) : Math.fma(-step, (float) (n - i - 1), e);
        }
        return out;
    }

    /** The settings. */
    public DdimConfig config() {
        return config;
    }

    /** {@code betas[t]} (float32 value). */
    public double beta(long t) {
        return betas[index(t)];
    }

    /** {@code alphas_cumprod[t]}, "abar[t]" in ALGORITHM.md (float32 value). */
    public double alphaCumprod(long t) {
        return alphasCumprod[index(t)];
    }

    /** The abar used for the step past t = 0: 1 with set_alpha_to_one, else abar[0]. */
    public double finalAlphaCumprod() {
        return finalAlphaCumprod;
    }

    /** A copy of the whole {@code alphas_cumprod} table. */
    public double[] alphasCumprod() {
        return alphasCumprod.clone();
    }

    /** A copy of the whole {@code betas} table. */
    public double[] betas() {
        return betas.clone();
    }

    private int index(long t) {
        if (t < 0 || t >= alphasCumprod.length) {
            throw new IllegalArgumentException("timestep " + t + " is outside the training grid 0.."
                    + (alphasCumprod.length - 1));
        }
        return (int) t;
    }

    /** abar at a possibly negative timestep: below 0 it is {@link #finalAlphaCumprod()}. */
    private double alphaCumprodOrFinal(long t) {
        return t >= 0 ? alphaCumprod(t) : finalAlphaCumprod;
    }

    /**
     * The inference timesteps, descending, as diffusers {@code set_timesteps} computes them; for
     * SD 1.5 and 50 steps: 981, 961, ..., 21, 1 (ALGORITHM.md §0, §2).
     */
    public long[] timesteps(int numInferenceSteps) {
        int n = config.numTrainTimesteps();
        checkSteps(numInferenceSteps);
        long[] out = new long[numInferenceSteps];
        switch (config.timestepSpacing()) {
            case LEADING -> {
                // (arange(0, steps) * (N // steps)).round()[::-1] + steps_offset
                long ratio = n / numInferenceSteps;
                for (int i = 0; i < numInferenceSteps; i++) {
                    out[i] = (long) (numInferenceSteps - 1 - i) * ratio + config.stepsOffset();
                }
            }
            case TRAILING -> {
                // round(arange(N, 0, -N / steps)) - 1; np.round rounds half to even, as Math.rint
                double ratio = (double) n / numInferenceSteps;
                for (int i = 0; i < numInferenceSteps; i++) {
                    out[i] = (long) Math.rint(n - i * ratio) - 1;
                }
            }
            case LINSPACE -> {
                // linspace(0, N - 1, steps).round()[::-1]; numpy sets the last point to N - 1 exactly
                double step = numInferenceSteps == 1 ? 0 : (double) (n - 1) / (numInferenceSteps - 1);
                for (int i = 0; i < numInferenceSteps; i++) {
                    double v = i == numInferenceSteps - 1 && numInferenceSteps > 1 ? n - 1 : i * step;
                    out[numInferenceSteps - 1 - i] = (long) Math.rint(v);
                }
            }
            default -> throw new IllegalStateException("unhandled timestep_spacing " + config.timestepSpacing());
        }
        for (long t : out) {
            if (t < 0 || t >= n) {
                throw new IllegalArgumentException(numInferenceSteps + " steps with steps_offset "
                        + config.stepsOffset() + " give timestep " + t + ", outside 0.." + (n - 1));
            }
        }
        return out;
    }

    private void checkSteps(int numInferenceSteps) {
        if (numInferenceSteps < 1 || numInferenceSteps > config.numTrainTimesteps()) {
            throw new IllegalArgumentException("num_inference_steps must be in 1.."
                    + config.numTrainTimesteps() + ", got " + numInferenceSteps);
        }
    }

    /** The DDIM stride {@code num_train_timesteps // num_inference_steps} (20 for SD 1.5, 50 steps). */
    public long stepRatio(int numInferenceSteps) {
        checkSteps(numInferenceSteps);
        return config.numTrainTimesteps() / numInferenceSteps;
    }

    /**
     * One deterministic DDIM step x_t -> x_{t-1}: diffusers {@code DDIMScheduler.step} with eta 0
     * and epsilon prediction, the same as DragLoRA's own {@code step}
     * (DL:utils/pipelines/drag_pipeline_lora.py:330-361; ALGORITHM.md §2).
     *
     * @param modelOutput eps_theta(x_t, t), the UNet's noise prediction
     * @param t the current timestep
     * @param sample x_t
     * @param numInferenceSteps the length of the DDIM grid (sets the stride)
     */
    public StepResult step(NDArray modelOutput, long t, NDArray sample, int numInferenceSteps) {
        // 1. previous timestep (= t - 1): prev_t = t - N // steps. diffusers uses this stride for
        //    every timestep_spacing, so it is only exact for "leading" grids.
        long prevT = t - stepRatio(numInferenceSteps);
        // 2. alphas and betas: alpha_t = abar[t]; alpha_{t-1} = abar[prev_t], or the final value
        //    past t = 0 (diffusers tests prev_t >= 0, DragLoRA prev_t > 0: same on this grid).
        double alphaProdT = alphaCumprod(t);
        double alphaProdTPrev = alphaCumprodOrFinal(prevT);
        double betaProdT = 1 - alphaProdT;
        // 3. "predicted x_0", DDIM eq. (12): (x_t - sqrt(1 - alpha_t) eps) / sqrt(alpha_t)
        NDArray predOriginalSample = Ops.divide(sample.sub(Ops.scale(modelOutput, Math.sqrt(betaProdT))), Math.sqrt(alphaProdT));
        // 4. sigma_t = eta * ... = 0 (eta 0), so the variance and the random noise term of
        //    eq. (12) vanish; 5. no clipping (clip_sample false, validated by DdimConfig).
        // 6. "direction pointing to x_t", eq. (12): sqrt(1 - alpha_{t-1} - sigma_t^2) eps
        NDArray direction = Ops.scale(modelOutput, Math.sqrt(1 - alphaProdTPrev));
        // 7. x_{t-1} = sqrt(alpha_{t-1}) x_0 + direction, eq. (12)
        NDArray prevSample = Ops.scale(predOriginalSample, Math.sqrt(alphaProdTPrev)).add(direction);
        return new StepResult(prevSample, predOriginalSample);
    }

    /**
     * One DDIM inversion step x_{t_cur} -> x_{t_next}, DragDiffusion's / DragLoRA's
     * {@code inv_step} (DL:utils/pipelines/drag_pipeline_lora.py:304-328, DD:drag_pipeline.py:369-390;
     * ALGORITHM.md §2). DragLoRA draws an unused random tensor inside; that draw is not reproduced.
     *
     * @param eps eps_theta(x_{t_cur}, t_next), the UNet's prediction (DragDiffusion evaluates the
     *     UNet at the destination timestep)
     * @param tNext the timestep the inversion moves to
     * @param sample x_{t_cur}
     * @param numInferenceSteps the length of the DDIM grid (sets the stride)
     * @return {@code prevSample} = x_{t_next} and the predicted x_0
     */
    public StepResult inverseStep(NDArray eps, long tNext, NDArray sample, int numInferenceSteps) {
        // 1. t_cur = min(t_next - N // steps, 999): the timestep the sample is at now
        long tCur = Math.min(tNext - stepRatio(numInferenceSteps), config.numTrainTimesteps() - 1L);
        // 2. a_cur = abar[t_cur], or the final value below 0; a_next = abar[t_next]
        double alphaProdT = alphaCumprodOrFinal(tCur);
        double alphaProdTNext = alphaCumprod(tNext);
        // 3. x_0 = (x - sqrt(1 - a_cur) eps) / sqrt(a_cur), DDIM eq. (12) solved for x_0
        NDArray predX0 = Ops.divide(sample.sub(Ops.scale(eps, Math.sqrt(1 - alphaProdT))), Math.sqrt(alphaProdT));
        // 4. eq. (12) run forwards in time with sigma = 0: x_next = sqrt(a_next) x_0 + sqrt(1 - a_next) eps
        NDArray xNext = Ops.scale(predX0, Math.sqrt(alphaProdTNext)).add(Ops.scale(eps, Math.sqrt(1 - alphaProdTNext)));
        return new StepResult(xNext, predX0);
    }

    /**
     * The forward process q(x_t | x_0): {@code sqrt(abar[t]) original + sqrt(1 - abar[t]) noise}
     * (diffusers {@code DDIMScheduler.add_noise}, DDPM eq. (4)).
     */
    public NDArray addNoise(NDArray original, NDArray noise, long t) {
        double a = alphaCumprod(t);
        return Ops.scale(original, Math.sqrt(a)).add(Ops.scale(noise, Math.sqrt(1 - a)));
    }

    /**
     * DragLoRA's ILFA re-noise from {@code tPrev} up to {@code t} (ALGORITHM.md §6,
     * DL:utils/drag_utils_lora.py:288-309): a DDPM forward jump with r = abar[t] / abar[tPrev],
     * {@code sqrt(r) zPrev + sqrt(1 - r) noise}. For 681 from 661, sqrt(r) = 0.932907 and
     * sqrt(1 - r) = 0.360117.
     *
     * @param zPrev the latent at tPrev (the DDIM-denoised latent)
     * @param noise fresh N(0, I) noise of the same shape
     */
    public NDArray renoise(NDArray zPrev, NDArray noise, long tPrev, long t) {
        if (tPrev >= t) {
            throw new IllegalArgumentException("renoise goes up in noise: need tPrev < t, got tPrev " + tPrev + ", t " + t);
        }
        double ratio = alphaCumprod(t) / alphaCumprod(tPrev);
        return Ops.scale(zPrev, Math.sqrt(ratio)).add(Ops.scale(noise, Math.sqrt(1 - ratio)));
    }

    /**
     * The timestep of the latent that is dragged: {@code n_actual = round(strength * steps)}
     * inversion steps reach {@code timesteps[steps - n_actual]}; 681 for (50, 0.7)
     * (ALGORITHM.md §2, DL:run_dragbench_draglora.py:106,226-227). Python's {@code round} rounds
     * half to even, as {@link Math#rint}.
     */
    public long dragTimestep(int numInferenceSteps, double strength) {
        if (!(strength > 0 && strength <= 1)) {
            throw new IllegalArgumentException("inversion strength must be in (0, 1], got " + strength);
        }
        long[] grid = timesteps(numInferenceSteps);
        int actual = inversionSteps(numInferenceSteps, strength);
        if (actual < 1) {
            throw new IllegalArgumentException("inversion strength " + strength + " with " + numInferenceSteps
                    + " steps rounds to 0 inversion steps");
        }
        return grid[numInferenceSteps - actual];
    }

    /** The number of inversion steps {@code round(strength * steps)} (35 for (50, 0.7)). */
    public static int inversionSteps(int numInferenceSteps, double strength) {
        return (int) Math.rint(strength * numInferenceSteps);
    }
}
