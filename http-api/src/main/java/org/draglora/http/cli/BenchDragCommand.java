package org.draglora.http.cli;

import java.util.concurrent.Callable;
import org.draglora.engine.bench.DragBenchmark;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code draglora bench drag}: time per DOO iteration and per ILFA-only iteration, their ratio,
 * and one RecLoRA step, on random weights of the exact model shape.
 */
@Command(
        name = "drag",
        mixinStandardHelpOptions = true,
        description = {"Time the drag phase on random weights of an exact shape: a DOO + ILFA iteration, an",
            "ILFA-only iteration, their ratio, and one RecLoRA step. Prints a markdown table."})
public final class BenchDragCommand implements Callable<Integer> {

    @Option(names = "--preset", defaultValue = "sd15", paramLabel = "sd15|tiny",
            description = "Model shape (default: ${DEFAULT-VALUE}).")
    private String preset;

    @Option(names = "--size", defaultValue = "512", paramLabel = "PIXELS",
            description = "Image side, a multiple of 64 (default: ${DEFAULT-VALUE}).")
    private int size;

    @Option(names = "--steps", defaultValue = "3", paramLabel = "N",
            description = "Timed iterations of each kind, after one warm-up (default: ${DEFAULT-VALUE}).")
    private int steps;

    @Option(names = "--reclora-batch", defaultValue = "4", paramLabel = "B",
            description = "RecLoRA batch (default: ${DEFAULT-VALUE}, the reference's).")
    private int recLoraBatch;

    private final DragloraCommand root;

    public BenchDragCommand(DragloraCommand root) {
        this.root = root;
    }

    @Override
    public Integer call() {
        DragBenchmark.Result r = DragBenchmark.run(new DragBenchmark.Options(preset, size, steps, recLoraBatch),
                root.engine(), root.progress("bench drag"));
        root.printResult(r.toMarkdown());
        return 0;
    }
}
