package org.draglora.http.browser;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.typesafe.config.Config;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.draglora.config.ServerSettings;
import org.draglora.config.Settings;
import org.draglora.engine.io.ImageTensors;
import org.draglora.engine.model.EmbeddedModel;
import org.draglora.engine.model.ModelPath;
import org.draglora.engine.runtime.DeviceKind;
import org.draglora.engine.runtime.EngineRuntime;
import org.draglora.engine.session.EditEngine;
import org.draglora.engine.shapes.DragKind;
import org.draglora.engine.shapes.DragTaskGenerator;
import org.draglora.http.HttpServer;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The browser editor end to end: a real server (embedded model, the editor from the class path)
 * on a free port, driven by Playwright ({@code web-ui/e2e/editor.e2e.mjs}) in headless Chromium:
 * upload, mask, points, run, move a point while it runs, the result; two users on one session; a
 * view-only user; a 128x128 upload (the largest the embedded 64x64 model accepts: twice its native
 * size) shown fitted, with points and mask in 128-pixel coordinates, then cancelled; a 512x512
 * (Stable Diffusion sized) upload, which this server refuses with HTTP 400, its message shown on the
 * landing page and no session opened. Screenshots go to {@code http-api/target/e2e-screenshots/}.
 *
 * <p>Needs {@code node}, {@code npm} and Chromium ({@code /usr/bin/chromium}, Debian's package, or
 * {@code DRAGLORA_CHROMIUM}). Without them the test is skipped, unless
 * {@code DRAGLORA_REQUIRE_BROWSER_TESTS=1} (as in CI), where it fails.
 */
class BrowserEditorTest {

    private static final Path E2E = Path.of("..", "web-ui", "e2e").toAbsolutePath().normalize();

    @TempDir
    Path data;

    @Test
    void theEditorWorksInARealBrowser() throws Exception {
        String chromium = System.getenv().getOrDefault("DRAGLORA_CHROMIUM", "/usr/bin/chromium");
        require(Files.isExecutable(Path.of(chromium)), "Chromium not found at " + chromium
                + " (apt-get install -y chromium, or set DRAGLORA_CHROMIUM)");
        require(works("node", "--version"), "node is not installed");
        if (!Files.isDirectory(E2E.resolve("node_modules").resolve("playwright-core"))) {
            require(works("npm", "--version"), "npm is not installed");
            Run npm = run(List.of("npm", "ci", "--no-audit", "--no-fund"), E2E, 300);
            assertEquals(0, npm.code, "npm ci in " + E2E + " failed:\n" + npm.output);
        }
        Path out = Path.of("target", "e2e-screenshots").toAbsolutePath();
        Path image = data.resolve("scene.png");
        Files.write(image, ImageTensors.encodePng(DragTaskGenerator.generate(4, 64, 64, DragKind.MOVE_ONE).image()));
        Path image128 = data.resolve("scene128.png");
        Files.write(image128, ImageTensors.encodePng(DragTaskGenerator.generate(4, 128, 128, DragKind.MOVE_ONE).image()));
        Path image512 = data.resolve("scene512.png");
        Files.write(image512, ImageTensors.encodePng(DragTaskGenerator.generate(4, 512, 512, DragKind.MOVE_ONE).image()));

        Config config = Settings.loadConfig();
        Settings settings = Settings.load(config);
        try (EditEngine engine = EditEngine.load(ModelPath.of(EmbeddedModel.require()), EngineRuntime.start(DeviceKind.CPU),
                data.resolve("cache"));
                HttpServer server = HttpServer.start(config, new ServerSettings("127.0.0.1", 0, data.resolve("server")),
                        "models/shapes-64", engine, settings.sessions(), settings.limits())) {
            String base = "http://127.0.0.1:" + server.address().getPort() + "/";
            Run e2e = run(List.of("node", "editor.e2e.mjs", "--base", base, "--image", image.toString(), "--image128",
                    image128.toString(), "--image512", image512.toString(), "--out", out.toString(), "--chromium", chromium),
                    E2E, 900);
            System.out.println(e2e.output);
            assertEquals(0, e2e.code, "browser checks failed:\n" + e2e.output);
            assertTrue(e2e.output.contains("ok - "), "the script ran its checks:\n" + e2e.output);
            assertTrue(!e2e.output.contains("not ok"), e2e.output);
        }
        try (var shots = Files.list(out)) {
            assertTrue(shots.anyMatch(p -> p.toString().endsWith(".png")), "screenshots were written to " + out);
        }
    }

    private static void require(boolean ok, String why) {
        if (!ok) {
            if ("1".equals(System.getenv("DRAGLORA_REQUIRE_BROWSER_TESTS"))) {
                fail(why);
            }
            Assumptions.abort(why + "; browser test skipped");
        }
    }

    private static boolean works(String... command) {
        try {
            return run(List.of(command), E2E, 30).code == 0;
        } catch (IOException e) {
            return false;
        }
    }

    private record Run(int code, String output) {}

    private static Run run(List<String> command, Path dir, long timeoutSeconds) throws IOException {
        Path log = Files.createTempFile("draglora-e2e", ".log");
        try {
            Process p = new ProcessBuilder(new ArrayList<>(command)).directory(dir.toFile()).redirectErrorStream(true)
                    .redirectOutput(log.toFile()).start();
            boolean done = p.waitFor(timeoutSeconds, TimeUnit.SECONDS);
            if (!done) {
                p.destroyForcibly();
            }
            String output = Files.readString(log, StandardCharsets.UTF_8);
            return new Run(done ? p.exitValue() : -1, done ? output : output + "\n(timed out after " + timeoutSeconds + " s)");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        } finally {
            Files.deleteIfExists(log);
        }
    }
}
