package org.draglora.http.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.draglora.config.ServerSettings;
import org.draglora.engine.model.EmbeddedModel;
import org.draglora.engine.model.ModelPath;
import org.draglora.engine.session.EditEngine;
import org.draglora.http.HttpServer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code draglora serve}: runs the HTTP server (JSON API and browser UI) until SIGTERM or Ctrl-C.
 * Prints one line, {@code draglora serving on http://HOST:PORT/}, once bound.
 */
@Command(
        name = "serve",
        mixinStandardHelpOptions = true,
        description = "Run the HTTP server: the browser UI at / and the JSON API under /api.")
public final class ServeCommand implements Callable<Integer> {

    @Option(names = "--host", paramLabel = "HOST",
            description = "Interface to bind (default: draglora.server.host, 127.0.0.1).")
    private String host;

    @Option(names = "--port", paramLabel = "PORT",
            description = "TCP port, 0 = any free port (default: draglora.server.port, 8080).")
    private Integer port;

    @Option(names = "--data", paramLabel = "DIR",
            description = "Data directory, created if missing (default: draglora.server.data-dir, ./data).")
    private Path dataDir;

    @Option(names = "--model", paramLabel = "PATH",
            description = "The model: a diffusers folder or a .safetensors file (default: draglora.engine.model, "
                    + "else the embedded model models/shapes-64).")
    private Path model;

    private final DragloraCommand root;

    /** The command, reading global options and settings from {@code root}. */
    public ServeCommand(DragloraCommand root) {
        this.root = root;
    }

    @Override
    public Integer call() throws IOException {
        ServerSettings server = serverSettings();
        createDataDir(server.dataDir());
        // the model is resolved and checked at start, so a wrong path fails now, not at the first edit
        ModelPath mp = ModelPath.of(EmbeddedModel.resolve(model, root.settings().engine().model()));
        try (EditEngine engine = EditEngine.load(mp, root.engine(), server.dataDir().resolve("cache"));
                HttpServer http = HttpServer.start(root.config(), server, mp.path().toString(), engine,
                        root.settings().sessions(), root.settings().limits())) {
            PrintWriter out = root.out();
            out.println("draglora serving on " + http.url());
            out.flush();
            http.awaitTermination();
        }
        return 0;
    }

    private ServerSettings serverSettings() {
        ServerSettings server = root.settings().server();
        if (host != null) {
            server = server.withHost(host);
        }
        if (port != null) {
            server = server.withPort(port);
        }
        if (dataDir != null) {
            server = server.withDataDir(dataDir);
        }
        return server;
    }

    private static void createDataDir(Path dir) {
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new IllegalStateException("cannot create the data directory " + dir + ": " + e, e);
        }
    }
}
