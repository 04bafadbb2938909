package org.draglora.engine.weights;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/**
 * A diffusers pipeline folder (what {@code StableDiffusionPipeline.save_pretrained} writes and the
 * Hub serves): {@code model_index.json} naming each component's library and class, and one
 * sub-folder per component. This project reads {@code unet/}, {@code vae/}, {@code text_encoder/},
 * {@code tokenizer/} and {@code scheduler/}; other components (safety checker, feature extractor)
 * are ignored.
 *
 * <p>Weights must be safetensors. Per component folder the first match wins:
 * {@code diffusion_pytorch_model.safetensors} / {@code model.safetensors}, their sharded
 * {@code *.safetensors.index.json}, then the {@code fp16} variants
 * ({@code *.fp16.safetensors}, {@code *.safetensors.index.fp16.json}; diffusers' variant naming,
 * modeling_utils.py {@code _add_variant}). PyTorch pickle weights ({@code .bin}, {@code .ckpt},
 * {@code .pt}, {@code .pth}) are refused: unpickling runs arbitrary code, and Java cannot read them.
 */
public final class DiffusersFolder {

    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * Weight files in order of preference: diffusers' SAFETENSORS_WEIGHTS_NAME and transformers'
     * SAFE_WEIGHTS_NAME (diffusers utils/constants.py, transformers utils/__init__.py), their
     * *_INDEX_NAME, then the same with {@code variant="fp16"} (modeling_utils.py _add_variant).
     */
    private static final List<String> WEIGHT_FILES = List.of(
            "diffusion_pytorch_model.safetensors", "model.safetensors",
            "diffusion_pytorch_model.safetensors.index.json", "model.safetensors.index.json",
            "diffusion_pytorch_model.fp16.safetensors", "model.fp16.safetensors",
            "diffusion_pytorch_model.safetensors.index.fp16.json", "model.safetensors.index.fp16.json");

    private static final List<String> PICKLE_SUFFIXES = List.of(".bin", ".ckpt", ".pt", ".pth", ".bin.index.json");

    /** The classes each model component must have (SD 1.x). */
    private static final Map<String, Set<String>> EXPECTED_CLASSES = Map.of(
            "unet", Set.of("UNet2DConditionModel"),
            "vae", Set.of("AutoencoderKL"),
            "text_encoder", Set.of("CLIPTextModel"),
            "tokenizer", Set.of("CLIPTokenizer", "CLIPTokenizerFast"));

    /**
     * One model component folder.
     *
     * @param name the folder name ({@code unet}, {@code vae}, {@code text_encoder}, ...)
     * @param dir the folder
     * @param className the class from {@code model_index.json}, or else from the folder's
     *     {@code config.json} ({@code _class_name} for diffusers, {@code architectures[0]} for transformers)
     * @param config the folder's {@code config.json}
     * @param weights the weights file: a {@code .safetensors} file or a {@code .safetensors.index.json}
     */
    public record Component(String name, Path dir, String className, Path config, Path weights) {

        /** Whether the weights are sharded (an index file). */
        public boolean sharded() {
            return weights.getFileName().toString().endsWith(".json");
        }

        /** Whether the weights are the {@code fp16} variant. */
        public boolean fp16Variant() {
            return weights.getFileName().toString().contains(".fp16.");
        }

        /** Opens the weights (all shards, if sharded); the caller closes the source. */
        public ShardedSource openWeights() throws IOException {
            return sharded() ? ShardedSource.open(weights) : ShardedSource.of(List.of(weights));
        }
    }

    private final Path root;
    private final String pipelineClass;
    private final Component unet;
    private final Component vae;
    private final Component textEncoder;
    private final Path tokenizerDir;
    private final Path schedulerConfig;

    private DiffusersFolder(Path root, String pipelineClass, Component unet, Component vae, Component textEncoder,
            Path tokenizerDir, Path schedulerConfig) {
        this.root = root;
        this.pipelineClass = pipelineClass;
        this.unet = unet;
        this.vae = vae;
        this.textEncoder = textEncoder;
        this.tokenizerDir = tokenizerDir;
        this.schedulerConfig = schedulerConfig;
    }

    /**
     * Reads {@code model_index.json} and locates every component this project needs; all problems
     * found are reported together.
     */
    public static DiffusersFolder open(Path root) throws IOException {
        Path index = root.resolve("model_index.json");
        if (!Files.isRegularFile(index)) {
            String hint = Files.isRegularFile(root.resolve("config.json"))
                    ? " (it has a config.json: a single component folder, see DiffusersFolder.component)" : "";
            throw new IllegalArgumentException("not a diffusers pipeline folder: " + root + " has no model_index.json" + hint);
        }
        JsonNode modelIndex = JSON.readTree(index.toFile());
        if (modelIndex == null || !modelIndex.isObject()) {
            throw new IllegalArgumentException(index + " is not a JSON object");
        }
        List<String> problems = new ArrayList<>();
        Component unet = modelComponent(root, modelIndex, "unet", problems);
        Component vae = modelComponent(root, modelIndex, "vae", problems);
        Component textEncoder = modelComponent(root, modelIndex, "text_encoder", problems);
        Path tokenizer = null;
        if (indexedClass(root, modelIndex, "tokenizer", problems) != null) {
            tokenizer = root.resolve("tokenizer");
            for (String file : List.of("vocab.json", "merges.txt")) {
                if (!Files.isRegularFile(tokenizer.resolve(file))) {
                    problems.add("tokenizer/" + file + " is missing");
                }
            }
        }
        Path scheduler = null;
        if (indexedClass(root, modelIndex, "scheduler", problems) != null) {
            scheduler = root.resolve("scheduler").resolve("scheduler_config.json");
            if (!Files.isRegularFile(scheduler)) {
                problems.add("scheduler/scheduler_config.json is missing");
                scheduler = null;
            }
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException("diffusers folder " + root + ": " + String.join("; ", problems));
        }
        return new DiffusersFolder(root, modelIndex.path("_class_name").asText(""), unet, vae, textEncoder, tokenizer,
                scheduler);
    }

