package org.draglora.engine.bench;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;
import org.draglora.engine.drag.DragSettings;
import org.draglora.engine.drag.IlfaMethod;
import org.draglora.engine.drag.SwitchingSettings;
import org.draglora.engine.edit.DragRequest;
import org.draglora.engine.edit.DragRun;
import org.draglora.engine.edit.EditModel;
import org.draglora.engine.edit.ModelDragDefaults;
import org.draglora.engine.edit.RecLoraCache;
import org.draglora.engine.edit.StepRecord;
import org.draglora.engine.io.DragSample;
import org.draglora.engine.io.RgbImage;
import org.draglora.engine.runtime.EngineRuntime;
import org.draglora.engine.shapes.CaseResult;
import org.draglora.engine.shapes.DragKind;
import org.draglora.engine.shapes.DragTask;
import org.draglora.engine.shapes.DragTaskGenerator;
import org.draglora.engine.shapes.ShapeDragMetrics;
import org.draglora.engine.shapes.Summary;
import org.draglora.engine.tools.EditTool;

/**
 * {@code draglora bench shapedrag}: drag edits of generated shape scenes with exact ground truth,
 * for several methods on the same cases. Each case is a generated scene and a drag task (one object
 * moved, several objects moved, or an object stretched by an edge) with its mask; the metrics come
 * from the output image by colour segmentation (see {@link ShapeDragMetrics}): where the dragged
 * part ended up against its target, the IoU of the moved object with the ideally moved one, and the
 * PSNR outside the mask. UNet passes and seconds count the method's own work (the drag and the final
 * denoising); the RecLoRA fitted per case, identical for every method, is fitted once and reported
 * separately.
 */
public final class ShapeDragBenchmark {

    /** The methods, by name: the paper's Table 3 shape. */
    public static final List<String> ALL_METHODS = List.of("draglora", "draglora-fast", "dragdiffusion",
            "draglora-no-dds", "draglora-no-ilfa", "draglora-no-ass", "draglora-renoise-ilfa", "latent-warp");

    /**
     * @param recLoraSteps RecLoRA steps per case (the reference's 80)
     * @param maxSteps the DOO step budget K (80)
     */
    public record Options(int cases, long seed, List<String> methods, int recLoraSteps, int maxSteps) {
        public Options {
            methods = List.copyOf(methods);
            if (cases < 1) {
                throw new IllegalArgumentException("--n must be at least 1, got " + cases);
            }
            for (String m : methods) {
                if (!ALL_METHODS.contains(m)) {
                    throw new IllegalArgumentException("unknown method '" + m + "': use " + String.join(", ", ALL_METHODS));
                }
            }
            if (methods.isEmpty() || recLoraSteps < 0 || maxSteps < 1) {
                throw new IllegalArgumentException("need methods, --reclora-steps >= 0 and --steps >= 1");
            }
        }
    }

    /** Per-method means over the cases. */
    public record MethodResult(String method, Summary summary, double forwardPasses, double backwardPasses,
            double seconds, int vanished) {}

    /** All results. */
    public record Result(Options options, Map<String, MethodResult> methods, double recLoraSeconds) {

        /** The markdown table. */
        public String toMarkdown() {
            StringBuilder b = new StringBuilder();
            b.append(String.format(Locale.ROOT, "ShapeDrag: %d cases (seed %d), 64x64, means over cases; RecLoRA "
                    + "(%d steps, shared by the methods) %.1f s per case%n%n", options.cases(), options.seed(),
                    options.recLoraSteps(), recLoraSeconds));
            b.append("| method | initial distance (px) | handle error (px) | error / initial | shape IoU "
                    + "| background PSNR (dB) | UNet forwards | UNet backwards | seconds | lost objects |\n");
            b.append("|---|---|---|---|---|---|---|---|---|---|\n");
            for (MethodResult r : methods.values()) {
                Summary s = r.summary();
                b.append(String.format(Locale.ROOT, "| %s | %.1f | %.1f | %.2f | %.2f | %.1f | %.0f | %.0f | %.1f | %d |%n",
                        r.method(), s.meanInitialDistance(), s.meanHandleError(),
                        s.meanHandleError() / s.meanInitialDistance(), s.meanIou(), s.meanBackgroundPsnr(),
                        r.forwardPasses(), r.backwardPasses(), r.seconds(), r.vanished()));
            }
            return b.toString();
        }

        /** The JSON form: {cases, seed, methods: {name: {mean_initial_distance_px, ...}}}. */
        public void writeJson(Path file) throws IOException {
            ObjectNode root = BenchJson.root(options.cases(), options.seed());
            root.put("reclora_seconds", recLoraSeconds);
            ObjectNode ms = root.putObject("methods");
            for (MethodResult r : methods.values()) {
                ObjectNode n = ms.putObject(r.method());
                n.put("mean_initial_distance_px", r.summary().meanInitialDistance());
                n.put("mean_handle_error_px", r.summary().meanHandleError());
                n.put("background_psnr_db", r.summary().meanBackgroundPsnr());
                n.put("shape_iou", r.summary().meanIou());
                n.put("forward_passes", r.forwardPasses());
                n.put("backward_passes", r.backwardPasses());
                n.put("seconds", r.seconds());
                n.put("lost_objects", r.vanished());
            }
            BenchJson.write(root, file);
        }
    }

