package org.draglora.http.sessions;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.draglora.engine.io.EditMask;
import org.draglora.engine.io.ImageTensors;
import org.draglora.engine.io.MaskImage;
import org.draglora.engine.io.RgbImage;
import org.junit.jupiter.api.Test;

/**
 * A corpus of bad requests against a real server: each gets the right 4xx status and a JSON error
 * that says what is wrong, and none of them disturbs the server or a session that is dragging
 * meanwhile.
 */
class BadRequestCorpusTest extends LiveServerTest {

    /** One bad request: what it sends and what must come back. */
    record Case(String name, String method, String path, String contentType, byte[] body, int status, String errorPart) {}

    private static Case json(String name, String method, String path, String body, int status, String errorPart) {
        return new Case(name, method, path, "application/json", body == null ? null : body.getBytes(StandardCharsets.UTF_8),
                status, errorPart);
    }

    private static Case raw(String name, String method, String path, String type, byte[] body, int status,
            String errorPart) {
        return new Case(name, method, path, type, body, status, errorPart);
    }

    @Test
    void everyBadRequestIsAnsweredAndNothingElseIsDisturbed() throws Exception {
        LiveServer.Session bystander = server.scene(41, 40, 4);
        assertEquals(200, server.send("POST", bystander.path("/start"), null, null).statusCode());
        LiveServer.Session s = server.scene(42, 10, 2);
        LiveServer.Session fresh = server.scene(43, 10, 2);
        byte[] png64 = ImageTensors.encodePng(RgbImage.filled(64, 64, 10, 20, 30));

        List<Case> cases = new ArrayList<>();
        // creating sessions
        cases.add(raw("empty upload", "POST", "api/sessions", "image/png", new byte[0], 400, "send the image"));
        cases.add(raw("not an image", "POST", "api/sessions", "image/png", "hello".getBytes(), 400, "upload"));
        cases.add(raw("truncated PNG", "POST", "api/sessions", "image/png", Arrays.copyOf(png64, 60), 400, "upload"));
        cases.add(raw("decompression bomb", "POST", "api/sessions", "image/png", bombPng(100_000, 100_000), 400,
                "pixels"));
        cases.add(raw("sides not multiples of 8", "POST", "api/sessions", "image/png",
                ImageTensors.encodePng(RgbImage.filled(60, 64, 1, 2, 3)), 400, "?fit=crop"));
        cases.add(raw("unknown fit", "POST", "api/sessions?fit=stretch", "image/png", png64, 400, "'fit'"));
        cases.add(raw("too large for the model", "POST", "api/sessions", "image/png",
                ImageTensors.encodePng(RgbImage.filled(256, 256, 1, 2, 3)), 400, "at most 128x128"));
        cases.add(raw("scene not a number", "POST", "api/sessions?scene=abc", null, null, 400, "'scene'"));
        cases.add(raw("zero steps", "POST", "api/sessions?scene=1&steps=0", null, null, 400, "'steps'"));
        cases.add(raw("too many steps", "POST", "api/sessions?scene=1&steps=100000", null, null, 400, "'steps'"));
        cases.add(raw("negative RecLoRA steps", "POST", "api/sessions?scene=1&reclora_steps=-1", null, null, 400,
                "'reclora_steps'"));
        cases.add(raw("unknown method", "POST", "api/sessions?scene=1&method=magic", null, null, 400, "magic"));
        cases.add(raw("seed not a number", "POST", "api/sessions?seed=xyz", "image/png", png64, 400, "'seed'"));
        cases.add(raw("import junk", "POST", "api/sessions/import", "application/zip", "junk".getBytes(), 400,
                "not a session bundle"));
        cases.add(raw("import without session.json", "POST", "api/sessions/import", "application/zip",
                zip("readme.txt", "hi".getBytes()), 400, "session.json"));
        cases.add(raw("import of another format", "POST", "api/sessions/import", "application/zip",
                zip("session.json", "{\"format\":\"other\",\"version\":1}".getBytes()), 400, "draglora-session"));
        cases.add(raw("import with a forged blob", "POST", "api/sessions/import", "application/zip",
                zip("blobs/00ff", "x".getBytes()), 400, "hash"));
        cases.add(raw("import with a broken history", "POST", "api/sessions/import", "application/zip",
                zip("session.json", ("{\"format\":\"draglora-session\",\"version\":1,\"events\":[{\"type\":\"started\","
                        + "\"revision\":1}]}").getBytes()), 400, "opened"));
        // who may do what
        cases.add(json("unknown session", "GET", "api/sessions/zzzzzzzzzzzzzzzz?token=" + s.edit(), null, 404, "no session"));
        cases.add(json("path traversal as id", "GET", "api/sessions/..%2F..%2Fetc?token=" + s.edit(), null, 404, ""));
        cases.add(json("no token", "GET", "api/sessions/" + s.id(), null, 401, "token"));
        cases.add(json("wrong token", "GET", "api/sessions/" + s.id() + "?token=wrong", null, 401, "token"));
        cases.add(json("the edit token of another session", "GET", "api/sessions/" + s.id() + "?token=" + fresh.edit(),
                null, 401, "token"));
        cases.add(json("view token adds a point", "POST", s.path("/points", false),
                "{\"handle\":[1,1],\"target\":[2,2]}", 403, "view"));
        cases.add(raw("view token sets the mask", "PUT", s.path("/mask", false), "image/png",
                MaskImage.encodePng(EditMask.full(64, 64)), 403, "view"));
        cases.add(json("view token removes a point", "DELETE", s.path("/points/0", false), null, 403, "view"));
        cases.add(json("view token starts", "POST", s.path("/start", false), null, 403, "view"));
        cases.add(json("view token sets the prompt", "PUT", s.path("/prompt", false), "{\"prompt\":\"x\"}", 403,
                "view"));
        // points
        cases.add(json("point body not JSON", "POST", s.path("/points"), "{{", 400, "JSON"));
        cases.add(json("point body an array", "POST", s.path("/points"), "[1,2]", 400, "object"));
        cases.add(json("point without target", "POST", s.path("/points"), "{\"handle\":[1,1]}", 400, "'target'"));
        cases.add(json("point with one coordinate", "POST", s.path("/points"), "{\"handle\":[1],\"target\":[2,2]}",
                400, "'handle'"));
        cases.add(json("point coordinates as text", "POST", s.path("/points"),
                "{\"handle\":[\"a\",\"b\"],\"target\":[2,2]}", 400, "'handle'"));
        cases.add(json("NaN coordinate", "POST", s.path("/points"), "{\"handle\":[NaN,1],\"target\":[2,2]}", 400,
                "JSON"));
        cases.add(json("point right of the image", "POST", s.path("/points"), "{\"handle\":[64,10],\"target\":[2,2]}",
                400, "outside"));
        cases.add(json("negative point", "POST", s.path("/points"), "{\"handle\":[-1,5],\"target\":[2,2]}", 400,
                "outside"));
        cases.add(json("huge point", "POST", s.path("/points"), "{\"handle\":[1e308,5],\"target\":[2,2]}", 400,
                "outside"));
        cases.add(json("move an unknown point", "PUT", s.path("/points/999"), "{\"handle\":[1,1],\"target\":[2,2]}",
                409, "no point"));
        cases.add(json("remove an unknown point", "DELETE", s.path("/points/999"), null, 409, "no point"));
        cases.add(json("point id not a number", "PUT", s.path("/points/abc"), "{\"handle\":[1,1],\"target\":[2,2]}",
                404, ""));
        // mask and prompt
        cases.add(raw("mask not a PNG", "PUT", s.path("/mask"), "image/png", "nope".getBytes(), 400, "mask"));
        cases.add(raw("mask of the wrong size", "PUT", s.path("/mask"), "image/png",
                MaskImage.encodePng(EditMask.full(32, 64)), 400, "32x64"));
        cases.add(raw("empty mask body", "PUT", s.path("/mask"), "image/png", new byte[0], 400, "mask"));
        cases.add(json("prompt not a string", "PUT", s.path("/prompt"), "{\"prompt\":5}", 400, "'prompt'"));
        cases.add(json("prompt body not JSON", "PUT", s.path("/prompt"), "prompt", 400, "JSON"));
        // actions and downloads
        cases.add(json("resume what is not paused", "POST", s.path("/resume"), null, 409, "not paused"));
        cases.add(json("unknown action", "POST", s.path("/explode"), null, 404, "explode"));
        cases.add(json("undo with nothing to undo", "POST", fresh.path("/undo"), null, 409, "nothing to undo"));
        cases.add(json("result before the end", "GET", s.path("/result.png"), null, 409, "finished"));
        cases.add(json("LoRA before the end", "GET", s.path("/lora.safetensors"), null, 409, "finished"));
        cases.add(json("frame name not a number", "GET", s.path("/frames/abc.png"), null, 404, "N.png"));
        cases.add(json("frame beyond the timeline", "GET", s.path("/frames/99999.png"), null, 404, "timeline"));
        cases.add(json("unknown API route", "GET", "api/nothing-here", null, 404, ""));
        cases.add(json("wrong method", "DELETE", "api/health", null, 405, ""));

        List<String> failures = new ArrayList<>();
        String oversized = oversizedUploadAnswer();
        if (!oversized.startsWith("HTTP/1.1 413") || !oversized.contains("\"error\"")) {
            failures.add("oversized upload: expected 413 with a JSON error before the body is read, got " + oversized);
        }
        for (Case c : cases) {
            HttpResponse<byte[]> r = server.send(c.method(), c.path(), c.body(), c.contentType());
            String body = new String(r.body(), StandardCharsets.UTF_8);
            String error;
            try {
                JsonNode j = LiveServer.JSON.readTree(body);
                error = j.path("error").asText(null);
            } catch (Exception e) {
                error = null;
            }
            if (r.statusCode() != c.status() || error == null || error.isBlank() || !error.contains(c.errorPart())) {
                failures.add(c.name() + ": expected " + c.status() + " with an error containing '" + c.errorPart()
                        + "', got " + r.statusCode() + " " + body);
            }
        }
        // too many points: 32 fit, the 33rd is refused
        for (int i = 0; i < 31; i++) {
            assertEquals(201, server.postJson(fresh.path("/points"), "{\"handle\":[" + i + ",1],\"target\":[" + i
                    + ",9]}").statusCode());
        }
        HttpResponse<byte[]> tooMany = server.postJson(fresh.path("/points"), "{\"handle\":[40,1],\"target\":[40,9]}");
        if (tooMany.statusCode() != 409 || !new String(tooMany.body()).contains("at most 32")) {
            failures.add("33rd point: " + tooMany.statusCode() + " " + new String(tooMany.body()));
        }
        // malformed WebSocket frames are answered, the socket stays open
        try (WsClient ws = new WsClient(server.base.replace("http://", "ws://") + s.path("/ws") + "&name=fuzz")) {
            ws.await("welcome", Duration.ofSeconds(10));
            ws.send("{{");
            ws.send("[]");
            ws.send("{\"type\":5}");
            ws.send("{\"type\":\"set_mask\",\"request\":\"m\",\"png\":\"%%%\"}");
            ws.send("{\"type\":\"move_point\",\"request\":\"p\",\"id\":\"zero\"}");
            ws.await(m -> m.path("request").asText().equals("p") && m.path("type").asText().equals("error"),
                    Duration.ofSeconds(10));
            long errors = ws.all().stream().filter(m -> m.path("type").asText().equals("error")).count();
            assertEquals(5, errors, ws.all().toString());
            ws.send("{\"type\":\"add_point\",\"request\":\"ok\",\"handle\":[3,3],\"target\":[7,7]}");
            ws.await(m -> m.path("request").asText().equals("ok") && m.path("type").asText().equals("ack"),
                    Duration.ofSeconds(10));
        }
        assertTrue(failures.isEmpty(), failures.size() + " of " + cases.size() + " cases wrong:\n"
                + String.join("\n", failures));
        assertTrue(cases.size() >= 50, "the corpus has " + cases.size() + " cases");

        // the server and the session dragging meanwhile are unaffected
        assertEquals(200, server.get("api/health").statusCode());
        JsonNode done = server.awaitState(bystander, st -> st.get("status").asText().equals("finished"),
                Duration.ofMinutes(3));
        assertTrue(done.get("dragSteps").asInt() >= 1);
        assertEquals(200, server.get(bystander.path("/result.png")).statusCode());
    }

