package org.draglora.http.cli;

import static org.draglora.http.cli.CliRun.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code draglora edit} end to end through the command line, on the tiny fixture pipeline. */
class EditCommandTest {

    @TempDir
    static Path dir;

    private static Path model;
    private static Path image;
    private static Path mask;



    @BeforeAll
    static void files() throws Exception {
        model = TinyPipeline.create(dir.resolve("tiny"));
        BufferedImage img = new BufferedImage(64, 64, BufferedImage.TYPE_INT_RGB);
        BufferedImage m = new BufferedImage(64, 64, BufferedImage.TYPE_BYTE_GRAY);
        for (int y = 0; y < 64; y++) {
            for (int x = 0; x < 64; x++) {
                boolean square = x > 16 && x < 32 && y > 20 && y < 36;
                img.setRGB(x, y, square ? 0xE02828 : (40 + x) << 16 | (60 + y) << 8 | 120);
                m.getRaster().setSample(x, y, 0, x >= 8 && x < 56 && y >= 8 && y < 56 ? 255 : 0);
            }
        }
        image = dir.resolve("in.png");
        mask = dir.resolve("mask.png");
        ImageIO.write(img, "png", image.toFile());
        ImageIO.write(m, "png", mask.toFile());
    }

    @Test
    void editWritesTheImageTheTraceAndASummary() throws Exception {
        Path out = dir.resolve("out.png");
        Path trace = dir.resolve("trace.jsonl");
        CliRun r = run("edit", "--model", model.toString(), "--image", image.toString(), "--mask", mask.toString(),
                "--points", "24,28:40,28", "--prompt", "a red square", "--steps", "3", "--reclora-steps", "2",
                "--no-cache", "--out", out.toString(), "--trace", trace.toString());
        assertEquals(0, r.code(), r.err());
        BufferedImage result = ImageIO.read(out.toFile());
        assertEquals(64, result.getWidth());
        assertEquals(64, result.getHeight());
        assertTrue(r.out().startsWith("wrote " + out + ": "), r.out());
        List<String> lines = Files.readAllLines(trace);
        assertTrue(lines.size() >= 2 + 35 + 1 + 35 + 1, "one line per step, got " + lines.size());
        assertTrue(lines.stream().anyMatch(l -> l.contains("\"phase\":\"drag\"") && l.contains("\"mode\":\"doo\"")));
        assertTrue(lines.get(lines.size() - 1).contains("\"phase\":\"decode\""));
        assertTrue(r.err().contains("[drag"), "progress on stderr: " + r.err());
    }

    @Test
    void secondEditOfTheSameImageTakesRecLoraFromTheCache() {
        Path cache = dir.resolve("cache");
        String[] args = {"edit", "--model", model.toString(), "--image", image.toString(), "--points", "24,28:40,28",
            "--steps", "1", "--reclora-steps", "2", "--cache", cache.toString(), "--out", dir.resolve("c.png").toString()};
        CliRun first = run(args);
        assertEquals(0, first.code(), first.err());
        assertTrue(!first.out().contains("from cache"), first.out());
        CliRun second = run(args);
        assertEquals(0, second.code(), second.err());
        assertTrue(second.out().contains("(RecLoRA from cache)"), second.out());
    }

    @Test
    void withoutAModelTheEmbeddedModelEditsAGeneratedScene() throws Exception {
        Path out = dir.resolve("scene.png");
        CliRun r = run("edit", "--scene", "7", "--reclora-steps", "2", "--steps", "2", "--no-cache", "--out",
                out.toString());
        assertEquals(0, r.code(), r.err());
        BufferedImage result = ImageIO.read(out.toFile());
        assertEquals(64, result.getWidth());
        assertEquals(64, result.getHeight());
    }

    @Test
    void theLatentWarpMovesInOneDragStepWithoutABackwardPass() throws Exception {
        Path out = dir.resolve("warp.png");
        Path trace = dir.resolve("warp.jsonl");
        CliRun r = run("edit", "--scene", "7", "--method", "latent-warp", "--reclora-steps", "2", "--no-cache",
                "--out", out.toString(), "--trace", trace.toString());
        assertEquals(0, r.code(), r.err());
        assertEquals(64, ImageIO.read(out.toFile()).getWidth());
        List<String> drag = Files.readAllLines(trace).stream().filter(l -> l.contains("\"phase\":\"drag\"")).toList();
        assertEquals(1, drag.size(), "one drag step: " + drag);
        assertTrue(drag.get(0).contains("\"backwardPasses\":0"), drag.get(0));
    }

    @Test
    void badInputIsAOneLineErrorWithExitCode2() throws Exception {
        Path out = dir.resolve("bad.png");
        assertBad(run("edit", "--model", model.toString(), "--image", image.toString(), "--points", "24,28:400,28",
                "--out", out.toString()), "outside");
        assertBad(run("edit", "--model", model.toString(), "--image", image.toString(), "--points", "24,28;40,28",
                "--out", out.toString()), "");
        Path small = dir.resolve("small-mask.png");
        ImageIO.write(new BufferedImage(32, 32, BufferedImage.TYPE_BYTE_GRAY), "png", small.toFile());
        assertBad(run("edit", "--model", model.toString(), "--image", image.toString(), "--mask", small.toString(),
                "--points", "24,28:40,28", "--out", out.toString()), "32x32");
        Path notAnImage = Files.writeString(dir.resolve("x.png"), "not a png");
        assertBad(run("edit", "--model", model.toString(), "--image", notAnImage.toString(), "--points", "1,1:2,2",
                "--out", out.toString()), "x.png");
        assertBad(run("edit", "--model", model.toString(), "--image", image.toString(), "--points", "24,28:40,28",
                "--method", "magic", "--out", out.toString()), "unknown method");
        assertBad(run("edit", "--model", dir.resolve("nowhere").toString(), "--image", image.toString(), "--points",
                "24,28:40,28", "--out", out.toString()), "does not exist");
        assertTrue(Files.notExists(out), "nothing is written on bad input");
    }

    private static void assertBad(CliRun r, String fragment) {
        assertEquals(2, r.code(), r.err() + r.out());
        assertEquals(1, r.err().lines().count(), r.err());
        assertTrue(r.err().startsWith("draglora: ") && r.err().contains(fragment), r.err());
    }
}
