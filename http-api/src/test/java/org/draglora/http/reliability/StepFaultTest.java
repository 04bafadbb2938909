package org.draglora.http.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.stream.Stream;
import org.draglora.config.Settings;
import org.draglora.engine.model.EmbeddedModel;
import org.draglora.engine.model.ModelPath;
import org.draglora.engine.runtime.DeviceKind;
import org.draglora.engine.runtime.EngineRuntime;
import org.draglora.engine.session.EditEngine;
import org.draglora.http.HttpServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A step whose loss is NaN (a model with a NaN weight, as a corrupted download would have) fails
 * that edit with a message, the clients are told, nothing diverged reaches the RecLoRA cache, and
 * the session stays usable: it can be restarted, and the server serves everyone else.
 */
class StepFaultTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path data;

    @Test
    void aNanLossFailsTheEditWithAMessageAndTheSessionStaysUsable() throws Exception {
        Path model = data.resolve("nan-model");
        copyTree(EmbeddedModel.require(), model);
        poison(model.resolve("unet/diffusion_pytorch_model.safetensors"), "conv_in.bias");

        var config = Settings.loadConfig();
        Settings settings = Settings.load(config);
        HttpClient http = HttpClient.newHttpClient();
        try (EditEngine engine = EditEngine.load(ModelPath.of(model), EngineRuntime.start(DeviceKind.CPU),
                data.resolve("cache"));
                HttpServer server = HttpServer.start(config, settings.server().withHost("127.0.0.1").withPort(0)
                        .withDataDir(data.resolve("server")), model.toString(), engine, settings.sessions(),
                        settings.limits())) {
            String base = "http://127.0.0.1:" + server.address().getPort() + "/";
            JsonNode created = JSON.readTree(http.send(HttpRequest.newBuilder(URI.create(base
                    + "api/sessions?scene=61&steps=5&reclora_steps=3")).POST(HttpRequest.BodyPublishers.noBody()).build(),
                    HttpResponse.BodyHandlers.ofString()).body());
            String s = base + "api/sessions/" + created.get("id").asText();
            String token = "?token=" + created.get("editToken").asText();
            JsonNode failed = await(http, s + token, st -> st.get("status").asText().equals("failed"));
            assertTrue(failed.get("failure").asText().contains("NaN"), failed.toString());
            assertTrue(failed.get("failure").asText().contains("RecLoRA step 0"), failed.toString());
            if (Files.exists(data.resolve("cache"))) {
                try (Stream<Path> cached = Files.walk(data.resolve("cache"))) {
                    assertEquals(0, cached.filter(Files::isRegularFile).count(), "no diverged RecLoRA was cached");
                }
            }
            // still usable: it answers, takes a restart (which fails again on this model, with the same message)
            HttpResponse<String> restart = http.send(HttpRequest.newBuilder(URI.create(s + "/restart" + token))
                    .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, restart.statusCode(), restart.body());
            JsonNode again = await(http, s + token, st -> st.get("epoch").asInt() == 1
                    && st.get("status").asText().equals("failed"));
            assertTrue(again.get("failure").asText().contains("NaN"));
            assertEquals(200, http.send(HttpRequest.newBuilder(URI.create(base + "api/health")).build(),
                    HttpResponse.BodyHandlers.ofString()).statusCode());
        }
    }

    private static JsonNode await(HttpClient http, String url, java.util.function.Predicate<JsonNode> done)
            throws Exception {
        long end = System.nanoTime() + Duration.ofMinutes(2).toNanos();
        JsonNode st = null;
        while (System.nanoTime() < end) {
            st = JSON.readTree(http.send(HttpRequest.newBuilder(URI.create(url)).build(),
                    HttpResponse.BodyHandlers.ofString()).body());
            if (done.test(st)) {
                return st;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("timed out; last state " + st);
    }

    /** Overwrites every value of tensor {@code name} in a safetensors file with NaN. */
    private static void poison(Path file, String name) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            ByteBuffer len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            ch.read(len, 0);
            long headerLength = len.flip().getLong();
            ByteBuffer header = ByteBuffer.allocate((int) headerLength);
            ch.read(header, 8);
            JsonNode t = JSON.readTree(new String(header.array(), StandardCharsets.UTF_8)).get(name);
            long begin = t.get("data_offsets").get(0).asLong();
            long end = t.get("data_offsets").get(1).asLong();
            String dtype = t.get("dtype").asText();
            int size = dtype.equals("F16") ? 2 : 4;
            ByteBuffer nan = ByteBuffer.allocate((int) (end - begin)).order(ByteOrder.LITTLE_ENDIAN);
            while (nan.remaining() >= size) {
                if (size == 2) {
                    nan.putShort((short) 0x7E00);
                } else {
                    nan.putFloat(Float.NaN);
                }
            }
            nan.flip();
            ch.write(nan, 8 + headerLength + begin);
        }
    }

    private static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> files = Files.walk(from)) {
            for (Path f : (Iterable<Path>) files::iterator) {
                Path target = to.resolve(from.relativize(f).toString());
                if (Files.isDirectory(f)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(f, target);
                }
            }
        }
    }
}
