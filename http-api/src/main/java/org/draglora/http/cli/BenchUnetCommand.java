package org.draglora.http.cli;

import java.util.concurrent.Callable;
import org.draglora.engine.bench.UnetBenchmark;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code draglora bench unet}: UNet forward and forward+backward timings on random weights of the
 * exact model shape (no weights needed), printed as a markdown table.
 */
@Command(
        name = "unet",
        mixinStandardHelpOptions = true,
        description = {"Time the UNet on random weights of an exact shape: forward, forward+backward through",
            "LoRA, their ratio, ops per forward, per-op overhead, peak memory. Prints a markdown table."})
public final class BenchUnetCommand implements Callable<Integer> {

    @Option(names = "--preset", defaultValue = "sd15", paramLabel = "sd15|tiny|shapes|shapes-32|shapes-pixel",
            description = "Model shape: SD 1.5, the fixtures' tiny UNet, the embedded model's UNet on latents, the "
                    + "UNet for 2x-down latents (train-tiny --latent-factor 2) or the embedded UNet on pixels (default: "
                    + "${DEFAULT-VALUE}).")
    private String preset;

    @Option(names = "--size", defaultValue = "512", paramLabel = "PIXELS",
            description = "Image side, a multiple of 64; the UNet input is 1/8 of it (shapes: 1/4, shapes-32: 1/2, shapes-pixel: all of it) "
                    + "(default: ${DEFAULT-VALUE}).")
    private int size;

    @Option(names = "--lora-rank", defaultValue = "16", paramLabel = "R", description = "LoRA rank (default: ${DEFAULT-VALUE}).")
    private int loraRank;

    @Option(names = "--warmup", defaultValue = "1", paramLabel = "N", description = "Untimed runs (default: ${DEFAULT-VALUE}).")
    private int warmup;

    @Option(names = "--iterations", defaultValue = "3", paramLabel = "N",
            description = "Timed runs; the median is reported (default: ${DEFAULT-VALUE}).")
    private int iterations;

    private final DragloraCommand root;

    public BenchUnetCommand(DragloraCommand root) {
        this.root = root;
    }

    @Override
    public Integer call() {
        UnetBenchmark.Options options = new UnetBenchmark.Options(preset, size, loraRank, warmup, iterations);
        UnetBenchmark.Result result = UnetBenchmark.run(options, root.engine(), root.progress("bench unet"));
        root.printResult(result.toMarkdown());
        return 0;
    }
}
