package org.draglora.http.sessions;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.function.Predicate;

/** A WebSocket test client (the JDK's): records every JSON message the server sends. */
final class WsClient implements AutoCloseable {

    private final List<JsonNode> received = new ArrayList<>();
    private final WebSocket socket;
    private volatile boolean closed;

    WsClient(String url) throws Exception {
        StringBuilder partial = new StringBuilder();
        socket = HttpClient.newHttpClient().newWebSocketBuilder().buildAsync(URI.create(url), new WebSocket.Listener() {
            @Override
            public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
                partial.append(data);
                if (last) {
                    try {
                        JsonNode m = LiveServer.JSON.readTree(partial.toString());
                        synchronized (received) {
                            received.add(m);
                            received.notifyAll();
                        }
                    } catch (Exception e) {
                        throw new IllegalStateException("not JSON: " + partial, e);
                    }
                    partial.setLength(0);
                }
                ws.request(1);
                return null;
            }

            @Override
            public CompletionStage<?> onClose(WebSocket ws, int statusCode, String reason) {
                closed = true;
                return null;
            }
        }).get();
    }

    void send(String json) {
        socket.sendText(json, true).join();
    }

    /** The first message (from the start) that matches, waiting up to {@code timeout}. */
    JsonNode await(Predicate<JsonNode> p, Duration timeout) throws InterruptedException {
        long end = System.nanoTime() + timeout.toNanos();
        synchronized (received) {
            while (true) {
                for (JsonNode m : received) {
                    if (p.test(m)) {
                        return m;
                    }
                }
                long left = end - System.nanoTime();
                if (left <= 0) {
                    throw new AssertionError("no matching message within " + timeout + "; got " + received);
                }
                received.wait(Math.max(1, left / 1_000_000));
            }
        }
    }

    JsonNode await(String type, Duration timeout) throws InterruptedException {
        return await(m -> type.equals(m.path("type").asText()), timeout);
    }

    List<JsonNode> all() {
        synchronized (received) {
            return List.copyOf(received);
        }
    }

    boolean closed() {
        return closed;
    }

    @Override
    public void close() {
        socket.sendClose(WebSocket.NORMAL_CLOSURE, "bye");
    }

    static Duration seconds(long s) {
        return Duration.ofSeconds(s);
    }
}
