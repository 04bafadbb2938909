package org.draglora.http.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.draglora.engine.bench.Percentile;

/**
 * {@code draglora bench load}: many WebSocket clients on a running server, the way a busy shared
 * server is used. It creates sessions (generated scenes) and starts them; each client joins one,
 * moves its point's target about once a second (and its pointer more often) while the edit runs,
 * and restarts the edit when it has finished. It measures how long the server takes to
 * acknowledge a command, how long until the other clients of the session see it, how many drag
 * steps the device runs, every error, and the server's memory before and after.
 */
public final class LoadBenchmark {

    /**
     * @param base the server, e.g. {@code http://127.0.0.1:8080/}
     * @param clients WebSocket clients
     * @param sessions sessions they share (client i joins session i mod sessions)
     * @param seconds how long the clients work
     * @param steps the DOO budget of each edit
     * @param recLoraSteps RecLoRA steps of each edit
     * @param seed scene seeds are seed, seed + 1, ...
     */
    public record Options(String base, int clients, int sessions, int seconds, int steps, int recLoraSteps, long seed) {
        public Options {
            if (clients < 1 || sessions < 1 || seconds < 1 || steps < 1 || recLoraSteps < 0) {
                throw new IllegalArgumentException("clients, sessions, seconds and steps must be >= 1, RecLoRA steps >= 0");
            }
            if (!base.endsWith("/")) {
                base = base + "/";
            }
        }
    }

