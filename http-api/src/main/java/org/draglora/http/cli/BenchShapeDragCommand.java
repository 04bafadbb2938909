package org.draglora.http.cli;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import org.draglora.engine.bench.ShapeDragBenchmark;
import org.draglora.engine.edit.EditModel;
import org.draglora.engine.edit.ModelDragDefaults;
import org.draglora.engine.model.EmbeddedModel;
import org.draglora.engine.model.ModelPath;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code draglora bench shapedrag}: DragLoRA, DragLoRA-fast, DragDiffusion and DragLoRA's
 * ablations on generated drag tasks with exact ground truth, as a markdown table (and JSON).
 */
@Command(
        name = "shapedrag",
        mixinStandardHelpOptions = true,
        description = {"Drag-edit generated shape scenes with known ground truth and compare methods: handle",
            "error, shape IoU, background PSNR, UNet passes, time. Prints a markdown table."})
public final class BenchShapeDragCommand implements Callable<Integer> {

    @Option(names = "--n", defaultValue = "50", paramLabel = "N", description = "Cases (default: ${DEFAULT-VALUE}).")
    private int cases;

    @Option(names = "--seed", defaultValue = "1", paramLabel = "S", description = "Seed of the cases (default: ${DEFAULT-VALUE}).")
    private long seed;

    @Option(names = "--methods", paramLabel = "LIST",
            description = "Comma-separated methods (default: all: draglora, draglora-fast, dragdiffusion, "
                    + "draglora-no-dds, draglora-no-ilfa, draglora-no-ass, draglora-renoise-ilfa, latent-warp).")
    private String methods;

    @Option(names = "--json", paramLabel = "FILE", description = "Also write the results as JSON.")
    private Path json;

    @Option(names = "--model", paramLabel = "PATH", description = "The model (default: the embedded model).")
    private Path model;

    @Option(names = "--reclora-steps", defaultValue = "80", paramLabel = "N",
            description = "RecLoRA steps per case (default: ${DEFAULT-VALUE}).")
    private int recLoraSteps;

    @Option(names = "--steps", defaultValue = "80", paramLabel = "K",
            description = "DOO step budget per edit (default: ${DEFAULT-VALUE}).")
    private int steps;

    @Option(names = "--cache", paramLabel = "DIR",
            description = "RecLoRA cache (default: <data-dir>/cache); reruns skip the fitting.")
    private Path cache;

    private final DragloraCommand root;

    public BenchShapeDragCommand(DragloraCommand root) {
        this.root = root;
    }

    @Override
    public Integer call() throws Exception {
        List<String> list = methods == null ? ShapeDragBenchmark.ALL_METHODS
                : Arrays.stream(methods.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
        ShapeDragBenchmark.Options o = new ShapeDragBenchmark.Options(cases, seed, list, recLoraSteps, steps);
        ModelPath mp = ModelPath.of(EmbeddedModel.resolve(model, root.settings().engine().model()));
        Path cacheDir = cache != null ? cache : root.settings().server().dataDir().resolve("cache");
        ShapeDragBenchmark.Result r;
        try (EditModel editModel = EditModel.load(mp, root.engine())) {
            r = ShapeDragBenchmark.run(editModel, ModelDragDefaults.read(mp), o, cacheDir, root.engine(),
                    root.progress("bench shapedrag"));
        }
        root.printResult(r.toMarkdown());
        if (json != null) {
            r.writeJson(json);
        }
        return 0;
    }
}
