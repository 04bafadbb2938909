package org.draglora.engine.bench;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;
import org.draglora.engine.drag.DragMode;
import org.draglora.engine.drag.DragSettings;
import org.draglora.engine.drag.ImagePoint;
import org.draglora.engine.drag.SwitchingSettings;
import org.draglora.engine.edit.DragRequest;
import org.draglora.engine.edit.DragRun;
import org.draglora.engine.edit.EditModel;
import org.draglora.engine.edit.RandomStream;
import org.draglora.engine.edit.RecLoraSettings;
import org.draglora.engine.edit.RecLoraTrainer;
import org.draglora.engine.edit.StepRecord;
import org.draglora.engine.lora.LoraSet;
import org.draglora.engine.nn.Ops;
import org.draglora.engine.runtime.EngineRuntime;
import org.draglora.engine.schedule.DdimConfig;
import org.draglora.engine.schedule.DdimScheduler;
import org.draglora.engine.unet.UNet2DConditionConfig;
import org.draglora.engine.unet.UNet2DConditionModel;
import org.draglora.engine.vae.AutoencoderKL;
import org.draglora.engine.vae.AutoencoderKLConfig;
import org.draglora.engine.weights.WeightScope;

/**
 * {@code draglora bench drag}: the cost of the drag phase's two kinds of iteration on random
 * weights of an exact model shape: a DOO iteration (forward+backward through the LoRA, one
 * batched DDS pass of two samples, the ILFA forward) and an ILFA-only iteration (one forward: the
 * tracking forward's noise prediction is reused for ILFA, where the reference runs a second
 * forward), their ratio, and one RecLoRA training step (batch 4). Medians over the timed
 * iterations; the first iteration of each kind is a warm-up.
 */
public final class DragBenchmark {

    /** What to measure. */
    public record Options(String preset, int imageSize, int steps, int recLoraBatch) {
        public Options {
            if (!preset.equals("sd15") && !preset.equals("tiny")) {
                throw new IllegalArgumentException("unknown preset '" + preset + "': use sd15 or tiny");
            }
            if (imageSize < 64 || imageSize % 64 != 0) {
                throw new IllegalArgumentException("--size " + imageSize + " must be a positive multiple of 64");
            }
            if (steps < 1 || recLoraBatch < 1) {
                throw new IllegalArgumentException("need --steps >= 1 and a RecLoRA batch >= 1");
            }
        }
    }

    /** Medians in milliseconds, and the passes each kind of iteration made. */
    public record Result(Options options, String device, double dooMs, int dooForwardSamples, int dooBackwards,
            double ilfaOnlyMs, int ilfaOnlyForwards, int ilfaOnlyBackwards, double recLoraStepMs) {

        public double dooOverIlfaOnly() {
            return dooMs / ilfaOnlyMs;
        }

        public String toMarkdown() {
            StringBuilder b = new StringBuilder();
            b.append(String.format(Locale.ROOT, "Drag benchmark: preset %s, %dx%d image, %s, median of %d iterations "
                    + "per kind after one warm-up%n%n", options.preset(), options.imageSize(), options.imageSize(), device,
                    options.steps()));
            b.append("| measure | value |\n|---|---|\n");
            b.append(String.format(Locale.ROOT, "| DOO + ILFA iteration | %.1f ms (%d UNet samples forward, %d backward) |%n",
                    dooMs, dooForwardSamples, dooBackwards));
            b.append(String.format(Locale.ROOT, "| ILFA-only iteration | %.1f ms (%d UNet forward, %d backward; the "
                    + "reference runs 2 forwards) |%n", ilfaOnlyMs, ilfaOnlyForwards, ilfaOnlyBackwards));
            b.append(String.format(Locale.ROOT, "| DOO / ILFA-only | %.2f |%n", dooOverIlfaOnly()));
            b.append(String.format(Locale.ROOT, "| RecLoRA step (batch %d) | %.1f ms |%n", options.recLoraBatch(),
                    recLoraStepMs));
            return b.toString();
        }
    }

    private DragBenchmark() {}

