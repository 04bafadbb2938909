package org.draglora.http.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.draglora.engine.model.ModelPath;
import org.draglora.engine.tools.ModelInspector;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code draglora model inspect PATH}: class, config, parameter count, dtypes and the strict key
 * report of a model path, without loading any weights.
 */
@Command(
        name = "inspect",
        mixinStandardHelpOptions = true,
        description = {"Describe model weights: a diffusers folder, a component folder (unet/, vae/, ...), a",
            "single-file .safetensors checkpoint or a LoRA file. Reads headers only."})
public final class ModelInspectCommand implements Callable<Integer> {

    @Parameters(paramLabel = "PATH", description = "The model folder or .safetensors file.")
    private Path path;

    @Option(names = "--model-config", paramLabel = "DIR",
            description = "For single files: a folder with unet/, vae/, text_encoder/ config.json (default: SD 1.5).")
    private Path modelConfig;

    private final DragloraCommand root;

    public ModelInspectCommand(DragloraCommand root) {
        this.root = root;
    }

    @Override
    public Integer call() throws IOException {
        root.out().print(ModelInspector.inspect(ModelPath.of(path, modelConfig)));
        root.out().flush();
        return 0;
    }
}
