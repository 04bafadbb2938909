package org.draglora.http.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import org.draglora.engine.model.EmbeddedModel;
import org.draglora.engine.model.ModelPath;
import org.draglora.engine.session.EditEngine;
import org.draglora.sessions.bench.SessionBenchmark;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code draglora bench sessions}: several edit sessions dragging at once through the actors, the
 * fair GPU scheduler and the journal; prints a markdown table.
 */
@Command(
        name = "sessions",
        mixinStandardHelpOptions = true,
        description = {"Run N edit sessions at once on one device (the full session stack) and measure aggregate",
            "drag steps per second, per-session step latency, memory per session and the session layer's",
            "overhead per step against calling the engine directly."})
public final class BenchSessionsCommand implements Callable<Integer> {

    @Option(names = "--sessions", defaultValue = "1,2,4,8", paramLabel = "LIST",
            description = "Numbers of concurrent sessions (default: ${DEFAULT-VALUE}).")
    private String sessions;

    @Option(names = "--steps", defaultValue = "20", paramLabel = "K",
            description = "DOO step budget per edit (default: ${DEFAULT-VALUE}).")
    private int steps;

    @Option(names = "--reclora-steps", defaultValue = "80", paramLabel = "N",
            description = "RecLoRA steps (fitted once per scene, then cached; default: ${DEFAULT-VALUE}).")
    private int recLoraSteps;

    @Option(names = "--seed", defaultValue = "1", paramLabel = "S", description = "First scene seed (default: ${DEFAULT-VALUE}).")
    private long seed;

    @Option(names = "--model", paramLabel = "PATH", description = "The model (default: the embedded model).")
    private Path model;

    @Option(names = "--work", paramLabel = "DIR",
            description = "Journals, blobs and the RecLoRA cache of the run (default: a new temporary folder).")
    private Path work;

    private final DragloraCommand root;

    public BenchSessionsCommand(DragloraCommand root) {
        this.root = root;
    }

    @Override
    public Integer call() throws Exception {
        List<Integer> counts;
        try {
            counts = Arrays.stream(sessions.split(",")).map(String::trim).filter(s -> !s.isEmpty())
                    .map(Integer::parseInt).toList();
        } catch (NumberFormatException e) {
            throw new UsageException("--sessions takes numbers separated by commas, got '" + sessions + "'");
        }
        SessionBenchmark.Options o = new SessionBenchmark.Options(counts, steps, recLoraSteps, seed,
                root.settings().sessions());
        Path dir = work != null ? work : Files.createTempDirectory("draglora-bench-sessions");
        ModelPath mp = ModelPath.of(EmbeddedModel.resolve(model, root.settings().engine().model()));
        SessionBenchmark.Result r;
        try (EditEngine engine = EditEngine.load(mp, root.engine(), dir.resolve("cache"))) {
            r = SessionBenchmark.run(engine, root.config(), dir, o, root.progress("bench sessions"));
        }
        root.printResult(r.markdown());
        return 0;
    }
}
