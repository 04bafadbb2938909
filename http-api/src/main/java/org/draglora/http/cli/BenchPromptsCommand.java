package org.draglora.http.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.draglora.engine.bench.PromptReadingBenchmark;
import org.draglora.engine.edit.EditModel;
import org.draglora.engine.model.EmbeddedModel;
import org.draglora.engine.model.ModelPath;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code draglora bench prompts}: which words of a prompt the model's UNet reads (shape, colour),
 * as a markdown table (and JSON).
 */
@Command(
        name = "prompts",
        mixinStandardHelpOptions = true,
        description = {"The noise-prediction error on generated one-object scenes with their prompt, and its rise with",
            "a prompt naming another shape, another colour, or nothing: which words the UNet reads."})
public final class BenchPromptsCommand implements Callable<Integer> {

    @Option(names = "--n", defaultValue = "32", paramLabel = "N", description = "Scenes (default: ${DEFAULT-VALUE}).")
    private int cases;

    @Option(names = "--seed", defaultValue = "1", paramLabel = "S", description = "Seed of the scenes (default: ${DEFAULT-VALUE}).")
    private long seed;

    @Option(names = "--json", paramLabel = "FILE", description = "Also write the results as JSON.")
    private Path json;

    @Option(names = "--model", paramLabel = "PATH", description = "The model (default: the embedded model).")
    private Path model;

    private final DragloraCommand root;

    public BenchPromptsCommand(DragloraCommand root) {
        this.root = root;
    }

    @Override
    public Integer call() throws Exception {
        PromptReadingBenchmark.Options o = new PromptReadingBenchmark.Options(cases, seed);
        ModelPath mp = ModelPath.of(EmbeddedModel.resolve(model, root.settings().engine().model()));
        PromptReadingBenchmark.Result r;
        try (EditModel editModel = EditModel.load(mp, root.engine())) {
            r = PromptReadingBenchmark.run(editModel, o, root.engine(), root.progress("bench prompts"));
        }
        root.printResult(r.toMarkdown());
        if (json != null) {
            r.writeJson(json);
        }
        return 0;
    }
}
