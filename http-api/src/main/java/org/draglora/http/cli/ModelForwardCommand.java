package org.draglora.http.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.draglora.engine.model.ModelComponent;
import org.draglora.engine.model.ModelPath;
import org.draglora.engine.tools.ModelForward;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code draglora model forward}: runs one model component on tensors from a safetensors file and
 * writes its outputs, to compare this engine with a reference on one's own inputs.
 */
@Command(
        name = "forward",
        mixinStandardHelpOptions = true,
        description = {"Run one component on the tensors of --inputs and write its outputs to --out.",
            "UNet: reads sample, timesteps, encoder_hidden_states; writes eps, mid_block, up_blocks.0..3.",
            "VAE: reads image and/or latent; writes latent_mean and/or decoded (no scaling factor).",
            "Text encoder: reads input_ids; writes last_hidden_state."})
public final class ModelForwardCommand implements Callable<Integer> {

    @Option(names = "--model", required = true, paramLabel = "PATH",
            description = "A component folder, a diffusers folder or a .safetensors file.")
    private Path model;

    @Option(names = "--component", paramLabel = "unet|vae|text_encoder",
            description = "Which component of a diffusers folder or single-file checkpoint to run.")
    private String component;

    @Option(names = "--model-config", paramLabel = "DIR",
            description = "For single files: a folder with unet/, vae/, text_encoder/ config.json (default: SD 1.5).")
    private Path modelConfig;

    @Option(names = "--lora", paramLabel = "FILE", description = "A UNet LoRA (PEFT or legacy diffusers naming).")
    private Path lora;

    @Option(names = "--inputs", required = true, paramLabel = "IN.safetensors", description = "Input tensors.")
    private Path inputs;

    @Option(names = "--out", required = true, paramLabel = "OUT.safetensors", description = "Where to write the outputs.")
    private Path out;

    private final DragloraCommand root;

    public ModelForwardCommand(DragloraCommand root) {
        this.root = root;
    }

    @Override
    public Integer call() throws IOException {
        ModelComponent c = component == null ? null : ModelComponent.parse(component);
        ModelForward.Summary summary = ModelForward.run(ModelPath.of(model, modelConfig), c, lora, inputs, out,
                root.engine());
        root.out().println("wrote " + out + ": " + summary.describe());
        root.out().flush();
        return 0;
    }
}