    public static Result run(Options o, EngineRuntime runtime, Consumer<String> progress) {
        runtime.seed(1234);
        progress.accept("building " + o.preset() + " UNet and VAE with random weights");
        UNet2DConditionConfig unetCfg = o.preset().equals("sd15") ? UNet2DConditionConfig.sd15() : UnetBenchmark.tinyConfig();
        AutoencoderKLConfig vaeCfg = o.preset().equals("sd15") ? AutoencoderKLConfig.sd15()
                : new AutoencoderKLConfig(3, 3, List.of("DownEncoderBlock2D", "DownEncoderBlock2D", "DownEncoderBlock2D",
                        "DownEncoderBlock2D"), List.of("UpDecoderBlock2D", "UpDecoderBlock2D", "UpDecoderBlock2D",
                        "UpDecoderBlock2D"), List.of(16, 16, 32, 32), 2, 4, 8, 0.18215);
        try (EditModel model = new EditModel(
                        new UNet2DConditionModel(WeightScope.random(runtime.newManager(), runtime.weightType(true)), unetCfg),
                        new AutoencoderKL(WeightScope.random(runtime.newManager(), DataType.FLOAT32), vaeCfg), null, null,
                        new DdimScheduler(DdimConfig.sd15()), "random-" + o.preset());
                NDManager m = runtime.newManager()) {
            int size = o.imageSize();
            RandomStream random = new RandomStream(7);
            NDArray text = random.gaussian(m, new Shape(1, 77, unetCfg.crossAttentionDim()), RandomStream.Purpose.DDS_NOISE, 0);
            byte[] rgb = new byte[size * size * 3];
            for (int i = 0; i < rgb.length; i++) {
                rgb[i] = (byte) ((i * 31) % 251);
            }
            boolean[] mask = new boolean[size * size];
            for (int y = size / 4; y < 3 * size / 4; y++) {
                for (int x = size / 4; x < 3 * size / 4; x++) {
                    mask[y * size + x] = true;
                }
            }
            List<DragRequest.PointPair> points = List.of(new DragRequest.PointPair(
                    new ImagePoint(size * 0.4, size * 0.5), new ImagePoint(size * 0.6, size * 0.5)));
            RecLoraSettings rec = new RecLoraSettings(16, 2, 5e-4, 1e-2, o.recLoraBatch());

            progress.accept("RecLoRA steps");
            double recMs;
            LoraSet recLora;
            try (NDManager r = m.newSubManager()) {
                NDArray image = Ops.owned(r.create(new float[3 * size * size], new Shape(1, 3, size, size)));
                RecLoraTrainer trainer = new RecLoraTrainer(model, image, text, rec, random, m);
                trainer.step();
                long t0 = System.nanoTime();
                trainer.step();
                recMs = (System.nanoTime() - t0) / 1e6;
                recLora = trainer.lora();
                recLora.setRequiresGradient(false);
            }
            int latent = size / model.latentScale();
            NDArray inverted = random.gaussian(m, new Shape(1, unetCfg.inChannels(), latent, latent),
                    RandomStream.Purpose.ILFA_NOISE, 0);

            progress.accept("DOO iterations");
            DragSettings doo = DragSettings.dragLora().withSwitching(SwitchingSettings.disabled()).withMaxSteps(o.steps() + 1);
            List<StepRecord> dooSteps = dragSteps(model, doo, rgb, mask, points, rec, text, recLora, inverted, m, o.steps() + 1);

            progress.accept("ILFA-only iterations");
            // enter ILFA-only after the first DOO step and never leave it
            SwitchingSettings eager = new SwitchingSettings(0, 1e9, 1e9, 1e9, 3, Integer.MAX_VALUE - 1,
                    SwitchingSettings.UNCAPPED, true);
            DragSettings ilfa = DragSettings.dragLora().withSwitching(eager).withMaxSteps(1_000);
            List<StepRecord> ilfaSteps = dragSteps(model, ilfa, rgb, mask, points, rec, text, recLora, inverted, m,
                    o.steps() + 2).stream().filter(s -> s.mode() == DragMode.ILFA_ONLY).toList();

            StepRecord dooSample = dooSteps.get(dooSteps.size() - 1);
            StepRecord ilfaSample = ilfaSteps.get(ilfaSteps.size() - 1);
            return new Result(o, runtime.device().toString(), median(dooSteps.subList(1, dooSteps.size())),
                    dooSample.forwardSamples(), dooSample.backwardPasses(),
                    median(ilfaSteps.subList(Math.min(1, ilfaSteps.size() - 1), ilfaSteps.size())),
                    ilfaSample.forwardPasses(), ilfaSample.backwardPasses(), recMs);
        }
    }

    private static List<StepRecord> dragSteps(EditModel model, DragSettings drag, byte[] rgb, boolean[] mask,
            List<DragRequest.PointPair> points, RecLoraSettings rec, NDArray text, LoraSet recLora, NDArray inverted,
            NDManager m, int n) {
        int size = (int) Math.round(Math.sqrt(rgb.length / 3.0));
        DragRequest request = new DragRequest(size, size, rgb, mask, points, "", drag, rec, 7);
        List<StepRecord> records = new ArrayList<>();
        try (DragRun run = new DragRun(model, request, text, m, null, false)) {
            run.skipToDrag(recLora, inverted);
            for (int i = 0; i < n && run.phase() == DragRun.Phase.DRAG; i++) {
                records.add(run.step());
            }
        }
        return records;
    }

    private static double median(List<StepRecord> records) {
        double[] ms = records.stream().mapToDouble(r -> r.nanos() / 1e6).sorted().toArray();
        return ms.length == 0 ? Double.NaN : ms[ms.length / 2];
    }
}
