package org.draglora.http.cli;

import java.util.function.Consumer;
import org.draglora.engine.bench.BenchReport;
import org.draglora.engine.bench.SampleShapeBenchmark;
import org.draglora.engine.bench.SceneCases;
import org.draglora.engine.edit.EditModel;
import org.draglora.engine.runtime.EngineRuntime;
import picocli.CommandLine.Command;

/**
 * {@code draglora bench samples}: whether the model's samples from noise show the shapes their prompts
 * name, as a markdown table (and JSON).
 */
@Command(
        name = "samples",
        mixinStandardHelpOptions = true,
        description = {"Sample each prompt of N plain and N full-stream generated scenes from noise, find every prompted",
            "object by its colours and fit every shape to it: how many samples draw the prompted shape."})
public final class BenchSamplesCommand extends SceneBenchCommand {

    public BenchSamplesCommand(DragloraCommand root) {
        super(root);
    }

    @Override
    String name() {
        return "samples";
    }

    @Override
    BenchReport run(EditModel model, SceneCases cases, EngineRuntime rt, Consumer<String> progress) {
        return SampleShapeBenchmark.run(model, cases, rt, progress);
    }
}
