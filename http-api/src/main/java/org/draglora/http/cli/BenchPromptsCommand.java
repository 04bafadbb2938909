package org.draglora.http.cli;

import java.util.function.Consumer;
import org.draglora.engine.bench.BenchReport;
import org.draglora.engine.bench.PromptReadingBenchmark;
import org.draglora.engine.bench.SceneCases;
import org.draglora.engine.edit.EditModel;
import org.draglora.engine.runtime.EngineRuntime;
import picocli.CommandLine.Command;

/**
 * {@code draglora bench prompts}: which words of a prompt the model's UNet reads (shape, colour),
 * as a markdown table (and JSON).
 */
@Command(
        name = "prompts",
        mixinStandardHelpOptions = true,
        description = {"The noise-prediction error on generated one-object scenes with their prompt, and its rise with",
            "a prompt naming another shape, another colour, or nothing: which words the UNet reads."})
public final class BenchPromptsCommand extends SceneBenchCommand {

    public BenchPromptsCommand(DragloraCommand root) {
        super(root);
    }

    @Override
    String name() {
        return "prompts";
    }

    @Override
    BenchReport run(EditModel model, SceneCases cases, EngineRuntime rt, Consumer<String> progress) {
        return PromptReadingBenchmark.run(model, cases, rt, progress);
    }
}
