package org.draglora.engine.model;

import java.io.IOException;
import java.nio.file.Path;
import org.draglora.engine.clip.CLIPTextModel;
import org.draglora.engine.clip.CLIPTokenizer;
import org.draglora.engine.runtime.EngineRuntime;
import org.draglora.engine.schedule.DdimScheduler;
import org.draglora.engine.unet.UNet2DConditionModel;
import org.draglora.engine.vae.AutoencoderKL;
import org.draglora.engine.weights.DiffusersFolder;
import org.draglora.engine.weights.LoadReport;
import org.draglora.engine.weights.WeightLoadException;
import org.draglora.engine.weights.WeightScope;

/**
 * Loads Stable Diffusion components strictly from any model path (see {@link ModelPath}): every
 * checkpoint key consumed, every shape checked, and the error lists the missing, unexpected and
 * mis-shaped keys. The UNet gets half-precision weights on a GPU; the VAE and text encoder stay in
 * float32 (the SD VAE overflows in float16).
 */
public final class ModelLoader {

    private ModelLoader() {}

    /** The UNet of the model at {@code path}, on {@code runtime}'s device. */
    public static UNet2DConditionModel unet(ModelPath path, EngineRuntime runtime) throws IOException {
        try (ComponentSource src = ComponentSource.open(path, ModelComponent.UNET)) {
            rejectUnmapped(src);
            return UNet2DConditionModel.load(src.weights(), runtime.newManager(), runtime.weightType(true), src.unetConfig());
        }
    }

    /** The VAE of the model at {@code path}. */
    public static AutoencoderKL vae(ModelPath path, EngineRuntime runtime) throws IOException {
        try (ComponentSource src = ComponentSource.open(path, ModelComponent.VAE)) {
            rejectUnmapped(src);
            return AutoencoderKL.load(src.weights(), runtime.newManager(), src.vaeConfig());
        }
    }

    /** The CLIP text encoder of the model at {@code path}. */
    public static CLIPTextModel textEncoder(ModelPath path, EngineRuntime runtime) throws IOException {
        try (ComponentSource src = ComponentSource.open(path, ModelComponent.TEXT_ENCODER)) {
            rejectUnmapped(src);
            return CLIPTextModel.load(src.weights(), runtime.newManager(), src.textConfig());
        }
    }

    /** The DDIM scheduler: the folder's {@code scheduler/scheduler_config.json}, or SD 1.5's. */
    public static DdimScheduler scheduler(ModelPath mp) throws IOException {
        if (mp.kind() == ModelPath.Kind.PIPELINE_FOLDER) {
            Path config = DiffusersFolder.open(mp.path()).schedulerConfig();
            if (config != null) {
                return DdimScheduler.load(config);
            }
        }
        return new DdimScheduler(org.draglora.engine.schedule.DdimConfig.sd15());
    }

    /**
     * The tokenizer: a pipeline folder's {@code tokenizer/}, a single file's config folder's
     * {@code tokenizer/} when present, otherwise the CLIP vocabulary bundled with draglora (single
     * files carry no tokenizer; every SD 1.x model uses this one).
     */
    public static CLIPTokenizer tokenizer(ModelPath mp) throws IOException {
        Path dir = null;
        if (mp.kind() == ModelPath.Kind.PIPELINE_FOLDER) {
            dir = DiffusersFolder.open(mp.path()).tokenizerDir();
        } else if (mp.configRoot() != null && java.nio.file.Files.isDirectory(mp.configRoot().resolve("tokenizer"))) {
            dir = mp.configRoot().resolve("tokenizer");
        }
        return dir == null ? CLIPTokenizer.bundledSd15() : CLIPTokenizer.load(dir);
    }

    /**
     * Builds {@code component} shape-only against the checkpoint (no values read) and reports
     * which keys would be missing, unexpected or mis-shaped.
     */
    public static LoadReport checkKeys(ComponentSource src) {
        WeightScope w = WeightScope.shapesOnly(src.weights(), src.ignorable());
        switch (src.component()) {
            case UNET -> new UNet2DConditionModel(w, src.unetConfig());
            case VAE -> new AutoencoderKL(w, src.vaeConfig());
            case TEXT_ENCODER -> new CLIPTextModel(w, src.textConfig());
            default -> throw new IllegalStateException();
        }
        return src.withUnmapped(w.report());
    }

    private static void rejectUnmapped(ComponentSource src) {
        if (!src.unmapped().isEmpty()) {
            LoadReport base = new LoadReport(src.origin(), 0, java.util.List.of(), java.util.List.of(), java.util.List.of());
            throw new WeightLoadException(src.withUnmapped(base));
        }
    }

}
