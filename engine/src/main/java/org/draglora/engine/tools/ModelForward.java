package org.draglora.engine.tools;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.draglora.engine.nn.Ops;
import org.draglora.engine.clip.CLIPTextModel;
import org.draglora.engine.lora.LoraIo;
import org.draglora.engine.lora.LoraSet;
import org.draglora.engine.model.ComponentSource;
import org.draglora.engine.model.ModelComponent;
import org.draglora.engine.model.ModelLoader;
import org.draglora.engine.model.ModelPath;
import org.draglora.engine.runtime.EngineRuntime;
import org.draglora.engine.unet.ForwardContext;
import org.draglora.engine.unet.UNet2DConditionModel;
import org.draglora.engine.unet.UNetOutput;
import org.draglora.engine.vae.AutoencoderKL;
import org.draglora.engine.weights.DType;
import org.draglora.engine.weights.SafetensorsFile;
import org.draglora.engine.weights.SafetensorsWriter;
import org.draglora.engine.weights.TensorInfo;
import org.draglora.engine.weights.WeightArrays;

/**
 * {@code draglora model forward}: runs one component on tensors from a safetensors file and writes
 * the outputs, so anyone can compare this engine with their own reference on their own inputs.
 *
 * <ul>
 *   <li>UNet: reads {@code sample} (B, in, H, W), {@code timesteps} (B), (1) or scalar, integer or
 *       float, and {@code encoder_hidden_states} (B, M, C); writes {@code eps}, {@code mid_block},
 *       {@code up_blocks.0} ... {@code up_blocks.3}. {@code --lora} applies a LoRA file.
 *   <li>VAE: reads {@code image} (B, 3, H, W) in [-1, 1] and/or {@code latent} (B, 4, h, w); writes
 *       {@code latent_mean} (posterior mean of encoding the image) and/or {@code decoded}, both
 *       without the SD scaling factor.
 *   <li>Text encoder: reads {@code input_ids} (B, L) integers; writes {@code last_hidden_state}.
 * </ul>
 *
 * Bad inputs (missing tensor, wrong shape, unknown model class) are {@link IllegalArgumentException}s
 * whose message is one line.
 */
public final class ModelForward {

    /** What was written: output names with their shapes, and the component that ran. */
    public record Summary(ModelComponent component, Map<String, long[]> outputs) {
        /** One line per output, {@code name 2x4x16x16}. */
        public String describe() {
            StringBuilder b = new StringBuilder(component.className());
            outputs.forEach((k, v) -> b.append("\n  ").append(k).append(' ').append(TensorInfo.shapeText(v)));
            return b.toString();
        }
    }

    private ModelForward() {}

    /**
     * Runs {@code component} (or the one the path holds, when {@code null}) of the model at
     * {@code model} on {@code inputs} and writes {@code out}.
     */
    public static Summary run(ModelPath model, ModelComponent component, Path lora, Path inputs, Path out,
            EngineRuntime runtime) throws IOException {
        ModelPath mp = model;
        ModelComponent c = component != null ? component : ComponentSource.detect(mp);
        if (lora != null && c != ModelComponent.UNET) {
            throw new IllegalArgumentException("--lora applies to a UNet, not to a " + c.className());
        }
        if (!inputs.toFile().isFile()) {
            throw new IllegalArgumentException("inputs file not found: " + inputs);
        }
        Map<String, NDArray> results = new LinkedHashMap<>();
        try (SafetensorsFile in = SafetensorsFile.open(inputs); NDManager m = runtime.newManager()) {
            switch (c) {
                case UNET -> unet(model, lora, in, m, runtime, results);
                case VAE -> vae(model, in, m, runtime, results);
                case TEXT_ENCODER -> text(model, in, m, runtime, results);
            }
            SafetensorsWriter w = new SafetensorsWriter().metadata("format", "pt").metadata("producer", "draglora");
            Map<String, long[]> shapes = new LinkedHashMap<>();
            results.forEach((k, v) -> {
                WeightArrays.add(w, k, v, DType.F32);
                shapes.put(k, v.getShape().getShape());
            });
            w.write(out);
            return new Summary(c, shapes);
        }
    }

    private static void unet(ModelPath model, Path loraFile, SafetensorsFile in, NDManager m, EngineRuntime rt,
            Map<String, NDArray> results) throws IOException {
        try (UNet2DConditionModel unet = ModelLoader.unet(model, rt)) {
            var cfg = unet.config();
            NDArray sample = floats(in, m, "sample", 4);
            requireDim(in, "sample", 1, cfg.inChannels());
            long batch = sample.getShape().get(0);
            NDArray text = floats(in, m, "encoder_hidden_states", 3);
            requireDim(in, "encoder_hidden_states", 0, batch);
            requireDim(in, "encoder_hidden_states", 2, cfg.crossAttentionDim());
            long spatial = 1L << (cfg.blockCount() - 1);
            if (sample.getShape().get(2) % spatial != 0 || sample.getShape().get(3) % spatial != 0) {
                throw new IllegalArgumentException("sample is " + shape(in, "sample") + ": height and width must be "
                        + "multiples of " + spatial + " for this UNet");
            }
            NDArray timesteps = timesteps(in, m, batch);
            ForwardContext ctx = ForwardContext.DEFAULT;
            if (loraFile != null) {
                LoraSet lora = LoraIo.load(loraFile, unet, m);
                ctx = ForwardContext.of(lora);
            }
            UNetOutput o = unet.forward(sample, timesteps, text, ctx);
            results.put("eps", o.sample());
            results.put("mid_block", o.midBlock());
            for (int i = 0; i < o.upBlocks().size(); i++) {
                results.put("up_blocks." + i, o.upBlocks().get(i));
            }
        }
    }

