package org.draglora.http.cli;

import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.draglora.engine.edit.DragRequest;
import org.draglora.engine.edit.EditModel;
import org.draglora.engine.edit.ModelDragDefaults;
import org.draglora.engine.edit.StepRecord;
import org.draglora.engine.io.DragSample;
import org.draglora.engine.model.EmbeddedModel;
import org.draglora.engine.model.ModelPath;
import org.draglora.engine.runtime.EngineRuntime;
import org.draglora.engine.tools.EditMethod;
import org.draglora.engine.tools.EditTool;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code draglora edit}: one drag edit of an image (or a DragBench / Drag100 sample) to a PNG,
 * with a progress bar on stderr and an optional JSON-lines trace of every step.
 */
@Command(
        name = "edit",
        mixinStandardHelpOptions = true,
        description = {"Drag-edit one image: move each handle point to its target.",
            "Points are image pixels, \"x1,y1:x2,y2;x3,y3:x4,y4\" (handle:target pairs).",
            "The mask (white = may change) is optional; without one only the LoRA edits the image."})
public final class EditCommand implements Callable<Integer> {

    @Option(names = "--model", paramLabel = "PATH",
            description = "Stable Diffusion 1.5 weights: a diffusers folder or a single .safetensors file "
                    + "(default: draglora.engine.model, else the embedded model models/shapes-64).")
    private Path model;

    @Option(names = "--model-config", paramLabel = "DIR",
            description = "For single files: a folder with unet/, vae/, text_encoder/ config.json (default: SD 1.5).")
    private Path modelConfig;

    @Option(names = "--image", paramLabel = "IN.png", description = "The image (PNG or JPEG; sides multiples of 8).")
    private Path image;

    @Option(names = "--mask", paramLabel = "MASK.png", description = "Editable region, same size as the image.")
    private Path mask;

    @Option(names = "--points", paramLabel = "POINTS", description = "Handle:target pairs, \"x1,y1:x2,y2;...\".")
    private String points;

    @Option(names = "--dragbench", paramLabel = "DIR",
            description = "A DragBench sample folder (original_image.png + meta_data.pkl) instead of --image.")
    private Path dragBench;

    @Option(names = "--drag100", paramLabel = "DIR",
            description = "A Drag100 sample folder (original.jpg, mask.png, points.json) instead of --image.")
    private Path drag100;

    @Option(names = "--scene", paramLabel = "SEED",
            description = "Edit a generated shape scene (with a generated drag task) instead of --image.")
    private Long scene;

    @Option(names = "--prompt", paramLabel = "TEXT", description = "The prompt (default: the sample's, or empty).")
    private String prompt;

    @Option(names = "--method", defaultValue = "draglora", paramLabel = "draglora|draglora-fast|dragdiffusion|latent-warp",
            description = "The drag method (default: ${DEFAULT-VALUE}; latent-warp moves the latent around each "
                    + "handle directly, without optimisation).")
    private String method;

    @Option(names = "--tracking", paramLabel = "square|distance-closer|angle-closer|linear",
            description = "Point tracking instead of the method's (draglora: distance-closer, draglora-fast: "
                    + "angle-closer, dragdiffusion: square).")
    private String tracking;

    @Option(names = "--seed", defaultValue = "42", paramLabel = "N", description = "Random seed (default: ${DEFAULT-VALUE}).")
    private long seed;

    @Option(names = "--steps", paramLabel = "K", description = "Optimisation step budget K (default: 80).")
    private Integer steps;

    @Option(names = "--reclora-steps", paramLabel = "N", description = "RecLoRA training steps (default: 80).")
    private Integer recLoraSteps;

    @Option(names = "--cache", paramLabel = "DIR",
            description = "RecLoRA cache folder (default: <data-dir>/cache); a second edit of the same image skips RecLoRA.")
    private Path cache;

    @Option(names = "--no-cache", description = "Do not read or write the RecLoRA cache.")
    private boolean noCache;

    @Option(names = "--out", required = true, paramLabel = "OUT.png", description = "Where to write the result.")
    private Path out;

    @Option(names = "--trace", paramLabel = "TRACE.jsonl", description = "Write one JSON line per step.")
    private Path trace;

    private final DragloraCommand root;

    public EditCommand(DragloraCommand root) {
        this.root = root;
    }

    @Override
    public Integer call() throws Exception {
        EditMethod m = EditMethod.parse(method);
        EditTool.Options options = new EditTool.Options(prompt, m, seed, recLoraSteps, steps,
                noCache ? null : (cache != null ? cache : root.settings().server().dataDir().resolve("cache")),
                tracking == null ? null : EditTool.parseTracking(tracking));
        DragSample sample = EditTool.readInput(new EditTool.Input(image, mask, points, dragBench, drag100, scene));
        ModelPath modelPath = ModelPath.of(modelPath(), modelConfig);
        DragRequest request = EditTool.request(sample, options, ModelDragDefaults.read(modelPath));
        EngineRuntime runtime = root.engine();
        ProgressBar bar = new ProgressBar(root.err(), System.console() != null, 10);
        EditTool.Summary s;
        try (EditModel editModel = EditModel.load(modelPath, runtime)) {
            s = EditTool.run(editModel, request, options, out, trace, runtime, r -> bar.update(
                    r.phase().name().toLowerCase(Locale.ROOT), r.index(), r.total(), status(r)));
        } finally {
            bar.finish();
        }
        root.out().printf(Locale.ROOT, "wrote %s: %d drag iterations (%d DOO, %d ILFA-only), mean handle distance "
                + "%.1f -> %.1f px, %d UNet forwards, %d backwards, %.1f s%s%n", out, s.dragIterations(),
                s.dooIterations(), s.ilfaOnlyIterations(), s.initialDistance(), s.finalDistance(), s.forwardPasses(),
                s.backwardPasses(), s.millis() / 1000.0, s.recLoraFromCache() ? " (RecLoRA from cache)" : "");
        root.out().flush();
        return 0;
    }

    private Path modelPath() {
        return EmbeddedModel.resolve(model, root.settings().engine().model());
    }

    private static String status(StepRecord r) {
        StringBuilder b = new StringBuilder();
        if (r.mode() != null) {
            b.append(r.mode().name().toLowerCase(Locale.ROOT).replace('_', '-')).append("  ");
        }
        double d = r.points().stream().mapToDouble(StepRecord.PointState::distance).average().orElse(Double.NaN);
        if (!Double.isNaN(d)) {
            b.append(String.format(Locale.ROOT, "d=%.1fpx", d));
        }
        if (!Double.isNaN(r.losses().total())) {
            b.append(String.format(Locale.ROOT, "  loss=%.4g", r.losses().total()));
        }
        return b.toString();
    }
}
