package org.draglora.engine.lora;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.draglora.engine.unet.UNet2DConditionModel;
import org.draglora.engine.weights.DType;
import org.draglora.engine.weights.SafetensorsFile;
import org.draglora.engine.weights.SafetensorsWriter;
import org.draglora.engine.weights.WeightArrays;

/**
 * Reads and writes UNet LoRA weights as safetensors in the namings diffusers reads
 * ({@code loaders/lora_conversion_utils.py}):
 *
 * <ul>
 *   <li>PEFT: {@code unet.<layer>.lora_A.weight} (down) and {@code unet.<layer>.lora_B.weight} (up),
 *       what recent diffusers' {@code save_lora_weights} writes; the prefix may also be
 *       {@code base_model.model.} or absent;
 *   <li>legacy diffusers: {@code unet.<layer>.lora.down.weight} / {@code .lora.up.weight}, what
 *       diffusers up to 0.26 (and DragDiffusion's trainer) writes;
 *   <li>attention-processor form: {@code <attention>.processor.to_q_lora.down.weight}, ... with
 *       {@code to_out_lora} for {@code to_out.0}.
 * </ul>
 *
 * An optional {@code <layer>.alpha} scalar gives scale alpha / rank; without it the scale is 1.
 * Loading is strict: every key must be understood and fit the UNet.
 */
public final class LoraIo {

    /** The key layout to write. */
    public enum Naming { PEFT, LEGACY }

    private static final Pattern PEFT = Pattern.compile("(.+)\\.lora_([AB])\\.weight");
    private static final Pattern LEGACY = Pattern.compile("(.+)\\.lora\\.(down|up)\\.weight");
    private static final Pattern PROCESSOR = Pattern.compile("(.+)\\.processor\\.(to_q|to_k|to_v|to_out)_lora\\.(down|up)\\.weight");
    private static final Pattern ALPHA = Pattern.compile("(.+?)(\\.lora)?\\.alpha");

    private LoraIo() {}

    /** Loads a LoRA file for {@code unet} into {@code manager} (float32). */
    public static LoraSet load(Path file, UNet2DConditionModel unet, NDManager manager) throws IOException {
        try (SafetensorsFile f = SafetensorsFile.open(file)) {
            Map<String, NDArray> downs = new LinkedHashMap<>();
            Map<String, NDArray> ups = new LinkedHashMap<>();
            Map<String, Float> alphas = new LinkedHashMap<>();
            List<String> unknown = new ArrayList<>();
            for (String key : f.tensors().keySet()) {
                String k = stripPrefix(key);
                Matcher m;
                if ((m = PROCESSOR.matcher(k)).matches()) {
                    String layer = m.group(1) + "." + (m.group(2).equals("to_out") ? "to_out.0" : m.group(2));
                    put(m.group(3).equals("down") ? downs : ups, layer, WeightArrays.read(f, key, manager, DataType.FLOAT32));
                } else if ((m = PEFT.matcher(k)).matches()) {
                    put(m.group(2).equals("A") ? downs : ups, m.group(1), WeightArrays.read(f, key, manager, DataType.FLOAT32));
                } else if ((m = LEGACY.matcher(k)).matches()) {
                    put(m.group(2).equals("down") ? downs : ups, m.group(1), WeightArrays.read(f, key, manager, DataType.FLOAT32));
                } else if ((m = ALPHA.matcher(k)).matches()) {
                    alphas.put(m.group(1), f.readFloats(key)[0]);
                } else {
                    unknown.add(key);
                }
            }
            TreeSet<String> unpaired = new TreeSet<>(downs.keySet());
            unpaired.addAll(ups.keySet());
            unpaired.removeIf(l -> downs.containsKey(l) && ups.containsKey(l));
            if (!unknown.isEmpty() || !unpaired.isEmpty()) {
                throw new IllegalArgumentException(file + ": not a UNet LoRA file this tool understands: "
                        + (unknown.isEmpty() ? "" : unknown.size() + " unknown keys (first: " + unknown.get(0) + ") ")
                        + (unpaired.isEmpty() ? "" : unpaired.size() + " layers without both factors (first: "
                                + unpaired.first() + ")"));
            }
            Map<String, LoraAdapter> adapters = new LinkedHashMap<>();
            for (String layer : downs.keySet()) {
                NDArray down = downs.get(layer);
                Float alpha = alphas.remove(layer);
                float scale = alpha == null ? 1f : alpha / down.getShape().get(0);
                adapters.put(layer, new LoraAdapter(down, ups.get(layer), scale));
            }
            if (!alphas.isEmpty()) {
                throw new IllegalArgumentException(file + ": alpha for layers without LoRA factors: " + alphas.keySet());
            }
            LoraSet set = new LoraSet(adapters);
            set.validateAgainst(unet);
            return set;
        }
    }

    private static void put(Map<String, NDArray> map, String layer, NDArray value) {
        if (map.put(layer, value) != null) {
            throw new IllegalArgumentException("LoRA factor of " + layer + " appears twice");
        }
    }

    private static String stripPrefix(String key) {
        for (String prefix : new String[] {"unet.", "base_model.model."}) {
            if (key.startsWith(prefix)) {
                return key.substring(prefix.length());
            }
        }
        return key;
    }

    /** Writes {@code set} with the {@code unet.} prefix, in the chosen naming, as F32. */
    public static void save(LoraSet set, Path file, Naming naming) throws IOException {
        writer(set, naming).write(file);
    }

    /** {@code set} as the bytes of a safetensors file, as {@link #save} writes it. */
    public static byte[] toBytes(LoraSet set, Naming naming) throws IOException {
        return writer(set, naming).toBytes();
    }

    private static SafetensorsWriter writer(LoraSet set, Naming naming) {
        SafetensorsWriter w = new SafetensorsWriter().metadata("format", "pt");
        set.adapters().forEach((layer, a) -> {
            String down = naming == Naming.PEFT ? ".lora_A.weight" : ".lora.down.weight";
            String up = naming == Naming.PEFT ? ".lora_B.weight" : ".lora.up.weight";
            WeightArrays.add(w, "unet." + layer + down, a.down(), DType.F32);
            WeightArrays.add(w, "unet." + layer + up, a.up(), DType.F32);
            if (a.scale() != 1f) {
                w.addFloats("unet." + layer + ".alpha", new long[] {}, new float[] {a.scale() * a.rank()});
            }
        });
        return w;
    }
}