    private static void vae(ModelPath model, SafetensorsFile in, NDManager m, EngineRuntime rt, Map<String, NDArray> results)
            throws IOException {
        boolean hasImage = in.tensors().containsKey("image");
        boolean hasLatent = in.tensors().containsKey("latent");
        if (!hasImage && !hasLatent) {
            throw new IllegalArgumentException(in.path() + " has neither 'image' nor 'latent' (a VAE reads at least one)");
        }
        try (AutoencoderKL vae = ModelLoader.vae(model, rt)) {
            if (hasImage) {
                floats(in, m, "image", 4);
                requireDim(in, "image", 1, vae.config().inChannels());
                long factor = 1L << (vae.config().blockCount() - 1);
                long[] s = in.info("image").shape();
                if (s[2] % factor != 0 || s[3] % factor != 0) {
                    throw new IllegalArgumentException("image is " + shape(in, "image") + ": height and width must be "
                            + "multiples of " + factor);
                }
                results.put("latent_mean", vae.encode(floats(in, m, "image", 4)).mean());
            }
            if (hasLatent) {
                NDArray latent = floats(in, m, "latent", 4);
                requireDim(in, "latent", 1, vae.config().latentChannels());
                results.put("decoded", vae.decode(latent));
            }
        }
    }

    private static void text(ModelPath model, SafetensorsFile in, NDManager m, EngineRuntime rt, Map<String, NDArray> results)
            throws IOException {
        require(in, "input_ids");
        TensorInfo info = in.info("input_ids");
        if (info.shape().length != 2 || (info.dtype() != DType.I64 && info.dtype() != DType.I32)) {
            throw new IllegalArgumentException("input_ids must be I64 or I32 (B, L), got " + info.dtype() + " "
                    + info.shapeText());
        }
        try (CLIPTextModel clip = ModelLoader.textEncoder(model, rt)) {
            long[] ids = in.readLongs("input_ids");
            long vocab = clip.config().vocabSize();
            for (long id : ids) {
                if (id < 0 || id >= vocab) {
                    throw new IllegalArgumentException("input_ids holds " + id + ", outside the vocabulary 0.." + (vocab - 1));
                }
            }
            if (info.shape()[1] > clip.config().maxPositionEmbeddings()) {
                throw new IllegalArgumentException("input_ids has " + info.shape()[1] + " positions; the model takes at most "
                        + clip.config().maxPositionEmbeddings());
            }
            results.put("last_hidden_state", clip.forward(Ops.owned(m.create(ids, new Shape(info.shape())))).lastHiddenState());
        }
    }

    private static NDArray timesteps(SafetensorsFile in, NDManager m, long batch) throws IOException {
        require(in, "timesteps");
        TensorInfo info = in.info("timesteps");
        long n = info.elementCount();
        if (info.shape().length > 1 || (n != 1 && n != batch)) {
            throw new IllegalArgumentException("timesteps must be a scalar, (1) or (" + batch + "), got " + info.shapeText());
        }
        long[] values;
        if (info.dtype().isFloating()) {
            float[] f = in.readFloats("timesteps");
            values = new long[f.length];
            for (int i = 0; i < f.length; i++) {
                values[i] = Math.round(f[i]);
            }
        } else {
            values = in.readLongs("timesteps");
        }
        for (long t : values) {
            if (t < 0 || t > 999) {
                throw new IllegalArgumentException("timestep " + t + " is outside 0..999");
            }
        }
        return Ops.owned(m.create(values, new Shape(values.length)));
    }

    private static void require(SafetensorsFile in, String name) {
        if (!in.tensors().containsKey(name)) {
            List<String> have = new ArrayList<>(in.tensors().keySet());
            throw new IllegalArgumentException(in.path() + " lacks the tensor '" + name + "' (it has " + have + ")");
        }
    }

    private static NDArray floats(SafetensorsFile in, NDManager m, String name, int rank) throws IOException {
        require(in, name);
        TensorInfo info = in.info(name);
        if (!info.dtype().isFloating()) {
            throw new IllegalArgumentException(name + " must be a float tensor, got " + info.dtype());
        }
        if (info.shape().length != rank) {
            throw new IllegalArgumentException(name + " must have " + rank + " dimensions, got " + info.shapeText());
        }
        return Ops.owned(m.create(in.readFloats(name), new Shape(info.shape())));
    }

    private static void requireDim(SafetensorsFile in, String name, int axis, long expected) {
        long[] s = in.info(name).shape();
        if (s[axis] != expected) {
            throw new IllegalArgumentException(name + " is " + shape(in, name) + ": dimension " + axis + " must be "
                    + expected + " for this model");
        }
    }

    private static String shape(SafetensorsFile in, String name) {
        return Arrays.toString(in.info(name).shape());
    }
}
