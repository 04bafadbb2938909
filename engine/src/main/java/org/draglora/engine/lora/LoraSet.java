package org.draglora.engine.lora;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.draglora.engine.nn.Ops;
import org.draglora.engine.nn.Linear;
import org.draglora.engine.nn.LinearAdapters;
import org.draglora.engine.unet.UNet2DConditionModel;

/**
 * A set of LoRA adapters by layer key path, passed into each forward call of a shared base model
 * (which it never mutates). It is what a session trains: {@link #parameters()} are the only
 * arrays that receive gradients; the base weights stay frozen. {@link #fuse} gives the frozen
 * fused view {@code W + scale * up @ down} that the reference uses for its "ori" UNet.
 *
 * <p>The arrays belong to the manager given at creation; closing that manager frees them.
 */
public final class LoraSet implements LinearAdapters {

    private final Map<String, LoraAdapter> adapters;

    public LoraSet(Map<String, LoraAdapter> adapters) {
        this.adapters = Collections.unmodifiableMap(new LinkedHashMap<>(adapters));
    }

    /**
     * Fresh adapters on every LoRA target of the UNet (to_q, to_k, to_v, to_out.0 of every
     * attention): down ~ N(0, 1/rank) (std 1/rank), up = 0, scale 1, so the model starts
     * unchanged (ALGORITHM.md §1.4, §4: diffusers 0.24 LoRALinearLayer init). The draws come from
     * a Java generator seeded with {@code seed}, so a session can be re-executed exactly.
     */
    public static LoraSet init(UNet2DConditionModel unet, int rank, NDManager manager, long seed) {
        if (rank < 1) {
            throw new IllegalArgumentException("LoRA rank must be at least 1, got " + rank);
        }
        SplittableRandom random = new SplittableRandom(seed);
        Map<String, LoraAdapter> m = new LinkedHashMap<>();
        for (Linear target : unet.loraTargets()) {
            long in = target.weight().getShape().get(1);
            long out = target.weight().getShape().get(0);
            float[] down = new float[Math.toIntExact(rank * in)];
            for (int i = 0; i < down.length; i++) {
                down[i] = (float) (gaussian(random) / rank);
            }
            NDArray d = Ops.owned(manager.create(down, new Shape(rank, in)));
            NDArray u = manager.zeros(new Shape(out, rank), DataType.FLOAT32);
            m.put(target.path(), new LoraAdapter(d, u, 1f));
        }
        return new LoraSet(m);
    }

    private static double gaussian(SplittableRandom random) {
        // Box-Muller: SplittableRandom has no nextGaussian on Java 17
        double u1 = random.nextDouble();
        double u2 = random.nextDouble();
        return Math.sqrt(-2.0 * Math.log(1.0 - u1)) * Math.cos(2.0 * Math.PI * u2);
    }

    /** The adapters by layer path, in model order. */
    public Map<String, LoraAdapter> adapters() {
        return adapters;
    }

    /** Number of adapted layers. */
    public int size() {
        return adapters.size();
    }

    /** The rank of the first adapter (all adapters of a set made here share it). */
    public long rank() {
        return adapters.isEmpty() ? 0 : adapters.values().iterator().next().rank();
    }

    /** The trainable arrays, down then up of each layer, in model order. */
    public List<NDArray> parameters() {
        List<NDArray> p = new ArrayList<>();
        for (LoraAdapter a : adapters.values()) {
            p.add(a.down());
            p.add(a.up());
        }
        return p;
    }

    /** Number of trainable scalars. */
    public long parameterCount() {
        long n = 0;
        for (NDArray a : parameters()) {
            n += a.size();
        }
        return n;
    }

    /** Marks every parameter as requiring a gradient (or not). */
    public void setRequiresGradient(boolean requires) {
        parameters().forEach(p -> p.setRequiresGradient(requires));
    }

    /** A deep copy into {@code manager} (gradients not copied). */
    public LoraSet copy(NDManager manager) {
        Map<String, LoraAdapter> m = new LinkedHashMap<>();
        adapters.forEach((path, a) -> m.put(path, new LoraAdapter(
                copyOf(a.down(), manager), copyOf(a.up(), manager), a.scale())));
        return new LoraSet(m);
    }

    private static NDArray copyOf(NDArray a, NDManager manager) {
        NDArray c = a.duplicate();
        c.attach(manager);
        return c;
    }

    /**
     * Checks that every adapter names a LoRA target of {@code unet} with matching features, and
     * lists every offending path otherwise.
     */
    public void validateAgainst(UNet2DConditionModel unet) {
        Map<String, Linear> targets = new LinkedHashMap<>();
        unet.loraTargets().forEach(t -> targets.put(t.path(), t));
        List<String> problems = new ArrayList<>();
        adapters.forEach((path, a) -> {
            Linear t = targets.get(path);
            if (t == null) {
                problems.add(path + ": not a LoRA target of this UNet");
            } else if (t.weight() != null && (t.weight().getShape().get(0) != a.out()
                    || t.weight().getShape().get(1) != a.in())) {
                problems.add(path + ": adapter " + a.in() + "->" + a.out() + ", layer " + t.weight().getShape().get(1)
                        + "->" + t.weight().getShape().get(0));
            }
        });
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException("LoRA does not fit the UNet (" + problems.size() + " problems): "
                    + String.join("; ", problems.subList(0, Math.min(10, problems.size())))
                    + (problems.size() > 10 ? "; ..." : ""));
        }
    }

    /**
     * The frozen fused view: for every adapted layer {@code W + scale * up @ down} in {@code manager}.
     * Running the base model with it equals running it with this set (up to float rounding) and
     * costs one matrix product per layer instead of three.
     */
    public FusedLora fuse(UNet2DConditionModel unet, NDManager manager) {
        validateAgainst(unet);
        Map<String, NDArray> fused = new LinkedHashMap<>();
        for (Linear t : unet.loraTargets()) {
            LoraAdapter a = adapters.get(t.path());
            if (a == null) {
                continue;
            }
            try (NDManager scratch = manager.newSubManager()) {
                NDArray up = a.up().duplicate();
                NDArray down = a.down().duplicate();
                NDArray base = t.weight().toType(DataType.FLOAT32, true);
                up.attach(scratch);
                down.attach(scratch);
                base.attach(scratch);
                // (out, r) @ (r, in) -> (out, in); scratch operands first, so results land in scratch
                NDArray delta = up.matMul(down);
                NDArray w = base.add(a.scale() == 1f ? delta : Ops.scale(delta, a.scale())).toType(t.weight().getDataType(), false);
                w.attach(manager);
                fused.put(t.path(), w);
            }
        }
        return new FusedLora(fused);
    }

    @Override
    public NDArray delta(String path, NDArray x) {
        LoraAdapter a = adapters.get(path);
        if (a == null) {
            return null;
        }
        DataType loraType = a.down().getDataType();
        // the LoRA input is cast to the LoRA weight type and the output back (ALGORITHM.md §1.4)
        NDArray in = x.getDataType() == loraType ? x : x.toType(loraType, false);
        NDArray y = ai.djl.nn.core.Linear.linear(ai.djl.nn.core.Linear.linear(in, a.down()).singletonOrThrow(), a.up())
                .singletonOrThrow();
        if (a.scale() != 1f) {
            y = Ops.scale(y, a.scale());
        }
        return y.getDataType() == x.getDataType() ? y : y.toType(x.getDataType(), false);
    }
}
