package org.draglora.http.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.draglora.engine.io.EditMask;
import org.draglora.engine.io.MaskImage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code kill -9} of a real {@code draglora serve} process in the middle of an edit, then a
 * restart on the same data directory: the session comes back with every change the server had
 * acknowledged (points added and moved, the mask), its tokens work, and the edit runs to its end.
 * And SIGTERM in the middle of a drag step: the process waits for the step, exits with 143 (no
 * libtorch crash on the way out, no session that journals a failed step), and the restarted server
 * finishes the edit.
 */
class CrashRecoveryTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient http = HttpClient.newHttpClient();

    @TempDir
    Path data;

    @Test
    void aKilledServerLosesNothingItAcknowledged() throws Exception {
        Path dir = data.resolve("data");
        Server first = Server.start(dir);
        Created session;
        JsonNode acknowledged;
        try {
            session = create(first.base, "scene=51&steps=60&reclora_steps=4");
            String token = session.token();
            String s = "api/sessions/" + session.id();
            assertEquals(201, send(first.base, "POST", s + "/points?token=" + token, "application/json",
                    "{\"handle\":[10,10],\"target\":[20,12]}".getBytes()).statusCode());
            boolean[] mask = new boolean[64 * 64];
            for (int i = 0; i < 64 * 40; i++) {
                mask[i] = true;
            }
            assertEquals(200, send(first.base, "PUT", s + "/mask?token=" + token, "image/png",
                    MaskImage.encodePng(new EditMask(64, 64, mask))).statusCode());
            assertEquals(200, send(first.base, "POST", s + "/start?token=" + token, null, null).statusCode());
            await(first.base, s + "?token=" + token, st -> st.get("dragSteps").asInt() >= 3, Duration.ofMinutes(2));
            // a change acknowledged mid-run, then the kill right after the acknowledgement
            HttpResponse<byte[]> moved = send(first.base, "PUT", s + "/points/1?token=" + token, "application/json",
                    "{\"handle\":[10,10],\"target\":[30,30]}".getBytes());
            assertEquals(200, moved.statusCode(), new String(moved.body()));
            acknowledged = JSON.readTree(moved.body());
        } finally {
            first.kill();
        }
        Server second = Server.start(dir);
        try {
            String s = "api/sessions/" + session.id();
            String token = session.token();
            JsonNode st = JSON.readTree(send(second.base, "GET", s + "?token=" + token, null, null).body());
            assertTrue(st.get("revision").asInt() >= acknowledged.get("revision").asInt(), st.toString());
            assertEquals(2, st.get("points").size(), st.toString());
            JsonNode p1 = st.get("points").get(1);
            assertEquals(30.0, p1.at("/target/0").asDouble(), "the move acknowledged before the kill is there");
            assertEquals(30.0, p1.at("/target/1").asDouble());
            assertTrue(!st.get("mask").isNull(), "the mask is there");
            assertEquals(40 * 64, MaskImage.decode(send(second.base, "GET", s + "/mask.png?token=" + token, null, null)
                    .body(), "mask", 1 << 20).count());
            JsonNode done = await(second.base, s + "?token=" + token, x -> x.get("status").asText().equals("finished"),
                    Duration.ofMinutes(3));
            assertTrue(done.get("result").asBoolean());
        } finally {
            second.kill();
        }
    }

    @Test
    void aServerStoppedMidStepExitsCleanlyAndTheEditGoesOn() throws Exception {
        Path dir = data.resolve("data");
        Server first = Server.start(dir);
        Created session;
        int stepsBefore;
        try {
            session = create(first.base, "scene=3&steps=30&reclora_steps=4");
            String s = "api/sessions/" + session.id() + "?token=" + session.token();
            assertEquals(200, send(first.base, "POST", "api/sessions/" + session.id() + "/start?token=" + session.token(),
                    null, null).statusCode());
            stepsBefore = await(first.base, s, st -> st.get("dragSteps").asInt() >= 2, Duration.ofMinutes(2))
                    .get("dragSteps").asInt();
        } finally {
            first.process.destroy(); // SIGTERM: the shutdown hooks run while the device thread is mid-step
        }
        assertTrue(first.process.waitFor(60, TimeUnit.SECONDS), "the server did not exit within 60 s of SIGTERM");
        List<String> out;
        synchronized (first.output) {
            out = List.copyOf(first.output);
        }
        assertEquals(143, first.process.exitValue(), "exit status after SIGTERM (134 is a crash): " + tail(out));
        for (String line : out) {
            assertTrue(!line.contains("SIGSEGV") && !line.contains("A fatal error"), "crashed on the way out: " + tail(out));
            assertTrue(!line.contains("a step failed"), "a session journaled a failure on the way out: " + line);
        }
        assertTrue(Files.notExists(Path.of("..").toAbsolutePath().normalize()
                .resolve("hs_err_pid" + first.process.pid() + ".log")), "the JVM wrote a crash log");
        Server second = Server.start(dir);
        try {
            String s = "api/sessions/" + session.id() + "?token=" + session.token();
            JsonNode st = JSON.readTree(send(second.base, "GET", s, null, null).body());
            assertTrue(st.get("failure").isNull(), st.toString());
            assertTrue(st.get("dragSteps").asInt() >= stepsBefore, st.toString());
            JsonNode done = await(second.base, s, x -> x.get("status").asText().equals("finished"), Duration.ofMinutes(3));
            assertTrue(done.get("result").asBoolean());
        } finally {
            second.kill();
        }
    }

    /** A created session: its id and edit token. */
    private record Created(String id, String token) {}

    /** Creates a session ({@code query}: the scene and the budgets). */
    private Created create(String base, String query) throws Exception {
        JsonNode created = JSON.readTree(send(base, "POST", "api/sessions?" + query, null, null).body());
        return new Created(created.get("id").asText(), created.get("editToken").asText());
    }

    private static String tail(List<String> lines) {
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
    }

    private HttpResponse<byte[]> send(String base, String method, String path, String type, byte[] body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(60));
        if (type != null) {
            b.header("Content-Type", type);
        }
        b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body));
        return http.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    private JsonNode await(String base, String path, Predicate<JsonNode> done, Duration timeout) throws Exception {
        long end = System.nanoTime() + timeout.toNanos();
        JsonNode st = null;
        while (System.nanoTime() < end) {
            st = JSON.readTree(send(base, "GET", path, null, null).body());
            if (done.test(st)) {
                return st;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("timed out; last state " + st);
    }

    /** A {@code draglora serve} child process (this test's class path) on a free port. */
    private record Server(Process process, String base, List<String> output) {

        static Server start(Path dataDir) throws Exception {
            Files.createDirectories(dataDir);
            String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            List<String> command = List.of(java, "-Xmx2g", "-cp", System.getProperty("java.class.path"),
                    "org.draglora.http.Main", "serve", "--port", "0", "--data", dataDir.toString());
            // the working directory is the http-api module; the embedded model is found from the repository root
            Process p = new ProcessBuilder(command).directory(Path.of("..").toAbsolutePath().normalize().toFile())
                    .redirectErrorStream(true).start();
            List<String> output = new ArrayList<>();
            CompletableFuture<String> url = new CompletableFuture<>();
            Thread reader = new Thread(() -> {
                try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                    String line;
                    while ((line = r.readLine()) != null) {
                        synchronized (output) {
                            output.add(line);
                        }
                        if (line.startsWith("draglora serving on ")) {
                            url.complete(line.substring("draglora serving on ".length()).trim());
                        }
                    }
                } catch (Exception e) {
                    url.completeExceptionally(e);
                }
                url.completeExceptionally(new IllegalStateException("the server exited: " + output));
            }, "serve-output");
            reader.setDaemon(true);
            reader.start();
            return new Server(p, url.get(2, TimeUnit.MINUTES), output);
        }

        /** SIGKILL: no shutdown hook, no flush, no goodbye. */
        void kill() throws InterruptedException {
            process.destroyForcibly();
            process.waitFor(30, TimeUnit.SECONDS);
        }
    }
}