    /**
     * What was measured.
     *
     * @param commands commands the clients sent (point moves, restarts)
     * @param acked commands acknowledged
     * @param ackMs command-to-acknowledgement latencies (ms)
     * @param fanOutMs command-to-arrival latencies at the session's other clients (ms)
     * @param dragSteps drag steps the sessions ran while the clients worked
     * @param errors transport failures, unexpected HTTP statuses, disconnects and refusals that were not races
     * @param raced refusals because the edit ended while the command was on its way (not errors)
     * @param errorSamples the first few errors, for the report
     * @param rssBeforeMib the server's resident memory before the clients started
     * @param rssAfterMib and after they stopped
     * @param heapBeforeMib the server's JVM heap in use before
     * @param heapAfterMib and after
     */
    public record Result(Options options, long commands, long acked, List<Double> ackMs, List<Double> fanOutMs,
            long dragSteps, long errors, long raced, List<String> errorSamples, double rssBeforeMib, double rssAfterMib,
            double heapBeforeMib, double heapAfterMib) {

        /** The markdown report. */
        public String markdown() {
            StringBuilder b = new StringBuilder();
            b.append(String.format(Locale.ROOT, "%d clients on %d sessions for %d s (%s):%n%n", options.clients(),
                    options.sessions(), options.seconds(), options.base()));
            b.append("| measure | p50 | p95 | p99 | max | count |\n|---|---|---|---|---|---|\n");
            row(b, "command acknowledged (ms)", ackMs);
            row(b, "seen by the session's other clients (ms)", fanOutMs);
            b.append(String.format(Locale.ROOT, "%nCommands sent %d, acknowledged %d; drag steps %d (%.2f per second); "
                    + "errors %d; refusals that raced the end of an edit %d.%n", commands, acked, dragSteps,
                    dragSteps / (double) options.seconds(), errors, raced));
            b.append(String.format(Locale.ROOT, "Server memory: resident %.0f MiB before, %.0f MiB after; JVM heap in use"
                    + " %.0f MiB before, %.0f MiB after.%n", rssBeforeMib, rssAfterMib, heapBeforeMib, heapAfterMib));
            if (!errorSamples.isEmpty()) {
                b.append("\nFirst errors:\n");
                errorSamples.forEach(e -> b.append("- ").append(e).append('\n'));
            }
            return b.toString();
        }

        private static void row(StringBuilder b, String name, List<Double> values) {
            b.append(String.format(Locale.ROOT, "| %s | %.1f | %.1f | %.1f | %.1f | %d |%n", name, Percentile.of(values, 50),
                    Percentile.of(values, 95), Percentile.of(values, 99), values.isEmpty() ? Double.NaN : Collections.max(values),
                    values.size()));
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    private LoadBenchmark() {}

    /** Runs the benchmark; progress lines go to {@code progress}. */
    public static Result run(Options o, Consumer<String> progress) throws Exception {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
        Run run = new Run(o, http);
        Map<String, Double> before = metrics(http, o.base());
        List<SessionRef> sessions = new ArrayList<>();
        for (int i = 0; i < o.sessions(); i++) {
            JsonNode c = run.post("api/sessions?scene=" + (o.seed() + i) + "&steps=" + o.steps() + "&reclora_steps="
                    + o.recLoraSteps());
            if (c == null) {
                throw new IllegalStateException("cannot create sessions: " + run.errorSamples);
            }
            SessionRef s = new SessionRef(c.get("id").asText(), c.get("editToken").asText());
            sessions.add(s);
            run.post("api/sessions/" + s.id + "/start?token=" + s.token);
        }
        progress.accept(o.sessions() + " sessions created and started; waiting until they all drag");
        awaitDragging(run, sessions, progress);
        progress.accept("connecting " + o.clients() + " clients");
        List<Client> clients = new ArrayList<>();
        for (int i = 0; i < o.clients(); i++) {
            clients.add(new Client(run, sessions.get(i % sessions.size()), i));
        }
        for (Client c : clients) {
            c.connect();
        }
        long end = System.nanoTime() + o.seconds() * 1_000_000_000L;
        long lastReport = System.nanoTime();
        Random random = new Random(o.seed());
        run.measuring = true;
        while (System.nanoTime() < end) {
            // each client acts about once a second, at random moments
            Client c = clients.get(random.nextInt(clients.size()));
            c.act(random);
            Thread.sleep(Math.max(1, 1000 / clients.size()));
            if (System.nanoTime() - lastReport > 10_000_000_000L) {
                lastReport = System.nanoTime();
                progress.accept(String.format(Locale.ROOT, "%d commands, %d acknowledged, %d drag steps, %d errors",
                        run.commands.get(), run.acked.get(), run.dragSteps.get(), run.errors.get()));
            }
        }
        run.measuring = false;
        Thread.sleep(2000); // the last acknowledgements arrive
        for (Client c : clients) {
            c.close();
        }
        for (SessionRef s : sessions) { // leave the device free (a finished edit answers 409: nothing to stop)
            run.http.send(HttpRequest.newBuilder(URI.create(o.base() + "api/sessions/" + s.id + "/cancel?token=" + s.token))
                    .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.discarding());
        }
        Map<String, Double> after = metrics(http, o.base());
        return new Result(o, run.commands.get(), run.acked.get(), new ArrayList<>(run.ackMs), new ArrayList<>(run.fanOutMs),
                run.dragSteps.get(), run.errors.get(), run.raced.get(), List.copyOf(run.errorSamples),
                mib(before, "process_resident_memory_bytes"), mib(after, "process_resident_memory_bytes"),
                mib(before, "draglora_jvm_heap_used_bytes"), mib(after, "draglora_jvm_heap_used_bytes"));
    }

    /** Waits (up to 10 minutes) until every session has prepared and drags, so the window measures editing. */
    private static void awaitDragging(Run run, List<SessionRef> sessions, Consumer<String> progress) throws Exception {
        long end = System.nanoTime() + Duration.ofMinutes(10).toNanos();
        while (System.nanoTime() < end) {
            int dragging = 0;
            for (SessionRef s : sessions) {
                HttpResponse<String> r = run.http.send(HttpRequest.newBuilder(URI.create(run.o.base() + "api/sessions/"
                        + s.id + "?token=" + s.token)).build(), HttpResponse.BodyHandlers.ofString());
                JsonNode st = JSON.readTree(r.body());
                if (st.path("status").asText().equals("dragging") && st.path("phase").asText().equals("DRAG")) {
                    dragging++;
                }
            }
            if (dragging == sessions.size()) {
                return;
            }
            Thread.sleep(500);
        }
        progress.accept("not every session drags after 10 minutes; measuring anyway");
    }

    private static double mib(Map<String, Double> m, String key) {
        return m.getOrDefault(key, Double.NaN) / (1024 * 1024);
    }

    /** The server's Prometheus metrics, by name. */
    static Map<String, Double> metrics(HttpClient http, String base) throws Exception {
        String text = http.send(HttpRequest.newBuilder(URI.create(base + "metrics")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        Map<String, Double> m = new ConcurrentHashMap<>();
        for (String line : text.split("\n")) {
            if (!line.startsWith("#") && line.contains(" ")) {
                String[] kv = line.split(" ");
                m.put(kv[0], Double.parseDouble(kv[1]));
            }
        }
        return m;
    }

    private record SessionRef(String id, String token) {}

    /** What all clients share: the counters and the HTTP client. */
    private static final class Run {
        final Options o;
        final HttpClient http;
        final AtomicLong commands = new AtomicLong();
        final AtomicLong acked = new AtomicLong();
        final AtomicLong dragSteps = new AtomicLong();
        final AtomicLong errors = new AtomicLong();
        final AtomicLong raced = new AtomicLong();
        final List<Double> ackMs = Collections.synchronizedList(new ArrayList<>());
        final List<Double> fanOutMs = Collections.synchronizedList(new ArrayList<>());
        final List<String> errorSamples = Collections.synchronizedList(new ArrayList<>());
        /** Send times of commands by request id, for the acknowledgement and the fan-out. */
        final Map<String, Long> sentAt = new ConcurrentHashMap<>();
        /** Send times by session and the revision the command produced, for the others' {@code edit} messages. */
        final Map<String, Long> sentAtRevision = new ConcurrentHashMap<>();
        volatile boolean measuring;

        Run(Options o, HttpClient http) {
            this.o = o;
            this.http = http;
        }

        JsonNode post(String path) {
            try {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(o.base() + path))
                        .POST(HttpRequest.BodyPublishers.noBody()).timeout(Duration.ofSeconds(60)).build(),
                        HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() / 100 != 2) {
                    error("POST " + path.replaceAll("token=[a-z0-9]+", "token=...") + ": " + r.statusCode() + " "
                            + r.body());
                    return null;
                }
                return JSON.readTree(r.body());
            } catch (Exception e) {
                error("POST " + path + ": " + e);
                return null;
            }
        }

        void error(String what) {
            errors.incrementAndGet();
            if (errorSamples.size() < 5) {
                errorSamples.add(what);
            }
        }
    }

    /** One WebSocket client of one session. */
    private static final class Client implements WebSocket.Listener {
        private final Run run;
        private final SessionRef session;
        private final int index;
        private final StringBuilder partial = new StringBuilder();
        private WebSocket socket;
        private volatile String status = "preparing";
        private volatile String handle; // point 0's handle as last seen, "[x,y]"
        private volatile String phase = "RECLORA";
        private volatile int requests;
        private volatile boolean closing;

        Client(Run run, SessionRef session, int index) {
            this.run = run;
            this.session = session;
            this.index = index;
        }

        void connect() throws Exception {
            String url = run.o.base().replaceFirst("^http", "ws") + "api/sessions/" + session.id + "/ws?token="
                    + session.token + "&name=load-" + index;
            socket = run.http.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(10))
                    .buildAsync(URI.create(url), this).get();
        }

        /** One action: a point move while the edit runs, a restart once it has ended, a pointer move. */
        void act(Random random) {
            String request = "c" + index + "-" + (requests++);
            boolean runs = (status.equals("dragging") || status.equals("preparing") || status.equals("ready"))
                    && !phase.equals("DENOISE") && !phase.equals("DECODE") && !phase.equals("DONE");
            String msg;
            if (runs && handle != null) {
                msg = "{\"type\":\"move_point\",\"request\":\"" + request + "\",\"id\":0,\"handle\":" + handle
                        + ",\"target\":[" + (8 + random.nextInt(48)) + "," + (8 + random.nextInt(48)) + "]}";
            } else if ((status.equals("finished") || status.equals("cancelled") || status.equals("failed"))
                    && index < run.o.sessions()) { // the session's first client restarts the ended edit
                msg = "{\"type\":\"restart\",\"request\":\"" + request + "\"}";
            } else {
                socket.sendText("{\"type\":\"cursor\",\"x\":" + random.nextInt(64) + ",\"y\":" + random.nextInt(64) + "}",
                        true).join();
                return;
            }
            run.commands.incrementAndGet();
            run.sentAt.put(request, System.nanoTime());
            socket.sendText(msg, true).join();
        }

        void close() {
            closing = true;
            socket.sendClose(WebSocket.NORMAL_CLOSURE, "done");
        }

        @Override
        public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                long now = System.nanoTime();
                try {
                    handle(JSON.readTree(partial.toString()), now);
                } catch (Exception e) {
                    run.error("client " + index + ": unreadable message: " + e.getMessage());
                }
                partial.setLength(0);
            }
            ws.request(1);
            return null;
        }

