package org.draglora.http.sessions;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import org.draglora.engine.model.EmbeddedModel;
import org.draglora.engine.model.ModelPath;
import org.draglora.engine.runtime.DeviceKind;
import org.draglora.engine.runtime.EngineRuntime;
import org.draglora.engine.session.EditEngine;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Per-client limits and the WebSocket origin check on a real server with tight limits. */
class ClientLimitsTest {

    @TempDir
    Path data;

    @Test
    void oneClientCannotFloodTheApiOrOccupyTheDevice() throws Exception {
        try (EditEngine engine = EditEngine.load(ModelPath.of(EmbeddedModel.require()), EngineRuntime.start(DeviceKind.CPU),
                data.resolve("cache"));
                LiveServer server = LiveServer.start(engine, data.resolve("server"), "draglora.limits { "
                        + "requests-per-second = 2, burst = 4, running-sessions-per-client = 1 }\n"
                        + "draglora.server.allowed-origins = [\"https://friend.example\"]")) {
            LiveServer.Session s = server.scene(31, 5, 30);
            // a second edit while the first prepares: refused, the device is this client's share
            HttpResponse<byte[]> second = server.send("POST", "api/sessions?scene=32", null, null);
            assertEquals(429, second.statusCode(), new String(second.body()));
            assertTrue(LiveServer.json(second).get("error").asText().contains("running-sessions-per-client"));

            // reads are free; changes are rate-limited with Retry-After
            for (int i = 0; i < 20; i++) {
                assertEquals(200, server.get(s.path("")).statusCode());
            }
            int limited = 0;
            String retryAfter = null;
            for (int i = 0; i < 12; i++) {
                HttpResponse<byte[]> r = server.postJson(s.path("/points"), "{\"handle\":[5,5],\"target\":[9," + i + "]}");
                if (r.statusCode() == 429) {
                    limited++;
                    retryAfter = r.headers().firstValue("Retry-After").orElse(null);
                } else {
                    assertEquals(201, r.statusCode(), new String(r.body()));
                }
            }
            assertTrue(limited >= 6, "at most the burst and the refill got through; limited " + limited);
            assertEquals("1", retryAfter);
            Thread.sleep(1500); // the bucket refills
            assertEquals(201, server.postJson(s.path("/points"), "{\"handle\":[6,6],\"target\":[9,9]}").statusCode());

            // WebSockets: other sites' pages are refused, the server's own pages and allowed origins pass
            int port = server.server.address().getPort();
            String path = "/" + s.path("/ws");
            assertEquals(403, upgrade(port, path, "http://evil.example"));
            assertEquals(101, upgrade(port, path, "http://127.0.0.1:" + port));
            assertEquals(101, upgrade(port, path, "https://friend.example"));
            assertEquals(101, upgrade(port, path, null));

            server.awaitState(s, st -> !st.get("status").asText().equals("preparing"), Duration.ofMinutes(2));
            assertEquals(201, server.send("POST", "api/sessions?scene=33", null, null).statusCode(),
                    "once the first edit stopped running, the client may run another");
        }
    }

    /** The status code of a WebSocket upgrade request with {@code origin} (or none). */
    private static int upgrade(int port, String path, String origin) throws Exception {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(10_000);
            String request = "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\nUpgrade: websocket\r\n"
                    + "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
                    + (origin == null ? "" : "Origin: " + origin + "\r\n") + "\r\n";
            OutputStream out = socket.getOutputStream();
            out.write(request.getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            StringBuilder line = new StringBuilder();
            int c;
            while ((c = in.read()) != -1 && c != '\n') {
                line.append((char) c);
            }
            return Integer.parseInt(line.toString().split(" ")[1]);
        }
    }
}
