package org.draglora.http.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.function.Consumer;
import org.draglora.engine.bench.BenchReport;
import org.draglora.engine.bench.SceneCases;
import org.draglora.engine.edit.EditModel;
import org.draglora.engine.model.EmbeddedModel;
import org.draglora.engine.model.ModelPath;
import org.draglora.engine.runtime.EngineRuntime;
import picocli.CommandLine.Option;

/**
 * A benchmark of one model on generated scenes ({@code bench prompts}, {@code bench samples}): the options
 * they share, loading the model, printing the table and writing the JSON.
 */
abstract class SceneBenchCommand implements Callable<Integer> {

    @Option(names = "--n", defaultValue = "32", paramLabel = "N", description = "Scenes (default: ${DEFAULT-VALUE}).")
    private int cases;

    @Option(names = "--seed", defaultValue = "1", paramLabel = "S", description = "Seed of the scenes (default: ${DEFAULT-VALUE}).")
    private long seed;

    @Option(names = "--json", paramLabel = "FILE", description = "Also write the results as JSON.")
    private Path json;

    @Option(names = "--model", paramLabel = "PATH", description = "The model (default: the embedded model).")
    private Path model;

    private final DragloraCommand root;

    SceneBenchCommand(DragloraCommand root) {
        this.root = root;
    }

    /** The command's name after {@code bench}, for progress lines. */
    abstract String name();

    /** Measures the loaded model. */
    abstract BenchReport run(EditModel model, SceneCases cases, EngineRuntime rt, Consumer<String> progress);

    @Override
    public Integer call() throws Exception {
        SceneCases o = new SceneCases(cases, seed);
        ModelPath mp = ModelPath.of(EmbeddedModel.resolve(model, root.settings().engine().model()));
        BenchReport r;
        try (EditModel editModel = EditModel.load(mp, root.engine())) {
            r = run(editModel, o, root.engine(), root.progress("bench " + name()));
        }
        root.printResult(r.toMarkdown());
        if (json != null) {
            r.writeJson(json);
        }
        return 0;
    }
}
