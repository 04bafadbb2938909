package org.draglora.engine.edit;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.io.IOException;
import org.draglora.engine.clip.CLIPTextModel;
import org.draglora.engine.clip.CLIPTokenizer;
import org.draglora.engine.model.ModelFingerprint;
import org.draglora.engine.model.ModelLoader;
import org.draglora.engine.model.ModelPath;
import org.draglora.engine.nn.Ops;
import org.draglora.engine.runtime.EngineRuntime;
import org.draglora.engine.runtime.ExitGuard;
import org.draglora.engine.schedule.DdimScheduler;
import org.draglora.engine.unet.UNet2DConditionModel;
import org.draglora.engine.vae.AutoencoderKL;

/**
 * The components one edit uses, loaded once and shared read-only by every session: UNet, VAE,
 * text encoder, tokenizer, DDIM scheduler, and a fingerprint of the weights for cache keys.
 */
public final class EditModel implements AutoCloseable {

    private final UNet2DConditionModel unet;
    private final AutoencoderKL vae;
    private final CLIPTextModel textEncoder;
    private final CLIPTokenizer tokenizer;
    private final DdimScheduler scheduler;
    private final String fingerprint;

    public EditModel(UNet2DConditionModel unet, AutoencoderKL vae, CLIPTextModel textEncoder, CLIPTokenizer tokenizer,
            DdimScheduler scheduler, String fingerprint) {
        this.unet = unet;
        this.vae = vae;
        this.textEncoder = textEncoder;
        this.tokenizer = tokenizer;
        this.scheduler = scheduler;
        this.fingerprint = fingerprint;
        if (unet.config().inChannels() != vae.config().latentChannels()) {
            throw new IllegalArgumentException("the UNet takes " + unet.config().inChannels()
                    + " channels but the VAE makes " + vae.config().latentChannels());
        }
        if (textEncoder != null && textEncoder.config().hiddenSize() != unet.config().crossAttentionDim()) {
            throw new IllegalArgumentException("the text encoder makes " + textEncoder.config().hiddenSize()
                    + "-d states but the UNet attends to " + unet.config().crossAttentionDim());
        }
    }

    /** Loads every component of the model at {@code mp} (strictly), as one span of the process's {@link ExitGuard}. */
    public static EditModel load(ModelPath mp, EngineRuntime runtime) throws IOException {
        try (ExitGuard.Span span = ExitGuard.process().enter()) {
            return loadComponents(mp, runtime);
        }
    }

    private static EditModel loadComponents(ModelPath mp, EngineRuntime runtime) throws IOException {
        UNet2DConditionModel unet = ModelLoader.unet(mp, runtime);
        try {
            AutoencoderKL vae = ModelLoader.vae(mp, runtime);
            try {
                CLIPTextModel text = ModelLoader.textEncoder(mp, runtime);
                return new EditModel(unet, vae, text, ModelLoader.tokenizer(mp), ModelLoader.scheduler(mp),
                        ModelFingerprint.of(mp));
            } catch (IOException | RuntimeException e) {
                vae.close();
                throw e;
            }
        } catch (IOException | RuntimeException e) {
            unet.close();
            throw e;
        }
    }

    public UNet2DConditionModel unet() {
        return unet;
    }

    public AutoencoderKL vae() {
        return vae;
    }

    public DdimScheduler scheduler() {
        return scheduler;
    }

    /** Content fingerprint of the weights (see {@link ModelFingerprint}). */
    public String fingerprint() {
        return fingerprint;
    }

    /** Pixels per latent cell (8 for SD). */
    public int latentScale() {
        return 1 << (vae.config().blockCount() - 1);
    }

    /** The SD latent scaling factor (0.18215). */
    public float scalingFactor() {
        return (float) vae.config().scalingFactor();
    }

    /**
     * The prompt embedding (1, 77, C) in {@code manager}: tokenized with padding to 77 and
     * truncation of long prompts, CLIP's last hidden state (ALGORITHM.md §1.1; no negative prompt,
     * guidance 1).
     */
    public NDArray encodePrompt(String prompt, NDManager manager) {
        if (textEncoder == null || tokenizer == null) {
            throw new IllegalStateException("this model has no text encoder or tokenizer");
        }
        long[] ids = tokenizer.tokenize(prompt).inputIds();
        long vocab = textEncoder.config().vocabSize();
        for (long id : ids) {
            if (id >= vocab) {
                throw new IllegalStateException("the tokenizer produced id " + id + " but the text encoder has a "
                        + vocab + "-token vocabulary: they do not belong together");
            }
        }
        try (NDManager scratch = manager.newSubManager()) {
            NDArray out = textEncoder.forward(Ops.owned(scratch.create(ids, new Shape(1, ids.length)))).lastHiddenState();
            out.attach(manager);
            return out;
        }
    }

    @Override
    public void close() {
        unet.close();
        vae.close();
        if (textEncoder != null) {
            textEncoder.close();
        }
    }
}
