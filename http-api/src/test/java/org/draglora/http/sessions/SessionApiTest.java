package org.draglora.http.sessions;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayInputStream;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import org.draglora.engine.io.DragBenchReader;
import org.draglora.engine.io.DragSample;
import org.draglora.engine.io.EditMask;
import org.draglora.engine.io.ImageTensors;
import org.draglora.engine.io.MaskImage;
import org.draglora.engine.io.RgbImage;
import org.draglora.engine.shapes.DragKind;
import org.draglora.engine.shapes.DragTaskGenerator;
import org.junit.jupiter.api.Test;

/** The session REST API against a real server (embedded model, H2 journal) on a free port. */
class SessionApiTest extends LiveServerTest {

    @Test
    void tokensGateEverySessionRoute() throws Exception {
        LiveServer.Session s = server.scene(11, 10, 2);
        assertEquals(401, server.get("api/sessions/" + s.id()).statusCode());
        HttpResponse<byte[]> wrong = server.get("api/sessions/" + s.id() + "?token=nope");
        assertEquals(401, wrong.statusCode());
        assertTrue(LiveServer.json(wrong).get("error").asText().contains("token"));
        assertEquals(404, server.get("api/sessions/aaaaaaaaaaaaaaaa?token=" + s.edit()).statusCode());
        // the view token reads but does not change; editors are told it, viewers are not told the edit token
        HttpResponse<byte[]> asViewer = server.get(s.path("", false));
        assertEquals(200, asViewer.statusCode());
        assertFalse(LiveServer.json(asViewer).has("viewToken"));
        assertFalse(new String(asViewer.body(), StandardCharsets.UTF_8).contains(s.edit()));
        assertEquals(s.view(), LiveServer.json(server.get(s.path(""))).get("viewToken").asText());
        HttpResponse<byte[]> viewAdd = server.postJson(s.path("/points", false), "{\"handle\":[5,5],\"target\":[9,9]}");
        assertEquals(403, viewAdd.statusCode());
        assertEquals(403, server.send("POST", s.path("/start", false), null, null).statusCode());
        // the bearer header works as the query parameter does
        HttpResponse<byte[]> bearer = server.http.send(java.net.http.HttpRequest.newBuilder(
                java.net.URI.create(server.base + "api/sessions/" + s.id())).header("Authorization", "Bearer " + s.edit())
                .build(), HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(200, bearer.statusCode());
        assertEquals(s.id(), LiveServer.json(bearer).get("id").asText());
    }

    @Test
    void uploadsAreCheckedAndBecomeSessions() throws Exception {
        RgbImage image = DragTaskGenerator.generate(5, 64, 48, DragKind.MOVE_ONE).image();
        HttpResponse<byte[]> ok = server.send("POST", "api/sessions?prompt=a%20disc&steps=5&reclora_steps=1&seed=7",
                ImageTensors.encodePng(image), "image/png");
        assertEquals(201, ok.statusCode(), new String(ok.body()));
        JsonNode c = LiveServer.json(ok);
        assertEquals(64, c.at("/state/width").asInt());
        assertEquals(48, c.at("/state/height").asInt());
        assertEquals("a disc", c.at("/state/prompt").asText());
        assertEquals(7, c.at("/state/seed").asLong());
        assertTrue(c.get("editUrl").asText().endsWith("?session=" + c.get("id").asText() + "&token="
                + c.get("editToken").asText()));
        assertNotEquals(c.get("editToken").asText(), c.get("viewToken").asText());
        // the stored image comes back pixel for pixel
        HttpResponse<byte[]> back = server.get("api/sessions/" + c.get("id").asText() + "/image.png?token="
                + c.get("viewToken").asText());
        assertEquals(image, ImageTensors.decode(back.body(), "back", 1 << 20));

        HttpResponse<byte[]> notImage = server.send("POST", "api/sessions", "hello".getBytes(), "image/png");
        assertEquals(400, notImage.statusCode());
        assertFalse(LiveServer.json(notImage).get("error").asText().isBlank());
        HttpResponse<byte[]> odd = server.send("POST", "api/sessions", ImageTensors.encodePng(RgbImage.filled(60, 64, 1,
                2, 3)), "image/png");
        assertEquals(400, odd.statusCode());
        assertTrue(LiveServer.json(odd).get("error").asText().contains("multiples of 8"));
        HttpResponse<byte[]> big = server.send("POST", "api/sessions", ImageTensors.encodePng(RgbImage.filled(512, 512, 1,
                2, 3)), "image/png");
        assertEquals(400, big.statusCode(), "the embedded model would need > 20 GB for 512 pixels");
        assertTrue(LiveServer.json(big).get("error").asText().contains("at most 128x128"), new String(big.body()));
        HttpResponse<byte[]> method = server.send("POST", "api/sessions?scene=1&method=magic", null, null);
        assertEquals(400, method.statusCode());
        assertEquals(400, server.send("POST", "api/sessions?scene=1&steps=0", null, null).statusCode());
    }

    @Test
    void pointsAndMaskEditsAreValidatedAndCarryRevisions() throws Exception {
        LiveServer.Session s = server.scene(12, 10, 2);
        HttpResponse<byte[]> add = server.postJson(s.path("/points"), "{\"handle\":[10,12],\"target\":[20,22]}");
        assertEquals(201, add.statusCode(), new String(add.body()));
        int id = LiveServer.json(add).get("point").asInt();
        int rev = LiveServer.json(add).get("revision").asInt();
        HttpResponse<byte[]> move = server.putJson(s.path("/points/" + id), "{\"handle\":[11,12],\"target\":[30,40]}");
        assertEquals(200, move.statusCode(), new String(move.body()));
        assertTrue(LiveServer.json(move).get("revision").asInt() > rev);
        JsonNode st = LiveServer.json(server.get(s.path("")));
        JsonNode moved = null;
        for (JsonNode p : st.get("points")) {
            if (p.get("id").asInt() == id) {
                moved = p;
            }
        }
        assertEquals(30.0, moved.at("/target/0").asDouble());
        assertEquals(11.0, moved.at("/start/0").asDouble());
        assertTrue(st.get("canUndo").asBoolean());

        assertEquals(400, server.postJson(s.path("/points"), "{\"handle\":[64,1],\"target\":[2,2]}").statusCode());
        assertEquals(400, server.postJson(s.path("/points"), "{\"handle\":[1],\"target\":[2,2]}").statusCode());
        assertEquals(400, server.postJson(s.path("/points"), "not json").statusCode());
        assertEquals(409, server.putJson(s.path("/points/99"), "{\"handle\":[1,1],\"target\":[2,2]}").statusCode());
        assertEquals(200, server.send("DELETE", s.path("/points/" + id), null, null).statusCode());
        assertEquals(200, server.send("POST", s.path("/undo"), null, null).statusCode());
        assertEquals(2, LiveServer.json(server.get(s.path(""))).get("points").size(), "undo brought the point back");

        EditMask mask = EditMask.empty(64, 64);
        boolean[] m = mask.editable();
        for (int i = 0; i < 64 * 20; i++) {
            m[i] = true;
        }
        byte[] png = MaskImage.encodePng(new EditMask(64, 64, m));
        HttpResponse<byte[]> put = server.send("PUT", s.path("/mask"), png, "image/png");
        assertEquals(200, put.statusCode(), new String(put.body()));
        EditMask back = MaskImage.decode(server.get(s.path("/mask.png")).body(), "mask", 1 << 20);
        assertEquals(64 * 20, back.count());
        HttpResponse<byte[]> wrongSize = server.send("PUT", s.path("/mask"), MaskImage.encodePng(EditMask.full(32, 32)),
                "image/png");
        assertEquals(400, wrongSize.statusCode());
        assertTrue(LiveServer.json(wrongSize).get("error").asText().contains("32x32"));
        assertEquals(200, server.send("DELETE", s.path("/mask"), null, null).statusCode());
        assertEquals(404, server.get(s.path("/mask.png")).statusCode());
        assertEquals(404, server.send("POST", s.path("/explode"), null, null).statusCode());
    }

    @Test
    void aFinishedEditServesResultLoraFramesBundleAndImportsAgain() throws Exception {
        LiveServer.Session s = server.scene(13, 8, 2);
        assertEquals(409, server.get(s.path("/result.png")).statusCode(), "no result before the edit finished");
        assertEquals(409, server.get(s.path("/lora.safetensors")).statusCode());
        assertEquals(200, server.send("POST", s.path("/start"), null, null).statusCode());
        JsonNode done = server.awaitState(s, st -> st.get("status").asText().equals("finished"), Duration.ofMinutes(3));
        assertTrue(done.get("result").asBoolean());
        assertTrue(done.get("dragSteps").asInt() >= 1);

        RgbImage result = ImageTensors.decode(server.get(s.path("/result.png")).body(), "result", 1 << 20);
        assertEquals(64, result.width());

        byte[] lora = server.get(s.path("/lora.safetensors")).body();
        long headerLength = ByteBuffer.wrap(lora, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        JsonNode header = LiveServer.JSON.readTree(new String(lora, 8, (int) headerLength, StandardCharsets.UTF_8));
        List<String> keys = new ArrayList<>();
        header.fieldNames().forEachRemaining(keys::add);
        assertTrue(keys.stream().anyMatch(k -> k.endsWith(".lora_A.weight")), keys.toString());
        assertTrue(keys.stream().anyMatch(k -> k.endsWith(".lora_B.weight")));

        JsonNode timeline = LiveServer.json(server.get(s.path("/timeline")));
        assertEquals(done.get("steps").asInt(), timeline.get("steps").size());
        int dragFrame = -1;
        for (JsonNode st : timeline.get("steps")) {
            if (st.get("phase").asText().equals("DRAG") && st.get("frame").asBoolean()) {
                dragFrame = st.get("n").asInt();
                break;
            }
        }
        assertTrue(dragFrame >= 0, "drag steps have preview frames");
        RgbImage frame = ImageTensors.decode(server.get(s.path("/frames/" + dragFrame + ".png")).body(), "f", 1 << 20);
        assertEquals(16, frame.width(), "a drag preview is the latent's size (64 / 4)");
        assertEquals(404, server.get(s.path("/frames/0.png")).statusCode(), "RecLoRA steps have no frame");
        assertEquals(404, server.get(s.path("/frames/100000.png")).statusCode());

        byte[] zip = server.get(s.path("/bundle.zip", false)).body();
        Map<String, byte[]> entries = unzip(zip);
        assertTrue(entries.containsKey("session.json"));
        assertTrue(entries.containsKey("result.png"));
        Path sample = data.resolve("sample-" + s.id());
        Files.createDirectories(sample);
        Files.write(sample.resolve(DragBenchReader.IMAGE_FILE), entries.get(DragBenchReader.IMAGE_FILE));
        Files.write(sample.resolve(DragBenchReader.META_FILE), entries.get(DragBenchReader.META_FILE));
        DragSample read = DragBenchReader.read(sample);
        assertEquals(done.get("prompt").asText(), read.prompt());
        assertEquals(1, read.points().size());
        assertEquals(done.at("/points/0/target/0").asDouble(), read.points().get(0).targetX(), 1e-9);

        HttpResponse<byte[]> imported = server.send("POST", "api/sessions/import", zip, "application/zip");
        assertEquals(201, imported.statusCode(), new String(imported.body()));
        JsonNode c = LiveServer.json(imported);
        assertNotEquals(s.id(), c.get("id").asText());
        JsonNode copy = c.get("state");
        assertEquals("finished", copy.get("status").asText());
        assertEquals(done.get("steps").asInt(), copy.get("steps").asInt());
        assertEquals(done.get("revision").asInt(), copy.get("revision").asInt());
        byte[] copyResult = server.get("api/sessions/" + c.get("id").asText() + "/result.png?token="
                + c.get("editToken").asText()).body();
        assertArrayEquals(server.get(s.path("/result.png")).body(), copyResult);

        HttpResponse<byte[]> junk = server.send("POST", "api/sessions/import", "not a zip".getBytes(), "application/zip");
        assertEquals(400, junk.statusCode());
    }

    @Test
    void openApiDocumentsRoutesThatExist() throws Exception {
        LiveServer.Session s = server.scene(14, 5, 1);
        JsonNode doc = LiveServer.json(server.get("api/openapi.json"));
        assertEquals("3.0.3", doc.get("openapi").asText());
        Iterator<Map.Entry<String, JsonNode>> paths = doc.get("paths").fields();
        int checked = 0;
        while (paths.hasNext()) {
            Map.Entry<String, JsonNode> p = paths.next();
            if (p.getKey().endsWith("/ws")) {
                continue; // a WebSocket upgrade; LiveSocketTest opens it
            }
            String path = p.getKey().substring(1).replace("{id}", s.id()).replace("{pid}", "0").replace("{n}", "1");
            Iterator<String> methods = p.getValue().fieldNames();
            while (methods.hasNext()) {
                String method = methods.next().toUpperCase();
                if (path.endsWith("/import") || (method.equals("POST") && path.equals("api/sessions"))) {
                    continue; // creating sessions is tested above
                }
                String url = path.startsWith("api/sessions/") ? path + "?token=" + s.edit() : path;
                int code = server.send(method, url, method.equals("GET") || method.equals("DELETE") ? null : "{}".getBytes(),
                        "application/json").statusCode();
                assertNotEquals(405, code, method + " " + path);
                assertTrue(code != 404 || path.contains("frames") || path.endsWith("mask.png") || path.contains("points/"),
                        method + " " + path + " answered 404");
                checked++;
            }
        }
        assertTrue(checked >= 25, "checked " + checked);
        String metrics = new String(server.get("metrics").body(), StandardCharsets.UTF_8);
        assertTrue(metrics.contains("# TYPE draglora_sessions_created_total counter"));
        assertTrue(metrics.matches("(?s).*\\ndraglora_sessions_active [1-9].*"), metrics);
    }

    private static Map<String, byte[]> unzip(byte[] zip) throws Exception {
        Map<String, byte[]> out = new java.util.HashMap<>();
        try (ZipInputStream in = new ZipInputStream(new ByteArrayInputStream(zip))) {
            ZipEntry e;
            while ((e = in.getNextEntry()) != null) {
                out.put(e.getName(), in.readAllBytes());
            }
        }
        return out;
    }
}
