package org.draglora.engine.bench;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;
import java.util.regex.Pattern;
import org.draglora.engine.edit.EditModel;
import org.draglora.engine.edit.Ilfa;
import org.draglora.engine.edit.RandomStream;
import org.draglora.engine.edit.ModelDragDefaults;
import org.draglora.engine.edit.RecLoraSettings;
import org.draglora.engine.edit.RecLoraTrainer;
import org.draglora.engine.io.EditMask;
import org.draglora.engine.io.ImageTensors;
import org.draglora.engine.io.RgbImage;
import org.draglora.engine.model.ComponentSource;
import org.draglora.engine.model.ModelComponent;
import org.draglora.engine.model.ModelPath;
import org.draglora.engine.nn.Ops;
import org.draglora.engine.runtime.EngineRuntime;
import org.draglora.engine.runtime.NoGrad;
import org.draglora.engine.schedule.DdimScheduler;
import org.draglora.engine.shapes.DragKind;
import org.draglora.engine.shapes.DragTask;
import org.draglora.engine.shapes.DragTaskGenerator;
import org.draglora.engine.shapes.ShapeDragMetrics;
import org.draglora.engine.unet.ForwardContext;
import org.draglora.engine.unet.UNet2DConditionModel;
import org.draglora.engine.weights.WeightScope;

/**
 * {@code draglora bench ilfa}: does a model hold an image through DragLoRA's ILFA without any drag?
 * ILFA (denoise t -> t-20, re-noise with fresh noise) is a sampler of the model's distribution at
 * the drag timestep t: it keeps the image only if the reconstruction (RecLoRA) has made the model
 * concentrate on it. For generated ShapeDrag scenes, and for each reconstruction (none, the
 * RecLoRA, UNet weights fitted with the RecLoRA recipe on a copy: all of them, or a subset), it
 * measures the PSNR of the one-step x0 prediction at t from the noised image, and of the image after N ILFA updates (whole image
 * editable, no LoRA change) followed by the DDIM denoising to 0; N = 0 is SDEdit from t.
 */
public final class IlfaStabilityBenchmark {

    /**
     * Learning rate of the UNet fits: on full weights the RecLoRA's 5e-4 ended 200 steps at a higher
     * loss than 1e-4 (0.041 against 0.033 on scenes 1 and 3 of seed 1).
     */
    public static final double UNET_FIT_LR = 1e-4;

    /** Which UNet weights a fit trains (by their diffusers keys); each one gives a row "unet:NAME". */
    public enum FitWeights {
        /** Every weight. */
        ALL("all", ".*"),
        /** The 3x3 convolutions of the resnet blocks (conv1, conv2). */
        RESNET_CONVS("resnet-convs", ".*resnets\\.\\d+\\.conv[12]\\.weight"),
        /** The attention projections, where DragLoRA's LoRA sits (to_q, to_k, to_v, to_out.0), at full rank. */
        ATTENTION("attention", ".*attn[12]\\.(to_q|to_k|to_v|to_out\\.0)\\.weight");

        private final String label;
        private final Pattern keys;

        FitWeights(String label, String keys) {
            this.label = label;
            this.keys = Pattern.compile(keys);
        }

        /** The name on the command line and in the row. */
        public String label() {
            return label;
        }

        boolean trains(String key) {
            return keys.matcher(key).matches();
        }

        /** By {@link #label()}. */
        public static FitWeights of(String label) {
            for (FitWeights w : values()) {
                if (w.label.equals(label)) {
                    return w;
                }
            }
            throw new IllegalArgumentException("unknown UNet weights '" + label + "': use all, resnet-convs or attention");
        }
    }

    /** Row-name prefix of the UNet fits. */
    static final String UNET_ROW = "unet:";

    /** Noise draws averaged for the x0 prediction. */
    static final int X0_DRAWS = 4;

    /**
     * @param recLoraSteps RecLoRA steps (the reference's 80)
     * @param unetFitSteps steps of each UNet fit (0: no such rows)
     * @param unetFits which weights each UNet fit trains, one row each
     * @param iterations ILFA update counts, one column each
     * @param inferenceSteps DDIM grid (50)
     * @param strength inversion strength that sets t (0.7: t = 681)
     */
    public record Options(int cases, long seed, int recLoraSteps, int unetFitSteps, List<FitWeights> unetFits,
            List<Integer> iterations, int inferenceSteps, double strength) {
        public Options {
            iterations = List.copyOf(iterations);
            unetFits = List.copyOf(unetFits);
            if (cases < 1 || recLoraSteps < 0 || unetFitSteps < 0 || iterations.isEmpty()
                    || iterations.stream().anyMatch(n -> n < 0) || inferenceSteps < 2) {
                throw new IllegalArgumentException("need --n >= 1, --reclora-steps >= 0, --unet-fit-steps >= 0 and "
                        + "ILFA iteration counts >= 0, got " + cases + ", " + recLoraSteps + ", " + unetFitSteps + ", "
                        + iterations);
            }
            if (!(strength > 0 && strength <= 1)) {
                throw new IllegalArgumentException("--strength must be in (0, 1], got " + strength);
            }
        }
    }

