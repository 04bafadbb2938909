package org.draglora.engine.bench;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.draglora.engine.train.TinyModelSpec;
import org.draglora.engine.lora.LoraSet;
import org.draglora.engine.nn.Ops;
import org.draglora.engine.runtime.EngineRuntime;
import org.draglora.engine.unet.ForwardContext;
import org.draglora.engine.unet.UNet2DConditionConfig;
import org.draglora.engine.unet.UNet2DConditionModel;
import org.draglora.engine.unet.UNetOutput;
import org.draglora.engine.weights.WeightScope;

/**
 * {@code draglora bench unet}: times the UNet on random weights of an exact model shape (no
 * download needed; timings do not depend on weight values): the forward pass, the forward plus
 * backward pass through a LoRA set (base frozen, gradients for the LoRA only, as in a drag step),
 * their ratio, peak memory, and the per-op overhead of the Java/JNI layer. All ratios come from
 * one run.
 */
public final class UnetBenchmark {

    /** The model shapes the benchmark builds. */
    public static final List<String> PRESETS = List.of("sd15", "tiny", "shapes", "shapes-32", "shapes-pixel");

    /**
     * What to measure.
     *
     * @param preset {@code sd15} (Stable Diffusion 1.5), {@code tiny} (the fixtures' tiny layout),
     *     {@code shapes} (the embedded model's UNet on its 4x-down latents), {@code shapes-32} (the UNet
     *     for 2x-down latents, {@code train-tiny --latent-factor 2}) or {@code shapes-pixel}
     *     (the same UNet on pixels, 3 channels: the alternative the embedded model did not take)
     * @param imageSize image side in pixels (the UNet input is a {@link #downsampling(String)}th of it)
     * @param loraRank LoRA rank for the backward measurement
     * @param warmup untimed runs of each kind
     * @param iterations timed runs of each kind
     */
    public record Options(String preset, int imageSize, int loraRank, int warmup, int iterations) {
        public Options {
            if (!PRESETS.contains(preset)) {
                throw new IllegalArgumentException("unknown preset '" + preset + "': use " + String.join(", ", PRESETS));
            }
            if (imageSize < 64 || imageSize % 64 != 0) {
                throw new IllegalArgumentException("--size " + imageSize + " must be a positive multiple of 64");
            }
            if (loraRank < 1 || warmup < 0 || iterations < 1) {
                throw new IllegalArgumentException("need --lora-rank >= 1, --warmup >= 0 and --iterations >= 1");
            }
        }
    }

    /** Measured numbers (milliseconds, MiB). */
    public record Result(Options options, String device, long parameters, long loraParameters, double forwardMs,
            double forwardBackwardMs, long opsPerForward, double microsPerOp, long rssBeforeMib, long peakRssMib) {

        /** forward+backward time over forward time. */
        public double backwardForwardRatio() {
            return forwardBackwardMs / forwardMs;
        }

        /** Estimated share of the forward time spent in per-op overhead. */
        public double overheadShare() {
            return opsPerForward * microsPerOp / 1000.0 / forwardMs;
        }

        /** A markdown table. */
        public String toMarkdown() {
            int latent = options.imageSize() / downsampling(options.preset());
            StringBuilder b = new StringBuilder();
            b.append(String.format(Locale.ROOT, "UNet benchmark: preset %s, %dx%d image (UNet input %dx%dx%d), batch 1, "
                    + "%s, %d timed runs after %d warm-up%n%n", options.preset(), options.imageSize(), options.imageSize(),
                    config(options.preset()).inChannels(), latent, latent, device, options.iterations(), options.warmup()));
            b.append("| measure | value |\n|---|---|\n");
            row(b, "UNet parameters", String.format(Locale.ROOT, "%,d", parameters));
            row(b, "LoRA parameters (rank " + options.loraRank() + ")", String.format(Locale.ROOT, "%,d", loraParameters));
            row(b, "forward", String.format(Locale.ROOT, "%.1f ms", forwardMs));
            row(b, "forward + backward through LoRA", String.format(Locale.ROOT, "%.1f ms", forwardBackwardMs));
            row(b, "backward/forward ratio", String.format(Locale.ROOT, "%.2f", backwardForwardRatio()));
            row(b, "ops per forward", Long.toString(opsPerForward));
            row(b, "per-op overhead (tiny op + close)", String.format(Locale.ROOT, "%.2f us", microsPerOp));
            row(b, "overhead share of forward", String.format(Locale.ROOT, "%.2f %%", 100 * overheadShare()));
            row(b, "resident memory before / peak", rssBeforeMib + " MiB / " + peakRssMib + " MiB");
            return b.toString();
        }

        private static void row(StringBuilder b, String k, String v) {
            b.append("| ").append(k).append(" | ").append(v).append(" |\n");
        }
    }

    private UnetBenchmark() {}