    private ShapeDragBenchmark() {}

    /** The drag kind of case {@code i}: moves of one object, of several, and stretches, in turn. */
    static DragKind kindOf(int i) {
        return switch (i % 4) {
            case 0, 2 -> DragKind.MOVE_ONE;
            case 1 -> DragKind.MOVE_MANY;
            default -> DragKind.STRETCH;
        };
    }

    /** The settings of a benchmark method, with the model's architecture defaults applied. */
    static DragSettings settings(String method, ModelDragDefaults defaults) {
        DragSettings base = defaults.apply(switch (method) {
            case "draglora-fast" -> DragSettings.dragLoraFast();
            case "dragdiffusion" -> DragSettings.dragDiffusion();
            case "latent-warp" -> DragSettings.latentWarp();
            default -> DragSettings.dragLora();
        });
        return switch (method) {
            case "draglora-no-dds" -> base.withRegularization(new DragSettings.Regularization(
                    base.regularization().lambdaMask(), 0, 0, 999));
            case "draglora-no-ilfa" -> base.withIlfa(IlfaMethod.OFF);
            case "draglora-renoise-ilfa" -> base.withIlfa(IlfaMethod.RENOISE);
            case "draglora-no-ass" -> base.withSwitching(SwitchingSettings.disabled());
            default -> base;
        };
    }

    /** Runs every case with every method. */
    public static Result run(EditModel model, ModelDragDefaults defaults, Options o, Path cacheDir, EngineRuntime rt,
            Consumer<String> progress) throws IOException {
        Map<String, List<CaseResult>> results = new LinkedHashMap<>();
        Map<String, double[]> costs = new LinkedHashMap<>();
        for (String m : o.methods()) {
            results.put(m, new ArrayList<>());
            costs.put(m, new double[3]);
        }
        RecLoraCache cache = new RecLoraCache(cacheDir);
        ShapeDragMetrics metrics = new ShapeDragMetrics();
        double recSeconds = 0;
        for (int i = 0; i < o.cases(); i++) {
            DragTask task = DragTaskGenerator.generate(o.seed() + i, 64, 64, kindOf(i));
            DragSample sample = task.toSample();
            for (String method : o.methods()) {
                DragRequest request = requestFor(sample, method, defaults, o);
                try (NDManager m = rt.newManager()) {
                    NDArray text = model.encodePrompt(request.prompt(), m);
                    try (DragRun run = new DragRun(model, request, text, m, cache, false)) {
                        long methodNanos = 0;
                        double[] c = costs.get(method);
                        while (!run.finished()) {
                            StepRecord r = run.step();
                            if (r.phase() == DragRun.Phase.RECLORA) {
                                recSeconds += r.nanos() / 1e9;
                            } else if (r.phase() != DragRun.Phase.INVERSION) {
                                methodNanos += r.nanos();
                                c[0] += r.forwardPasses();
                                c[1] += r.backwardPasses();
                            }
                        }
                        c[2] += methodNanos / 1e9;
                        CaseResult cr = metrics.evaluate(task, new RgbImage(64, 64, run.result()));
                        results.get(method).add(cr);
                        progress.accept(String.format(Locale.ROOT, "case %d/%d %-16s %s error %.1f of %.1f px, IoU %.2f, "
                                + "background %.1f dB", i + 1, o.cases(), method, cr.kind(), cr.meanHandleError(),
                                cr.meanInitialDistance(), cr.meanIou(), cr.backgroundPsnr()));
                    }
                }
            }
        }
        Map<String, MethodResult> out = new LinkedHashMap<>();
        for (String method : o.methods()) {
            double[] c = costs.get(method);
            List<CaseResult> rs = results.get(method);
            int vanished = rs.stream().mapToInt(CaseResult::vanished).sum();
            out.put(method, new MethodResult(method, Summary.of(rs), c[0] / o.cases(), c[1] / o.cases(), c[2] / o.cases(),
                    vanished));
        }
        return new Result(o, out, recSeconds / o.cases());
    }

    private static DragRequest requestFor(DragSample sample, String method, ModelDragDefaults defaults, Options o) {
        DragRequest base = EditTool.request(sample, new EditTool.Options(null,
                org.draglora.engine.tools.EditMethod.DRAGLORA, o.seed(), o.recLoraSteps(), o.maxSteps(), null), defaults);
        DragSettings drag = settings(method, defaults).withMaxSteps(o.maxSteps());
        return new DragRequest(base.width(), base.height(), base.rgb(), base.editable(), base.points(), base.prompt(), drag,
                base.recLora(), base.seed());
    }

}