    /** A valid PNG header declaring {@code w x h} pixels, with a tiny (and short) image data chunk. */
    private static byte[] bombPng(int w, int h) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'});
        ByteBuffer ihdr = ByteBuffer.allocate(13).putInt(w).putInt(h).put((byte) 8).put((byte) 2).put((byte) 0)
                .put((byte) 0).put((byte) 0);
        chunk(out, "IHDR", ihdr.array());
        chunk(out, "IDAT", new byte[] {0x78, (byte) 0x9c, 0x03, 0x00});
        chunk(out, "IEND", new byte[0]);
        return out.toByteArray();
    }

    private static void chunk(ByteArrayOutputStream out, String type, byte[] data) {
        out.writeBytes(ByteBuffer.allocate(4).putInt(data.length).array());
        byte[] t = type.getBytes(StandardCharsets.US_ASCII);
        out.writeBytes(t);
        out.writeBytes(data);
        CRC32 crc = new CRC32();
        crc.update(t);
        crc.update(data);
        out.writeBytes(ByteBuffer.allocate(4).putInt((int) crc.getValue()).array());
    }

    private static byte[] zip(String name, byte[] content) throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipOutputStream z = new ZipOutputStream(bytes)) {
            z.putNextEntry(new ZipEntry(name));
            z.write(content);
            z.closeEntry();
        }
        return bytes.toByteArray();
    }

    /**
     * Announces a 65 MiB upload (the limit is 64 MiB), sends only its first 64 KiB and reads the
     * answer (status line, headers, body): the server must refuse on the declared length, without
     * reading the body. A raw socket, because the server closes the connection with its 413 and an
     * HTTP client still writing the body may see the closed pipe instead of the answer.
     */
    private String oversizedUploadAnswer() throws java.io.IOException {
        java.net.URI uri = java.net.URI.create(server.base);
        try (java.net.Socket socket = new java.net.Socket(uri.getHost(), uri.getPort())) {
            socket.setSoTimeout(30_000);
            java.io.OutputStream out = socket.getOutputStream();
            out.write(("POST /api/sessions HTTP/1.1\r\nHost: " + uri.getHost() + "\r\nContent-Type: image/png\r\n"
                    + "Content-Length: " + 65L * 1024 * 1024 + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.write(new byte[64 * 1024]);
            out.flush();
            java.io.BufferedReader in = new java.io.BufferedReader(new java.io.InputStreamReader(socket.getInputStream(),
                    StandardCharsets.UTF_8));
            StringBuilder answer = new StringBuilder();
            int length = 0;
            for (String line = in.readLine(); line != null && !line.isEmpty(); line = in.readLine()) {
                answer.append(line).append('\n');
                if (line.toLowerCase(java.util.Locale.ROOT).startsWith("content-length:")) {
                    length = Integer.parseInt(line.substring("content-length:".length()).trim());
                }
            }
            char[] body = new char[length]; // the JSON error is ASCII: characters = bytes
            int read = 0;
            for (int n; read < length && (n = in.read(body, read, length - read)) > 0; ) {
                read += n;
            }
            return answer.isEmpty() ? "(connection closed without an answer)" : answer + new String(body, 0, read);
        }
    }
}
