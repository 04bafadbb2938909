package org.draglora.http.cli;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.draglora.config.Settings;
import org.draglora.engine.model.EmbeddedModel;
import org.draglora.engine.model.ModelPath;
import org.draglora.engine.session.EditEngine;
import org.draglora.http.HttpServer;
import org.draglora.http.bench.LoadBenchmark;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code draglora bench load}: many WebSocket clients editing on one server; latencies, errors, memory. */
@Command(
        name = "load",
        mixinStandardHelpOptions = true,
        description = {"Run many WebSocket clients against a server: they move points while edits run and restart",
            "finished edits. Prints command-acknowledge and fan-out latency (p50/p95/p99), errors and the",
            "server's memory before and after. Without --url it starts a server of its own on loopback",
            "(the embedded model, per-client limits lifted: all clients share one address)."})
public final class BenchLoadCommand implements Callable<Integer> {

    @Option(names = "--url", paramLabel = "URL",
            description = "A running server, e.g. http://127.0.0.1:8080/ (its draglora.limits must allow the load"
                    + " from one address). Default: start one.")
    private String url;

    @Option(names = "--clients", defaultValue = "50", description = "WebSocket clients (default: ${DEFAULT-VALUE}).")
    private int clients;

    @Option(names = "--sessions", defaultValue = "10", description = "Sessions they share (default: ${DEFAULT-VALUE}).")
    private int sessions;

    @Option(names = "--seconds", defaultValue = "60", description = "How long the clients work (default: ${DEFAULT-VALUE}).")
    private int seconds;

    @Option(names = "--steps", defaultValue = "80", description = "DOO budget per edit (default: ${DEFAULT-VALUE}).")
    private int steps;

    @Option(names = "--reclora-steps", defaultValue = "10",
            description = "RecLoRA steps per edit (default: ${DEFAULT-VALUE}).")
    private int recLoraSteps;

    @Option(names = "--seed", defaultValue = "1", description = "First scene seed (default: ${DEFAULT-VALUE}).")
    private long seed;

    private final DragloraCommand root;

    public BenchLoadCommand(DragloraCommand root) {
        this.root = root;
    }

    @Override
    public Integer call() throws Exception {
        if (url != null) {
            report(run(url));
            return 0;
        }
        Path dir = Files.createTempDirectory("draglora-bench-load");
        Config config = ConfigFactory.parseString("draglora.limits { requests-per-second = 100000, burst = 100000,"
                + " running-sessions-per-client = 100000 }").withFallback(root.config());
        Settings settings = Settings.load(config);
        try (EditEngine engine = EditEngine.load(ModelPath.of(EmbeddedModel.resolve(null, settings.engine().model())),
                root.engine(), dir.resolve("cache"));
                HttpServer server = HttpServer.start(config, settings.server().withHost("127.0.0.1").withPort(0)
                        .withDataDir(dir.resolve("data")), "embedded", engine, settings.sessions(), settings.limits())) {
            root.err().println("bench load: started a server on " + server.url() + " (data in " + dir + ")");
            root.err().flush();
            report(run(server.url()));
        }
        return 0;
    }

    private LoadBenchmark.Result run(String base) throws Exception {
        return LoadBenchmark.run(new LoadBenchmark.Options(base, clients, sessions, seconds, steps, recLoraSteps, seed),
                root.progress("bench load"));
    }

    private void report(LoadBenchmark.Result r) {
        root.out().print(r.markdown());
        root.out().flush();
    }
}
