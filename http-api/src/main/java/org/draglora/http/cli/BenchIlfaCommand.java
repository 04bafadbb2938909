package org.draglora.http.cli;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import org.draglora.engine.bench.IlfaStabilityBenchmark;
import org.draglora.engine.drag.DragSettings;
import org.draglora.engine.edit.EditModel;
import org.draglora.engine.edit.ModelDragDefaults;
import org.draglora.engine.model.EmbeddedModel;
import org.draglora.engine.model.ModelPath;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code draglora bench ilfa}: how well a model and its reconstruction hold an image through
 * DragLoRA's ILFA updates when nothing is dragged, as a markdown table (and JSON).
 */
@Command(
        name = "ilfa",
        mixinStandardHelpOptions = true,
        description = {"Without any drag: the PSNR of generated scenes after N ILFA updates at the drag timestep",
            "(and of the one-step x0 prediction), with no reconstruction, the RecLoRA, and fits of UNet weights."})
public final class BenchIlfaCommand implements Callable<Integer> {

    @Option(names = "--n", defaultValue = "6", paramLabel = "N", description = "Scenes (default: ${DEFAULT-VALUE}).")
    private int cases;

    @Option(names = "--seed", defaultValue = "1", paramLabel = "S", description = "Seed of the scenes (default: ${DEFAULT-VALUE}).")
    private long seed;

    @Option(names = "--iterations", defaultValue = "0,10,40", paramLabel = "LIST",
            description = "ILFA update counts, comma-separated (default: ${DEFAULT-VALUE}).")
    private String iterations;

    @Option(names = "--reclora-steps", defaultValue = "80", paramLabel = "N",
            description = "RecLoRA steps (default: ${DEFAULT-VALUE}).")
    private int recLoraSteps;

    @Option(names = "--unet-fit-steps", defaultValue = "200", paramLabel = "N",
            description = "Steps of the whole-UNet fit, 0 to skip it (default: ${DEFAULT-VALUE}).")
    private int unetFitSteps;

    @Option(names = "--unet-fit", defaultValue = "all", paramLabel = "LIST",
            description = "Which UNet weights each fit trains, comma-separated: all, resnet-convs, attention "
                    + "(default: ${DEFAULT-VALUE}).")
    private String unetFit;

    @Option(names = "--strength", paramLabel = "S",
            description = "Inversion strength that sets the drag timestep (default: the model's, 0.7 = t 681).")
    private Double strength;

    @Option(names = "--json", paramLabel = "FILE", description = "Also write the results as JSON.")
    private Path json;

    @Option(names = "--model", paramLabel = "PATH", description = "The model (default: the embedded model).")
    private Path model;

    private final DragloraCommand root;

    public BenchIlfaCommand(DragloraCommand root) {
        this.root = root;
    }

    @Override
    public Integer call() throws Exception {
        List<Integer> counts;
        try {
            counts = Arrays.stream(iterations.split(",")).map(String::trim).filter(s -> !s.isEmpty())
                    .map(Integer::valueOf).toList();
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--iterations must be whole numbers separated by commas, got '" + iterations + "'");
        }
        ModelPath mp = ModelPath.of(EmbeddedModel.resolve(model, root.settings().engine().model()));
        DragSettings.Schedule schedule = ModelDragDefaults.read(mp).apply(DragSettings.dragLora()).schedule();
        List<IlfaStabilityBenchmark.FitWeights> fits = Arrays.stream(unetFit.split(",")).map(String::trim)
                .filter(s -> !s.isEmpty()).map(IlfaStabilityBenchmark.FitWeights::of).toList();
        IlfaStabilityBenchmark.Options o = new IlfaStabilityBenchmark.Options(cases, seed, recLoraSteps, unetFitSteps,
                fits, counts, schedule.inferenceSteps(), strength != null ? strength : schedule.inversionStrength());
        IlfaStabilityBenchmark.Result r;
        try (EditModel editModel = EditModel.load(mp, root.engine())) {
            r = IlfaStabilityBenchmark.run(editModel, mp, o, root.engine(), root.progress("bench ilfa"));
        }
        root.printResult(r.toMarkdown());
        if (json != null) {
            r.writeJson(json);
        }
        return 0;
    }
}