        private void handle(JsonNode m, long now) {
            String type = m.path("type").asText();
            switch (type) {
                case "welcome", "state" -> {
                    status = m.at("/state/status").asText();
                    phase = m.at("/state/phase").asText();
                    JsonNode h = m.at("/state/points/0/handle");
                    handle = h.isArray() ? h.toString() : handle;
                }
                case "step" -> {
                    status = m.path("status").asText();
                    phase = m.path("phase").asText();
                    JsonNode h = m.at("/step/points/0/handle");
                    handle = h.isArray() ? h.toString() : handle;
                    if (index < run.o.sessions() && run.measuring && m.at("/step/phase").asText().equals("DRAG")) {
                        run.dragSteps.incrementAndGet(); // counted by one client per session
                    }
                }
                case "ack" -> {
                    Long sent = run.sentAt.remove(m.path("request").asText());
                    if (sent != null) {
                        run.acked.incrementAndGet();
                        run.sentAtRevision.put(session.id + "@" + m.path("revision").asInt(), sent);
                        if (run.measuring) {
                            run.ackMs.add((now - sent) / 1e6);
                        }
                    }
                }
                case "edit" -> {
                    Long sent = run.sentAtRevision.get(session.id + "@" + m.path("revision").asInt());
                    if (sent != null && run.measuring) {
                        run.fanOutMs.add((now - sent) / 1e6);
                    }
                }
                case "error" -> {
                    String message = m.path("message").asText();
                    run.sentAt.remove(m.path("request").asText());
                    if (message.contains("has ended") || message.contains("is finished") || message.contains("cancelled")) {
                        run.raced.incrementAndGet();
                    } else {
                        run.error("client " + index + ": " + message);
                    }
                }
                case "failed" -> run.error("session " + session.id + " failed: " + m.path("message").asText());
                default -> { }
            }
        }

        @Override
        public CompletionStage<?> onClose(WebSocket ws, int statusCode, String reason) {
            if (!closing) {
                run.error("client " + index + ": the server closed the socket (" + statusCode + " " + reason + ")");
            }
            return null;
        }

        @Override
        public void onError(WebSocket ws, Throwable error) {
            if (!closing) {
                run.error("client " + index + ": " + error);
            }
        }
    }
}
