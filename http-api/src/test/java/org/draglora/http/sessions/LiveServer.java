package org.draglora.http.sessions;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.Config;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.Predicate;
import org.draglora.config.Settings;
import org.draglora.engine.model.EmbeddedModel;
import org.draglora.engine.model.ModelPath;
import org.draglora.engine.runtime.DeviceKind;
import org.draglora.engine.runtime.EngineRuntime;
import org.draglora.engine.session.EditEngine;
import org.draglora.http.HttpServer;

/**
 * A real draglora server for tests: the embedded model, the H2 journal, blobs and tokens in
 * {@code dataDir}, bound to a free port; plus a plain JDK HTTP client to talk to it.
 */
final class LiveServer implements AutoCloseable {

    static final ObjectMapper JSON = new ObjectMapper();

    final EditEngine engine;
    final HttpServer server;
    final String base;
    final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    private LiveServer(EditEngine engine, HttpServer server) {
        this.engine = engine;
        this.server = server;
        this.base = "http://127.0.0.1:" + server.address().getPort() + "/";
    }

    /** Loads the embedded model and starts a server on {@code dataDir}. */
    static LiveServer start(Path dataDir) throws IOException {
        EditEngine engine = EditEngine.load(ModelPath.of(EmbeddedModel.require()), EngineRuntime.start(DeviceKind.CPU),
                dataDir.resolve("cache"));
        return start(engine, dataDir);
    }

    /**
     * Limits high enough for tests that fire requests from one address in quick succession
     * ({@code ClientLimitsTest} checks the limits themselves).
     */
    static final String GENEROUS_LIMITS =
            "draglora.limits { requests-per-second = 10000, burst = 10000, running-sessions-per-client = 1000 }";

    /** Starts a server with an already loaded engine (restarts keep the engine, as a process would reload it). */
    static LiveServer start(EditEngine engine, Path dataDir) {
        return start(engine, dataDir, GENEROUS_LIMITS);
    }

    /** As {@link #start(EditEngine, Path)} with {@code hocon} over the defaults. */
    static LiveServer start(EditEngine engine, Path dataDir, String hocon) {
        Config config = com.typesafe.config.ConfigFactory.parseString(hocon).withFallback(Settings.loadConfig());
        Settings settings = Settings.load(config);
        HttpServer server = HttpServer.start(config, settings.server().withHost("127.0.0.1").withPort(0)
                .withDataDir(dataDir), "models/shapes-64", engine, settings.sessions(), settings.limits());
        return new LiveServer(engine, server);
    }

    /** Stops the server; the engine stays loaded for {@link #start(EditEngine, Path)}. */
    @Override
    public void close() {
        server.close();
    }

    HttpResponse<byte[]> send(String method, String path, byte[] body, String contentType) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(60));
        if (contentType != null) {
            b.header("Content-Type", contentType);
        }
        b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body));
        return http.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    HttpResponse<byte[]> get(String path) throws Exception {
        return send("GET", path, null, null);
    }

    HttpResponse<byte[]> postJson(String path, String json) throws Exception {
        return send("POST", path, json.getBytes(java.nio.charset.StandardCharsets.UTF_8), "application/json");
    }

    HttpResponse<byte[]> putJson(String path, String json) throws Exception {
        return send("PUT", path, json.getBytes(java.nio.charset.StandardCharsets.UTF_8), "application/json");
    }

    static JsonNode json(HttpResponse<byte[]> r) throws IOException {
        return JSON.readTree(r.body());
    }

    /** A session created by the API: its id and tokens. */
    record Session(String id, String edit, String view, JsonNode created) {
        String path(String rest, boolean editToken) {
            return "api/sessions/" + id + rest + (rest.contains("?") ? "&" : "?") + "token=" + (editToken ? edit : view);
        }

        String path(String rest) {
            return path(rest, true);
        }
    }

    /** Creates a scene session with small budgets. */
    Session scene(long seed, int steps, int recLoraSteps) throws Exception {
        HttpResponse<byte[]> r = send("POST", "api/sessions?scene=" + seed + "&steps=" + steps + "&reclora_steps="
                + recLoraSteps, null, null);
        if (r.statusCode() != 201) {
            throw new AssertionError("create: " + r.statusCode() + " " + new String(r.body()));
        }
        JsonNode c = json(r);
        return new Session(c.get("id").asText(), c.get("editToken").asText(), c.get("viewToken").asText(), c);
    }

    /** Polls the session's state until {@code done} holds (or fails after {@code timeout}). */
    JsonNode awaitState(Session s, Predicate<JsonNode> done, Duration timeout) throws Exception {
        long end = System.nanoTime() + timeout.toNanos();
        JsonNode st = null;
        while (System.nanoTime() < end) {
            st = json(get(s.path("")));
            if (done.test(st)) {
                return st;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("timed out; last state " + st);
    }
}
