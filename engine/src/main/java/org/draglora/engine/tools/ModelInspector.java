package org.draglora.engine.tools;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;
import org.draglora.engine.model.ComponentSource;
import org.draglora.engine.model.ModelComponent;
import org.draglora.engine.model.ModelLoader;
import org.draglora.engine.model.ModelPath;
import org.draglora.engine.weights.DType;
import org.draglora.engine.weights.DiffusersFolder;
import org.draglora.engine.weights.LdmCheckpoint;
import org.draglora.engine.weights.LoadReport;
import org.draglora.engine.weights.SafetensorsFile;
import org.draglora.engine.weights.TensorInfo;

/**
 * {@code draglora model inspect PATH}: what a model path holds, without loading any values: per
 * component the class, the config, the parameter count, the stored dtypes and the strict key
 * report (missing, unexpected, mis-shaped keys) of building our model against it. LoRA files get
 * their naming, rank and layer count.
 */
public final class ModelInspector {

    private static final Pattern LORA_KEY = Pattern.compile(".*(\\.lora_[AB]\\.weight|\\.lora\\.(down|up)\\.weight|_lora\\.(down|up)\\.weight)");

    private ModelInspector() {}

    /** A multi-line, human-readable report. */
    public static String inspect(ModelPath mp) throws IOException {
        Path path = mp.path();
        StringBuilder b = new StringBuilder();
        switch (mp.kind()) {
            case PIPELINE_FOLDER -> {
                DiffusersFolder folder = DiffusersFolder.open(path);
                b.append(path).append(": diffusers pipeline folder (").append(folder.pipelineClass()).append(")\n");
                for (ModelComponent c : ModelComponent.values()) {
                    component(b, mp, c);
                }
                b.append("tokenizer: ").append(folder.tokenizerDir() == null ? "missing" : folder.tokenizerDir()).append('\n');
                b.append("scheduler: ").append(folder.schedulerConfig() == null ? "missing (DDIM SD 1.5 defaults)"
                        : folder.schedulerConfig()).append('\n');
            }
            case COMPONENT_FOLDER -> {
                b.append(path).append(": component folder\n");
                component(b, mp, ComponentSource.detect(mp));
            }
            case SINGLE_FILE -> singleFile(b, mp);
        }
        return b.toString();
    }

    private static void singleFile(StringBuilder b, ModelPath mp) throws IOException {
        try (SafetensorsFile f = SafetensorsFile.open(mp.path())) {
            if (f.tensors().keySet().stream().anyMatch(k -> LORA_KEY.matcher(k).matches())) {
                lora(b, f);
                return;
            }
            if (LdmCheckpoint.isSingleFile(f)) {
                LdmCheckpoint ldm = LdmCheckpoint.of(f);
                b.append(mp.path()).append(": single-file (LDM/A1111) checkpoint, ").append(f.tensors().size())
                        .append(" tensors, ").append(dtypes(f.tensors())).append('\n');
                b.append("ignored extra keys: ").append(ldm.ignoredKeys().size()).append('\n');
                for (ModelComponent c : ModelComponent.values()) {
                    component(b, mp, c);
                }
                b.append("tokenizer: none in the file; the bundled SD 1.x CLIP vocabulary is used\n");
                b.append("scheduler: none in the file; DDIM with the SD 1.5 settings is used\n");
                return;
            }
        }
        b.append(mp.path()).append(": component weights file\n");
        component(b, mp, ComponentSource.detect(mp));
    }

    private static void component(StringBuilder b, ModelPath mp, ModelComponent c) throws IOException {
        try (ComponentSource src = ComponentSource.open(mp, c)) {
            long params = 0;
            for (TensorInfo t : src.weights().infos().values()) {
                params += t.elementCount();
            }
            b.append(c.folder()).append(": ").append(c.className()).append(", ").append(String.format(Locale.ROOT, "%,d",
                    params)).append(" parameters in ").append(src.weights().infos().size()).append(" tensors, ")
                    .append(dtypes(src.weights().infos())).append('\n');
            b.append("  config: ").append(configSummary(src)).append('\n');
            LoadReport report = ModelLoader.checkKeys(src);
            b.append("  keys: ").append(report.ok() ? "OK, every key consumed with the right shape (" + report.consumed()
                    + ")" : report.details(10).replace("\n", "\n  ")).append('\n');
        } catch (IllegalArgumentException e) {
            b.append(c.folder()).append(": cannot be read: ").append(e.getMessage()).append('\n');
        }
    }

    private static String configSummary(ComponentSource src) {
        JsonNode c = src.config();
        String origin = c == null ? "SD 1.5 preset (single file)" : "config.json";
        return switch (src.component()) {
            case UNET -> origin + ", " + src.unetConfig();
            case VAE -> origin + ", " + src.vaeConfig();
            case TEXT_ENCODER -> origin + ", " + src.textConfig();
        };
    }

    private static String dtypes(Map<String, TensorInfo> infos) {
        Map<DType, Integer> counts = new TreeMap<>();
        infos.values().forEach(t -> counts.merge(t.dtype(), 1, Integer::sum));
        StringBuilder s = new StringBuilder("dtypes");
        counts.forEach((d, n) -> s.append(' ').append(d).append(" x").append(n));
        return s.toString();
    }

    private static void lora(StringBuilder b, SafetensorsFile f) {
        long layers = f.tensors().keySet().stream().filter(k -> k.endsWith("lora_A.weight") || k.endsWith("lora.down.weight")
                || k.endsWith("_lora.down.weight")).count();
        boolean peft = f.tensors().keySet().stream().anyMatch(k -> k.contains(".lora_A."));
        long rank = f.tensors().values().stream().filter(t -> t.name().endsWith("lora_A.weight")
                || t.name().endsWith("down.weight")).mapToLong(t -> t.shape()[0]).max().orElse(0);
        long params = f.tensors().values().stream().mapToLong(TensorInfo::elementCount).sum();
        b.append(f.path()).append(": UNet LoRA, ").append(peft ? "PEFT naming (lora_A/lora_B)" : "legacy diffusers naming (lora.down/lora.up)")
                .append(", rank ").append(rank).append(", ").append(layers).append(" layers, ")
                .append(String.format(Locale.ROOT, "%,d", params)).append(" parameters, ").append(dtypes(f.tensors())).append('\n');
    }

}