    /** Means over the cases for one reconstruction. */
    public record Row(String reconstruction, double fitSeconds, double x0Psnr, List<Double> chainPsnr) {}

    /** All rows. */
    public record Result(Options options, long timestep, List<Row> rows) {

        /** The markdown table. */
        public String toMarkdown() {
            StringBuilder b = new StringBuilder(String.format(Locale.ROOT,
                    "ILFA stability: %d scenes (seed %d), t = %d, no drag; PSNR (dB) against the input, means over "
                            + "scenes%n%n", options.cases(), options.seed(), timestep));
            b.append("| reconstruction | fitting (s) | x0 prediction at t |");
            options.iterations().forEach(n -> b.append(" after ").append(n).append(" ILFA |"));
            b.append("\n|---|---|---|").append("---|".repeat(options.iterations().size())).append('\n');
            for (Row r : rows) {
                b.append(String.format(Locale.ROOT, "| %s | %.1f | %.1f |", r.reconstruction(), r.fitSeconds(), r.x0Psnr()));
                r.chainPsnr().forEach(p -> b.append(String.format(Locale.ROOT, " %.1f |", p)));
                b.append('\n');
            }
            return b.toString();
        }

        /** {cases, seed, timestep, iterations, reconstructions: {name: {fit_seconds, x0_psnr_db, ilfa_psnr_db: [..]}}}. */
        public void writeJson(Path file) throws IOException {
            ObjectNode root = BenchJson.root(options.cases(), options.seed());
            root.put("timestep", timestep);
            options.iterations().forEach(root.putArray("iterations")::add);
            ObjectNode rs = root.putObject("reconstructions");
            for (Row r : rows) {
                ObjectNode n = rs.putObject(r.reconstruction());
                n.put("fit_seconds", r.fitSeconds());
                n.put("x0_psnr_db", r.x0Psnr());
                r.chainPsnr().forEach(n.putArray("ilfa_psnr_db")::add);
            }
            BenchJson.write(root, file);
        }
    }

    private IlfaStabilityBenchmark() {}

