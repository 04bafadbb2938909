package org.draglora.engine.drag;

import java.util.List;
import java.util.Objects;

/**
 * Every knob of a drag edit, one nested record per stage, with the reference defaults
 * (ALGORITHM.md §12). {@link #dragLora()}, {@link #dragLoraFast()} and {@link #dragDiffusion()}
 * give the three methods' settings.
 *
 * @param features which UNet features form F and the grid scale
 * @param motion the drag loss
 * @param tracking point tracking
 * @param switching the adaptive switching scheme (disabled for DragDiffusion)
 * @param optimization what is optimised, how, and for how many steps
 * @param regularization the mask and DDS terms
 * @param schedule the DDIM grid and the inversion depth
 * @param mutualAttention the MasaCtrl K/V injection of the final denoising
 * @param reachRadius the loop stops when every handle is closer than this to its target (2.0 grid px,
 *     DL:utils/drag_utils_lora.py:90; the paper's l1 = 1, §17.1)
 * @param ilfa how ILFA adapts the latent after every iteration (DragLoRA: {@link IlfaMethod#RENOISE} as the
 *     reference; DragDiffusion: {@link IlfaMethod#OFF})
 * @param keepOutsideMask whether every step of the final denoising puts the source trajectory's latent
 *     (the RecLoRA reconstruction of the input) back outside the edit mask, as Blended Latent Diffusion
 *     (Avrahami et al. 2023) does, so that what the user did not paint keeps its reconstruction. Not in
 *     either reference (false there: the edited UNet denoises the whole latent, ALGORITHM.md §9); a
 *     model whose drag LoRA also adapts convolutions otherwise repaints unmasked backgrounds
 *     (README, "The embedded model")
 */
