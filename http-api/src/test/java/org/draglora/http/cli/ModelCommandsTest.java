package org.draglora.http.cli;

import static org.draglora.http.cli.CliRun.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code model inspect}, {@code model forward} and {@code bench unet} through the real command
 * line, on the engine's tiny fixtures (read from the engine module's test resources).
 */
class ModelCommandsTest {

    private static final Path FIXTURES = Path.of("..", "engine", "src", "test", "resources", "fixtures");



    private static void assertUsageError(CliRun r, String fragment) {
        assertEquals(2, r.code(), r.err());
        assertEquals(1, r.err().lines().count(), r.err());
        assertTrue(r.err().startsWith("draglora: ") && r.err().contains(fragment), r.err());
    }

    @Test
    void inspectPrintsTheKeyReport() {
        CliRun r = run("model", "inspect", FIXTURES.resolve("unet-tiny").toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("UNet2DConditionModel, 2,446,788 parameters"), r.out());
        assertTrue(r.out().contains("keys: OK"), r.out());
    }

    @Test
    void forwardWritesTheOutputs(@TempDir Path dir) {
        Path out = dir.resolve("out.safetensors");
        CliRun r = run("model", "forward", "--model", FIXTURES.resolve("unet-tiny").toString(),
                "--inputs", FIXTURES.resolve("unet-tiny/inputs.safetensors").toString(), "--out", out.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(Files.isRegularFile(out));
        assertTrue(r.out().contains("eps 2x4x16x16") && r.out().contains("up_blocks.3 2x32x16x16"), r.out());
    }

    @Test
    void badInputsAreOneLineUsageErrors(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("out.safetensors");
        assertUsageError(run("model", "forward", "--model", FIXTURES.resolve("unet-tiny").toString(),
                "--inputs", FIXTURES.resolve("vae-tiny/inputs.safetensors").toString(), "--out", out.toString()),
                "lacks the tensor 'sample'");
        assertUsageError(run("model", "forward", "--model", FIXTURES.resolve("unet-tiny").toString(),
                "--inputs", dir.resolve("missing.safetensors").toString(), "--out", out.toString()), "not found");
        Path weird = Files.createDirectories(dir.resolve("weird"));
        Files.writeString(weird.resolve("config.json"), "{\"_class_name\": \"PriorTransformer\"}");
        Files.copy(FIXTURES.resolve("unet-tiny/diffusion_pytorch_model.safetensors"),
                weird.resolve("diffusion_pytorch_model.safetensors"));
        assertUsageError(run("model", "inspect", weird.toString()), "PriorTransformer");
        assertUsageError(run("model", "forward", "--model", weird.toString(),
                "--inputs", FIXTURES.resolve("unet-tiny/inputs.safetensors").toString(), "--out", out.toString()),
                "PriorTransformer");
        assertUsageError(run("model", "forward", "--model", FIXTURES.resolve("unet-tiny").toString(), "--component", "prior",
                "--inputs", FIXTURES.resolve("unet-tiny/inputs.safetensors").toString(), "--out", out.toString()),
                "unknown component 'prior'");
        assertTrue(Files.notExists(out));
    }

    @Test
    void benchUnetPrintsATable() {
        CliRun r = run("bench", "unet", "--preset", "tiny", "--size", "64", "--warmup", "0", "--iterations", "1");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("| backward/forward ratio |"), r.out());
        assertUsageError(run("bench", "unet", "--preset", "sd21"), "unknown preset 'sd21'");
    }

    @Test
    void benchDragPrintsBothIterationKinds() {
        CliRun r = run("bench", "drag", "--preset", "tiny", "--size", "64", "--steps", "1", "--reclora-batch", "1");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("| DOO + ILFA iteration |") && r.out().contains("4 UNet samples forward, 1 backward"),
                r.out());
        assertTrue(r.out().contains("| ILFA-only iteration |") && r.out().contains("(1 UNet forward, 0 backward;"), r.out());
        assertUsageError(run("bench", "drag", "--size", "100"), "multiple of 64");
    }
}