    /** Runs every scene with every reconstruction; {@code mp} is read again for the trainable UNet copy. */
    public static Result run(EditModel model, ModelPath mp, Options o, EngineRuntime rt, Consumer<String> progress)
            throws IOException {
        DdimScheduler scheduler = model.scheduler();
        long t = scheduler.dragTimestep(o.inferenceSteps(), o.strength());
        List<String> names = new ArrayList<>(List.of("none", "reclora"));
        if (o.unetFitSteps() > 0) {
            o.unetFits().forEach(w -> names.add(UNET_ROW + w.label()));
        }
        Map<String, double[]> sums = new LinkedHashMap<>();
        names.forEach(n -> sums.put(n, new double[2 + o.iterations().size()]));
        for (int i = 0; i < o.cases(); i++) {
            DragTask task = DragTaskGenerator.generate(o.seed() + i, 64, 64, DragKind.MOVE_ONE);
            for (String name : names) {
                double[] row = measure(model, mp, task, name, o, t, rt);
                double[] sum = sums.get(name);
                for (int k = 0; k < row.length; k++) {
                    sum[k] += row[k];
                }
                StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "scene %d/%d %-8s x0 %.1f dB, ILFA",
                        i + 1, o.cases(), name, row[1]));
                for (int k = 0; k < o.iterations().size(); k++) {
                    line.append(String.format(Locale.ROOT, " %d: %.1f dB", o.iterations().get(k), row[2 + k]));
                }
                progress.accept(line.toString());
            }
        }
        List<Row> rows = new ArrayList<>();
        sums.forEach((name, s) -> {
            List<Double> chain = new ArrayList<>();
            for (int k = 0; k < o.iterations().size(); k++) {
                chain.add(s[2 + k] / o.cases());
            }
            rows.add(new Row(name, s[0] / o.cases(), s[1] / o.cases(), chain));
        });
        return new Result(o, t, rows);
    }

    /** {fit seconds, x0 PSNR, PSNR after each iteration count} for one scene and reconstruction. */
    private static double[] measure(EditModel model, ModelPath mp, DragTask task, String reconstruction, Options o,
            long t, EngineRuntime rt) throws IOException {
        RgbImage image = task.image();
        RandomStream random = new RandomStream(o.seed());
        UNet2DConditionModel copy = null;
        try (NDManager m = rt.newManager()) {
            NDArray x = ImageTensors.toTensor(image, m);
            NDArray text = model.encodePrompt(task.scene().prompt(), m);
            UNet2DConditionModel unet = model.unet();
            ForwardContext context = ForwardContext.DEFAULT;
            long start = System.nanoTime();
            if (reconstruction.equals("reclora")) {
                // the model's own LoRA targets (draglora.json), as an edit uses them
                RecLoraSettings settings = ModelDragDefaults.read(mp).apply(RecLoraSettings.reference())
                        .withSteps(o.recLoraSteps());
                RecLoraTrainer trainer = new RecLoraTrainer(model, x, text, settings, random, m);
                fit(trainer);
                trainer.lora().setRequiresGradient(false);
                context = ForwardContext.of(trainer.lora());
            } else if (reconstruction.startsWith(UNET_ROW)) {
                FitWeights which = FitWeights.of(reconstruction.substring(UNET_ROW.length()));
                WeightScope weights;
                try (ComponentSource src = ComponentSource.open(mp, ModelComponent.UNET)) {
                    weights = WeightScope.load(src.weights(), rt.newManager(), DataType.FLOAT32, key -> false);
                    copy = new UNet2DConditionModel(weights, src.unetConfig());
                }
                weights.verify();
                List<NDArray> parameters = new ArrayList<>();
                weights.arrays().forEach((key, array) -> {
                    if (which.trains(key)) {
                        parameters.add(array);
                    }
                });
                fit(RecLoraTrainer.wholeUnet(model, copy, parameters, x, text,
                        new RecLoraSettings(1, o.unetFitSteps(), UNET_FIT_LR, 0, RecLoraSettings.reference().batch()), random, m));
                parameters.forEach(p -> p.setRequiresGradient(false));
                unet = copy;
            }
            double fitSeconds = (System.nanoTime() - start) / 1e9;
            double[] out = new double[2 + o.iterations().size()];
            out[0] = fitSeconds;
            DdimScheduler scheduler = model.scheduler();
            try (NoGrad ignored = NoGrad.open()) {
                NDArray z0 = Ops.scale(model.vae().encode(x).mean(), model.scalingFactor());
                for (int d = 0; d < X0_DRAWS; d++) {
                    NDArray noise = random.gaussian(m, z0.getShape(), RandomStream.Purpose.ILFA_NOISE, -1 - d);
                    NDArray zt = scheduler.addNoise(z0, noise, t);
                    NDArray eps = unet.forward(zt, t, text, context).sample();
                    NDArray x0 = scheduler.step(eps, t, zt, o.inferenceSteps()).predOriginalSample();
                    out[1] += psnr(model, image, x0) / X0_DRAWS;
                }
                for (int k = 0; k < o.iterations().size(); k++) {
                    out[2 + k] = psnr(model, image, chain(model, unet, context, z0, text, t, o, o.iterations().get(k), k, random, m));
                }
            }
            return out;
        } finally {
            if (copy != null) {
                copy.close();
            }
        }
    }

    /** Noise to t, {@code n} ILFA updates over the whole latent, then DDIM denoising to 0. */
    private static NDArray chain(EditModel model, UNet2DConditionModel unet, ForwardContext context, NDArray z0,
            NDArray text, long t, Options o, int n, int column, RandomStream random, NDManager m) {
        DdimScheduler scheduler = model.scheduler();
        long base = 1_000_000L * (column + 1);
        NDArray z = scheduler.addNoise(z0, random.gaussian(m, z0.getShape(), RandomStream.Purpose.ILFA_NOISE, base), t);
        for (int k = 0; k < n; k++) {
            NDArray eps = unet.forward(z, t, text, context).sample();
            NDArray fresh = random.gaussian(m, z0.getShape(), RandomStream.Purpose.ILFA_NOISE, base + 1 + k);
            z = Ilfa.adapt(scheduler, eps, z, fresh, null, null, t, o.inferenceSteps());
        }
        for (long step : scheduler.timesteps(o.inferenceSteps())) {
            if (step <= t) {
                z = scheduler.step(unet.forward(z, step, text, context).sample(), step, z, o.inferenceSteps()).prevSample();
            }
        }
        return z;
    }

    private static void fit(RecLoraTrainer trainer) {
        while (!trainer.done()) {
            trainer.step();
        }
    }

    private static double psnr(EditModel model, RgbImage image, NDArray latent) {
        RgbImage decoded = ImageTensors.fromTensor(model.vae().decode(Ops.divide(latent, model.scalingFactor())));
        return ShapeDragMetrics.backgroundPsnr(image, decoded, EditMask.empty(image.width(), image.height()));
    }
}
