package org.draglora.http.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.draglora.engine.bench.SampleShapeBenchmark;
import org.draglora.engine.edit.EditModel;
import org.draglora.engine.model.EmbeddedModel;
import org.draglora.engine.model.ModelPath;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code draglora bench samples}: whether the model's samples from noise show the shapes their prompts
 * name, as a markdown table (and JSON).
 */
@Command(
        name = "samples",
        mixinStandardHelpOptions = true,
        description = {"Sample each prompt of N plain and N full-stream generated scenes from noise, find every prompted",
            "object by its colours and fit every shape to it: how many samples draw the prompted shape."})
public final class BenchSamplesCommand implements Callable<Integer> {

    @Option(names = "--n", defaultValue = "32", paramLabel = "N", description = "Scenes of each kind (default: ${DEFAULT-VALUE}).")
    private int cases;

    @Option(names = "--seed", defaultValue = "1", paramLabel = "S", description = "Seed of the scenes (default: ${DEFAULT-VALUE}).")
    private long seed;

    @Option(names = "--json", paramLabel = "FILE", description = "Also write the results as JSON.")
    private Path json;

    @Option(names = "--model", paramLabel = "PATH", description = "The model (default: the embedded model).")
    private Path model;

    private final DragloraCommand root;

    public BenchSamplesCommand(DragloraCommand root) {
        this.root = root;
    }

    @Override
    public Integer call() throws Exception {
        SampleShapeBenchmark.Options o = new SampleShapeBenchmark.Options(cases, seed);
        ModelPath mp = ModelPath.of(EmbeddedModel.resolve(model, root.settings().engine().model()));
        SampleShapeBenchmark.Result r;
        try (EditModel editModel = EditModel.load(mp, root.engine())) {
            r = SampleShapeBenchmark.run(editModel, o, root.engine(), root.progress("bench samples"));
        }
        root.printResult(r.toMarkdown());
        if (json != null) {
            r.writeJson(json);
        }
        return 0;
    }
}