    /** Runs the benchmark on {@code runtime}'s device; {@code progress} receives one line per phase. */
    public static Result run(Options o, EngineRuntime runtime, java.util.function.Consumer<String> progress) {
        long rssBefore = ProcessMemory.residentMib();
        UNet2DConditionConfig cfg = config(o.preset());
        runtime.seed(1234);
        progress.accept("building " + o.preset() + " UNet with random weights");
        try (NDManager manager = runtime.newManager();
                UNet2DConditionModel unet = new UNet2DConditionModel(
                        WeightScope.random(runtime.newManager(), runtime.weightType(true)), cfg)) {
            long params = parameterCount(cfg);
            int latent = o.imageSize() / downsampling(o.preset());
            NDArray sample = manager.randomNormal(new Shape(1, cfg.inChannels(), latent, latent));
            int tokens = o.preset().startsWith("shapes") ? TinyModelSpec.MAX_TOKENS : 77;
            NDArray text = manager.randomNormal(new Shape(1, tokens, cfg.crossAttentionDim()));
            LoraSet lora = LoraSet.init(unet, o.loraRank(), manager, 7);

            Runnable forward = () -> {
                try (NDManager step = manager.newSubManager()) {
                    // intermediates belong to the sample's manager: borrow it into the step's
                    unet.forward(Ops.borrow(sample, step), 681, text, ForwardContext.of(lora)).sample().toFloatArray();
                }
            };
            Runnable forwardBackward = () -> {
                try (NDManager step = manager.newSubManager();
                        GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                    UNetOutput out = unet.forward(Ops.borrow(sample, step), 681, text, ForwardContext.of(lora));
                    gc.backward(out.sample().square().mean());
                }
                lora.parameters().get(0).getGradient().toFloatArray();
            };
            // warm up the larger pass first: memory first touched during a timed run costs page faults
            progress.accept("warm-up");
            lora.setRequiresGradient(true);
            for (int i = 0; i < o.warmup(); i++) {
                forwardBackward.run();
                forward.run();
            }
            progress.accept("forward passes");
            double forwardMs = time(o, forward);
            progress.accept("forward + backward passes");
            double backwardMs = time(o, forwardBackward);
            lora.setRequiresGradient(false);
            long ops = countOps(unet, sample, text, lora, manager);
            double micros = microsPerOp(manager);
            return new Result(o, runtime.device().toString(), params, lora.parameterCount(), forwardMs, backwardMs, ops,
                    micros, rssBefore, ProcessMemory.peakResidentMib());
        }
    }

    private static double time(Options o, Runnable run) {
        List<Long> times = new ArrayList<>();
        for (int i = 0; i < o.iterations(); i++) {
            long t0 = System.nanoTime();
            run.run();
            times.add(System.nanoTime() - t0);
        }
        times.sort(Long::compare);
        return times.get(times.size() / 2) / 1e6; // median
    }

    /** Arrays created by one forward pass: each is one op through JNI. */
    private static long countOps(UNet2DConditionModel unet, NDArray sample, NDArray text, LoraSet lora, NDManager m) {
        try (NDManager step = m.newSubManager()) {
            Ops.withIntermediatesRetained(() -> unet.forward(Ops.borrow(sample, step), 681, text, ForwardContext.of(lora)));
            return step.getManagedArrays().size();
        }
    }

    /** Time of one tiny op plus its close, the fixed cost every op pays. */
    private static double microsPerOp(NDManager m) {
        try (NDManager step = m.newSubManager()) {
            NDArray a = step.ones(new Shape(4));
            int n = 20_000;
            for (int i = 0; i < 2_000; i++) {
                a.add(a).close();
            }
            long t0 = System.nanoTime();
            for (int i = 0; i < n; i++) {
                a.add(a).close();
            }
            return (System.nanoTime() - t0) / 1e3 / n;
        }
    }

    /** Number of UNet weights of a configuration, from a shape-only build. */
    static long parameterCount(UNet2DConditionConfig cfg) {
        WeightScope shapes = WeightScope.shapesOnly(new org.draglora.engine.weights.ShapeOnlySource("none", java.util.Map.of()));
        new UNet2DConditionModel(shapes, cfg);
        long n = 0;
        for (long[] s : shapes.requested().values()) {
            n += org.draglora.engine.weights.TensorInfo.elementCount(s);
        }
        return n;
    }

    /** The UNet configuration of a preset. */
    static UNet2DConditionConfig config(String preset) {
        return switch (preset) {
            case "sd15" -> UNet2DConditionConfig.sd15();
            case "shapes" -> TinyModelSpec.unet();
            case "shapes-32" -> TinyModelSpec.unet(TinyModelSpec.SHIPPED_LAYERS_PER_BLOCK, 2);
            case "shapes-pixel" -> TinyModelSpec.pixelUnet();
            default -> tinyConfig();
        };
    }

    /** Image side over UNet input side: SD's VAE is 8x, the embedded model's 4x (or 2x), pixel space 1x. */
    static int downsampling(String preset) {
        return switch (preset) {
            case "shapes", "shapes-32" -> TinyModelSpec.IMAGE_SIZE / config(preset).sampleSize();
            case "shapes-pixel" -> 1;
            default -> 8;
        };
    }

    /** The tiny fixture layout (block_out_channels 32, 32, 64, 64; text width 32). */
    static UNet2DConditionConfig tinyConfig() {
        UNet2DConditionConfig sd = UNet2DConditionConfig.sd15();
        return new UNet2DConditionConfig(16, 4, 4, sd.downBlockTypes(), sd.upBlockTypes(), List.of(32, 32, 64, 64), 2, 32,
                List.of(8, 8, 8, 8), 32, 1e-5, true, 0, 1, 1);
    }
}