public record DragSettings(Features features, Motion motion, TrackingSettings tracking, SwitchingSettings switching,
        Optimization optimization, Regularization regularization, Schedule schedule, MutualAttention mutualAttention,
        double reachRadius, IlfaMethod ilfa, boolean keepOutsideMask) {

    /**
     * Which features F is built from (ALGORITHM.md §1.3).
     *
     * @param featureIdx indices into {@code [mid, up0, up1, up2, up3]}; [3] = up_blocks.2, 640 channels
     *     (DL:run_dragbench_draglora.py:108)
     * @param gridScale grid size / image size; the reference uses {@code int(0.5*H)} (:116-117)
     * @param x0Weight 0 in the reference; otherwise the one-step x0 prediction at the drag timestep
     *     (the predicted clean latent, resized to the grid) times this weight is appended to F, so
     *     that motion supervision and point tracking also see what the decoder will show. Not in the
     *     reference: a small model's LoRA can otherwise satisfy the drag loss in feature directions
     *     its output layers ignore (README, "The embedded model")
     */
    public record Features(List<Integer> featureIdx, double gridScale, double x0Weight) {

        /** Features without the x0 prediction, as the reference builds them. */
        public Features(List<Integer> featureIdx, double gridScale) {
            this(featureIdx, gridScale, 0);
        }

        public Features {
            featureIdx = List.copyOf(featureIdx);
            if (featureIdx.isEmpty()) {
                throw new IllegalArgumentException("featureIdx must name at least one feature");
            }
            for (int i : featureIdx) {
                if (i < 0 || i > 4) {
                    throw new IllegalArgumentException("feature index " + i + " is outside 0..4 "
                            + "([mid, up0, up1, up2, up3]) in " + featureIdx);
                }
            }
            if (!(gridScale > 0 && gridScale <= 1)) {
                throw new IllegalArgumentException("gridScale must be in (0, 1], got " + gridScale);
            }
            if (!(x0Weight >= 0) || Double.isInfinite(x0Weight)) {
                throw new IllegalArgumentException("x0Weight must be finite and >= 0, got " + x0Weight);
            }
        }

        /** The grid of an {@code h x w} image. */
        public DragGeometry geometry(int imageHeight, int imageWidth) {
            return DragGeometry.forImage(imageHeight, imageWidth, gridScale);
        }

        static Features reference() {
            return new Features(FeatureMaps.DEFAULT_FEATURE_IDX, DragGeometry.REFERENCE_GRID_SCALE);
        }
    }

    /**
     * The drag (motion-supervision) loss (ALGORITHM.md §5.3).
     *
     * @param radius r_m: 1 = 3x3 patches (DL:run_dragbench_draglora.py:109)
     * @param skipRadius points closer than this to their target get no loss (2.0, DL:utils/drag_utils_lora.py:240)
     * @param reference what the shifted patch is compared with
     */
    public record Motion(int radius, double skipRadius, MotionReference reference) {
        public Motion {
            if (radius < 0) {
                throw new IllegalArgumentException("motion radius must be >= 0, got " + radius);
            }
            if (!(skipRadius >= 0) || Double.isInfinite(skipRadius)) {
                throw new IllegalArgumentException("skipRadius must be finite and >= 0, got " + skipRadius);
            }
            Objects.requireNonNull(reference, "reference");
        }
    }

    /** The optimised variable. */
    public enum Target {
        /** DragLoRA: LoRA on q/k/v/out of every attention (ALGORITHM.md §1.4). */
        LORA,
        /** DragDiffusion: the latent z_t itself (ALGORITHM.md §10). */
        LATENT,
        /**
         * Nothing: the latent is moved directly along the drag vectors ({@link LatentWarp}) in a
         * single step, then denoised; the optimiser settings are unused. A baseline, not in either
         * reference.
         */
        WARP
    }

    /**
     * The optimiser (ALGORITHM.md §5.1, §10).
     *
     * @param target the optimised variable
     * @param learningRate AdamW 1e-4 (DragLoRA, DL:utils/drag_utils_lora.py:155-161) or Adam 0.01 (DragDiffusion)
     * @param weightDecay AdamW's decoupled decay, 1e-2; 0 = plain Adam
     * @param beta1 0.9
     * @param beta2 0.999
     * @param epsilon 1e-8
     * @param maxSteps K = 80 optimiser (DOO) steps; ILFA-only iterations do not count (§5.2)
     * @param loraRank the drag LoRA's rank, hard-coded 16 in the reference (§13.10); it must match the RecLoRA
     */
    public record Optimization(Target target, double learningRate, double weightDecay, double beta1, double beta2,
            double epsilon, int maxSteps, int loraRank) {
        public Optimization {
            Objects.requireNonNull(target, "target");
            if (!(learningRate > 0) || Double.isInfinite(learningRate)) {
                throw new IllegalArgumentException("learningRate must be positive and finite, got " + learningRate);
            }
            if (!(weightDecay >= 0) || Double.isInfinite(weightDecay)) {
                throw new IllegalArgumentException("weightDecay must be finite and >= 0, got " + weightDecay);
            }
            if (!(beta1 >= 0 && beta1 < 1) || !(beta2 >= 0 && beta2 < 1)) {
                throw new IllegalArgumentException("betas must be in [0, 1), got " + beta1 + ", " + beta2);
            }
            if (!(epsilon > 0)) {
                throw new IllegalArgumentException("epsilon must be positive, got " + epsilon);
            }
            if (maxSteps < 1) {
                throw new IllegalArgumentException("maxSteps must be >= 1, got " + maxSteps);
            }
            if (loraRank < 1) {
                throw new IllegalArgumentException("loraRank must be >= 1, got " + loraRank);
            }
        }
    }

    /**
     * The regularisers (ALGORITHM.md §5.4, §5.5).
     *
     * @param lambdaMask weight of the sum-reduced mask loss, 0.1 (DL:run_dragbench_draglora.py:348)
     * @param lambdaDds weight of the DDS loss, 50 (:349); 0 turns DDS off (DragDiffusion)
     * @param ddsMinTimestep smallest t' of DDS, 0 ({@code torch.randint(0, 1000)}, DL:utils/drag_utils_lora.py:261)
     * @param ddsMaxTimestep largest t' of DDS, inclusive, 999
     */
    public record Regularization(double lambdaMask, double lambdaDds, int ddsMinTimestep, int ddsMaxTimestep) {
        public Regularization {
            if (!(lambdaMask >= 0) || Double.isInfinite(lambdaMask)) {
                throw new IllegalArgumentException("lambdaMask must be finite and >= 0, got " + lambdaMask);
            }
            if (!(lambdaDds >= 0) || Double.isInfinite(lambdaDds)) {
                throw new IllegalArgumentException("lambdaDds must be finite and >= 0, got " + lambdaDds);
            }
            if (ddsMinTimestep < 0 || ddsMaxTimestep > 999 || ddsMinTimestep > ddsMaxTimestep) {
                throw new IllegalArgumentException("DDS timesteps must satisfy 0 <= min <= max <= 999, got "
                        + ddsMinTimestep + ".." + ddsMaxTimestep);
            }
        }
    }

    /**
     * The DDIM grid and the drag timestep (ALGORITHM.md §2).
     *
     * @param inferenceSteps DDIM steps, 50
     * @param inversionStrength fraction of the steps inverted, 0.7: 35 steps, t = 681
     *     (DL:run_dragbench_draglora.py:105-106)
     */
    public record Schedule(int inferenceSteps, double inversionStrength) {
        public Schedule {
            if (inferenceSteps < 1) {
                throw new IllegalArgumentException("inferenceSteps must be >= 1, got " + inferenceSteps);
            }
            if (!(inversionStrength > 0 && inversionStrength <= 1)) {
                throw new IllegalArgumentException("inversionStrength must be in (0, 1], got " + inversionStrength);
            }
            if (Math.rint(inversionStrength * inferenceSteps) < 1) {
                throw new IllegalArgumentException("inversionStrength " + inversionStrength + " of " + inferenceSteps
                        + " steps inverts no step");
            }
        }

        /** {@code round(strength * steps)}, Python's half-to-even round: 35 for 0.7 of 50 (:106). */
        public int invertedSteps() {
            return (int) Math.rint(inversionStrength * inferenceSteps);
        }
    }

    /**
     * MasaCtrl mutual self-attention in the final denoising (ALGORITHM.md §9).
     *
     * @param startStep first denoising step with injection, 0 (DL:run_dragbench_draglora.py:356)
     * @param startLayer first self-attention block index (0..15) with injection, 10 = up_blocks.2 and
     *     up_blocks.3 (:357)
     */
    public record MutualAttention(int startStep, int startLayer) {
        public MutualAttention {
            if (startStep < 0) {
                throw new IllegalArgumentException("startStep must be >= 0, got " + startStep);
            }
            if (startLayer < 0 || startLayer > 16) {
                throw new IllegalArgumentException("startLayer must be in 0..16 (16 = none), got " + startLayer);
            }
        }
    }

    public DragSettings {
        Objects.requireNonNull(features, "features");
        Objects.requireNonNull(motion, "motion");
        Objects.requireNonNull(tracking, "tracking");
        Objects.requireNonNull(switching, "switching");
        Objects.requireNonNull(optimization, "optimization");
        Objects.requireNonNull(regularization, "regularization");
        Objects.requireNonNull(schedule, "schedule");
        Objects.requireNonNull(mutualAttention, "mutualAttention");
        Objects.requireNonNull(ilfa, "ilfa");
        if (!(reachRadius > 0) || Double.isInfinite(reachRadius)) {
            throw new IllegalArgumentException("reachRadius must be positive and finite, got " + reachRadius);
        }
        if (mutualAttention.startStep() > schedule.inferenceSteps()) {
            throw new IllegalArgumentException("mutual attention startStep " + mutualAttention.startStep()
                    + " exceeds the " + schedule.inferenceSteps() + " inference steps");
        }
    }

    /** DragLoRA as its benchmark script runs it (ALGORITHM.md §3, §5, §12). */
    public static DragSettings dragLora() {
        return new DragSettings(Features.reference(),
                new Motion(MotionSupervision.REFERENCE_RADIUS, MotionSupervision.REFERENCE_SKIP_RADIUS,
                        MotionReference.INITIAL_FEATURES),
                TrackingSettings.dragLora(), SwitchingSettings.defaults(),
                new Optimization(Target.LORA, 1e-4, 1e-2, 0.9, 0.999, 1e-8, 80, 16),
                new Regularization(MaskLoss.REFERENCE_LAMBDA, 50, 0, 999), new Schedule(50, 0.7),
                new MutualAttention(0, 10), SwitchingRule.REFERENCE_REACH_RADIUS, IlfaMethod.RENOISE, false);
    }

    /** DragLoRA-Fast: the angle-closer tracking ("draglora_fast", ALGORITHM.md §8), otherwise DragLoRA. */
    public static DragSettings dragLoraFast() {
        return dragLora().withTracking(TrackingSettings.dragLoraFast());
    }

    /**
     * DragDiffusion (ALGORITHM.md §10): the latent optimised with Adam lr 0.01 for 80 steps, square
     * tracking with the channel sum, the reference patch from stopgrad(F1), no ILFA, DDS or switching.
     */
    public static DragSettings dragDiffusion() {
        return new DragSettings(Features.reference(),
                new Motion(MotionSupervision.REFERENCE_RADIUS, MotionSupervision.REFERENCE_SKIP_RADIUS,
                        MotionReference.CURRENT_DETACHED),
                TrackingSettings.dragDiffusion(), SwitchingSettings.disabled(),
                new Optimization(Target.LATENT, 0.01, 0, 0.9, 0.999, 1e-8, 80, 16),
                new Regularization(MaskLoss.REFERENCE_LAMBDA, 0, 0, 999), new Schedule(50, 0.7),
                new MutualAttention(0, 10), SwitchingRule.REFERENCE_REACH_RADIUS, IlfaMethod.OFF, false);
    }

    /**
     * The latent-warp baseline ({@link Target#WARP}): the inverted latent's region around each handle
     * moved to its target in one step, then DragDiffusion's final denoising (mutual self-attention,
     * the RecLoRA UNet); no optimiser, tracking, ILFA or DDS.
     */
    public static DragSettings latentWarp() {
        DragSettings d = dragDiffusion();
        return d.withOptimization(new Optimization(Target.WARP, d.optimization.learningRate(),
                d.optimization.weightDecay(), d.optimization.beta1(), d.optimization.beta2(), d.optimization.epsilon(),
                1, d.optimization.loraRank()));
    }

    /** A copy with other feature settings. */
    public DragSettings withFeatures(Features newFeatures) {
        return new DragSettings(newFeatures, motion, tracking, switching, optimization, regularization, schedule,
                mutualAttention, reachRadius, ilfa, keepOutsideMask);
    }

    /** A copy with another DDIM grid or inversion depth. */
    public DragSettings withSchedule(Schedule newSchedule) {
        return new DragSettings(features, motion, tracking, switching, optimization, regularization, newSchedule,
                mutualAttention, reachRadius, ilfa, keepOutsideMask);
    }

    /** A copy with other mutual-attention settings. */
    public DragSettings withMutualAttention(MutualAttention newMutualAttention) {
        return new DragSettings(features, motion, tracking, switching, optimization, regularization, schedule,
                newMutualAttention, reachRadius, ilfa, keepOutsideMask);
    }

    /** A copy with other optimiser settings. */
    public DragSettings withOptimization(Optimization newOptimization) {
        return new DragSettings(features, motion, tracking, switching, newOptimization, regularization, schedule,
                mutualAttention, reachRadius, ilfa, keepOutsideMask);
    }

    /** A copy with other regularisers (e.g. lambdaDds 0 for the "no DDS" ablation). */
    public DragSettings withRegularization(Regularization newRegularization) {
        return new DragSettings(features, motion, tracking, switching, optimization, newRegularization, schedule,
                mutualAttention, reachRadius, ilfa, keepOutsideMask);
    }

    /** A copy with another ILFA method ({@link IlfaMethod#OFF}: the "no ILFA" ablation). */
    public DragSettings withIlfa(IlfaMethod method) {
        return new DragSettings(features, motion, tracking, switching, optimization, regularization, schedule,
                mutualAttention, reachRadius, method, keepOutsideMask);
    }

    /** A copy with another DOO step budget K. */
    public DragSettings withMaxSteps(int maxSteps) {
        Optimization o = optimization;
        return withOptimization(new Optimization(o.target(), o.learningRate(), o.weightDecay(), o.beta1(), o.beta2(),
                o.epsilon(), maxSteps, o.loraRank()));
    }

    /** A copy with another learning rate. */
    public DragSettings withLearningRate(double lr) {
        Optimization o = optimization;
        return withOptimization(new Optimization(o.target(), lr, o.weightDecay(), o.beta1(), o.beta2(), o.epsilon(),
                o.maxSteps(), o.loraRank()));
    }

    /** A copy with other tracking settings. */
    public DragSettings withTracking(TrackingSettings newTracking) {
        return new DragSettings(features, motion, newTracking, switching, optimization, regularization, schedule,
                mutualAttention, reachRadius, ilfa, keepOutsideMask);
    }

    /** A copy with other switching settings (e.g. {@link SwitchingSettings#disabled()} for the ablation). */
    public DragSettings withSwitching(SwitchingSettings newSwitching) {
        return new DragSettings(features, motion, tracking, newSwitching, optimization, regularization, schedule,
                mutualAttention, reachRadius, ilfa, keepOutsideMask);
    }

    /** A copy that keeps (or no longer keeps) the unmasked latent in the final denoising. */
    public DragSettings withKeepOutsideMask(boolean keep) {
        return new DragSettings(features, motion, tracking, switching, optimization, regularization, schedule,
                mutualAttention, reachRadius, ilfa, keep);
    }
}
