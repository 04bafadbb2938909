package org.draglora.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import org.draglora.config.ServerSettings;
import org.draglora.config.Settings;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The real server bound on 127.0.0.1, port 0, queried with the JDK HTTP client. */
class HttpServerTest {

    private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private static HttpServer server;

    @BeforeAll
    static void start() {
        server = HttpServer.start(Settings.loadConfig(), new ServerSettings("127.0.0.1", 0, Path.of("unused")));
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void bindsAnEphemeralPortAndReportsIt() {
        assertNotEquals(0, server.address().getPort());
        assertEquals("http://127.0.0.1:" + server.address().getPort() + "/", server.url());
    }

    @Test
    void healthIsOkJson() throws Exception {
        HttpResponse<String> response = get("/api/health");

        assertEquals(200, response.statusCode());
        assertTrue(contentType(response).startsWith("application/json"), contentType(response));
        JsonNode body = new ObjectMapper().readTree(response.body());
        assertEquals("ok", body.get("status").asText());
        assertEquals(Version.current(), body.get("version").asText());
    }

    @Test
    void versionIsJson() throws Exception {
        HttpResponse<String> response = get("/api/version");

        assertEquals(200, response.statusCode());
        JsonNode body = new ObjectMapper().readTree(response.body());
        assertEquals("draglora", body.get("name").asText());
        assertEquals(Version.current(), body.get("version").asText());
    }

    @Test
    void rootServesTheWebUiIndex() throws Exception {
        HttpResponse<String> response = get("/");

        assertEquals(200, response.statusCode());
        assertTrue(contentType(response).startsWith("text/html"), contentType(response));
        assertTrue(response.body().contains("<title>draglora</title>"), response.body());
        assertTrue(response.body().contains("js/app.js"), response.body());
    }

    @Test
    void staticAssetsHaveTheirContentTypes() throws Exception {
        HttpResponse<String> script = get("/js/app.js");
        HttpResponse<String> style = get("/css/app.css");

        assertEquals(200, script.statusCode());
        // browsers refuse ES modules served without a JavaScript MIME type
        assertTrue(contentType(script).startsWith("application/javascript"), contentType(script));
        assertTrue(script.body().contains("import "), "the editor is ES modules: " + script.body());
        assertEquals(200, style.statusCode());
        assertTrue(contentType(style).startsWith("text/css"), contentType(style));
    }

    @Test
    void unknownPathsAre404() throws Exception {
        assertEquals(404, get("/no-such-file.txt").statusCode());
        assertEquals(404, get("/api/no-such-endpoint").statusCode());
    }

    @Test
    void bindFailureIsOneClearLine() throws IOException {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            ServerSettings settings = new ServerSettings("127.0.0.1", taken.getLocalPort(), Path.of("unused"));

            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> HttpServer.start(Settings.loadConfig(), settings));

            assertEquals("cannot bind 127.0.0.1:" + taken.getLocalPort() + ": Address already in use", e.getMessage());
        }
    }

    private static HttpResponse<String> get(String path) throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.address().getPort() + path))
                .timeout(Duration.ofSeconds(10))
                .GET()
                .build();
        return CLIENT.send(request, HttpResponse.BodyHandlers.ofString());
    }

    private static String contentType(HttpResponse<?> response) {
        return response.headers().firstValue("content-type").orElse("");
    }
}