    /**
     * A single component folder, such as a VAE downloaded on its own: a {@code config.json} with
     * {@code _class_name} (diffusers) or {@code architectures} (transformers), and its weights.
     */
    public static Component component(Path dir) throws IOException {
        Path config = dir.resolve("config.json");
        if (!Files.isRegularFile(config)) {
            throw new IllegalArgumentException("not a model component folder: " + dir + " has no config.json");
        }
        JsonNode json = JSON.readTree(config.toFile());
        String className = json == null ? "" : json.path("_class_name").asText("");
        if (className.isEmpty() && json != null && json.path("architectures").isArray()
                && json.path("architectures").size() > 0) {
            className = json.path("architectures").get(0).asText("");
        }
        if (className.isEmpty()) {
            throw new IllegalArgumentException(config + " names no model class (neither \"_class_name\" nor \"architectures\")");
        }
        return new Component(dir.getFileName().toString(), dir, className, config, findWeights(dir));
    }

    private static Component modelComponent(Path root, JsonNode modelIndex, String name, List<String> problems)
            throws IOException {
        String className = indexedClass(root, modelIndex, name, problems);
        if (className == null) {
            return null;
        }
        Path dir = root.resolve(name);
        Path config = dir.resolve("config.json");
        if (!Files.isRegularFile(config)) {
            problems.add(name + "/config.json is missing");
            return null;
        }
        try {
            return new Component(name, dir, className, config, findWeights(dir));
        } catch (IllegalArgumentException e) {
            problems.add(e.getMessage());
            return null;
        }
    }

    /** The class model_index.json gives a component, checked and with its folder present; null on a problem. */
    private static String indexedClass(Path root, JsonNode modelIndex, String name, List<String> problems) {
        JsonNode entry = modelIndex.get(name);
        if (entry == null || !entry.isArray() || entry.size() != 2 || !entry.get(1).isTextual()) {
            problems.add("model_index.json has no [library, class] entry for '" + name + "' (found " + entry + ")");
            return null;
        }
        String className = entry.get(1).asText();
        Set<String> expected = EXPECTED_CLASSES.get(name);
        if (expected != null && !expected.contains(className)) {
            problems.add(name + " is a " + className + "; this port supports " + String.join(" or ", expected));
            return null;
        }
        if (!Files.isDirectory(root.resolve(name))) {
            problems.add("the " + name + "/ folder is missing");
            return null;
        }
        return className;
    }

    /** The preferred safetensors weights file of a component folder, or a clear refusal. */
    static Path findWeights(Path dir) throws IOException {
        for (String file : WEIGHT_FILES) {
            Path p = dir.resolve(file);
            if (Files.isRegularFile(p)) {
                return p;
            }
        }
        List<String> pickles;
        try (Stream<Path> files = Files.list(dir)) {
            pickles = files.map(p -> p.getFileName().toString())
                    .filter(f -> PICKLE_SUFFIXES.stream().anyMatch(f::endsWith))
                    .sorted()
                    .toList();
        }
        if (!pickles.isEmpty()) {
            throw new IllegalArgumentException(dir + " holds only PyTorch pickle weights " + pickles
                    + ", which are not supported (loading a pickle can run arbitrary code). Convert them to "
                    + "safetensors, e.g. in Python: model = <Class>.from_pretrained(dir); "
                    + "model.save_pretrained(dir, safe_serialization=True)");
        }
        throw new IllegalArgumentException(dir + " has no weights file; looked for " + String.join(", ", WEIGHT_FILES));
    }

    /** The folder. */
    public Path root() {
        return root;
    }

    /** {@code _class_name} of model_index.json (e.g. {@code StableDiffusionPipeline}). */
    public String pipelineClass() {
        return pipelineClass;
    }

    /** The {@code unet/} component. */
    public Component unet() {
        return unet;
    }

    /** The {@code vae/} component (its weights may use legacy attention names: {@link LegacyVaeNames}). */
    public Component vae() {
        return vae;
    }

    /** The {@code text_encoder/} component. */
    public Component textEncoder() {
        return textEncoder;
    }

    /** The {@code tokenizer/} folder (vocab.json, merges.txt). */
    public Path tokenizerDir() {
        return tokenizerDir;
    }

    /**
     * {@code scheduler/scheduler_config.json}. SD 1.5 ships a PNDM config; its schedule keys are
     * those of DDIM, and {@code DdimConfig} reads it as diffusers' {@code DDIMScheduler.from_config} does.
     */
    public Path schedulerConfig() {
        return schedulerConfig;
    }
}
