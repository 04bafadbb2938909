package org.draglora.engine.lora;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import org.draglora.engine.nn.AdaptableLayer;
import org.draglora.engine.nn.Conv2d;
import org.draglora.engine.nn.LayerAdapters;
import org.draglora.engine.nn.Ops;
import org.draglora.engine.unet.LoraTarget;
import org.draglora.engine.unet.UNet2DConditionModel;

/**
 * A set of LoRA adapters by layer key path, passed into each forward call of a shared base model
 * (which it never mutates). It is what a session trains: {@link #parameters()} are the only
 * arrays that receive gradients; the base weights stay frozen. {@link #fuse} gives the frozen
 * fused view {@code W + scale * up @ down} that the reference uses for its "ori" UNet.
 *
 * <p>The arrays belong to the manager given at creation; closing that manager frees them.
 */
public final class LoraSet implements LayerAdapters {

    private final Map<String, LoraAdapter> adapters;

    public LoraSet(Map<String, LoraAdapter> adapters) {
        this.adapters = Collections.unmodifiableMap(new LinkedHashMap<>(adapters));
    }

    /**
     * Fresh adapters on every LoRA target of the UNet (to_q, to_k, to_v, to_out.0 of every attention):
     * down ~ N(0, 1/rank) (std 1/rank), up = 0, scale 1, so the model starts unchanged
     * (ALGORITHM.md §1.4, §4: diffusers 0.24 LoRALinearLayer init). The draws come from a Java
     * generator seeded with {@code seed}, so a session can be re-executed exactly.
     */
    public static LoraSet init(UNet2DConditionModel unet, int rank, NDManager manager, long seed) {
        return init(unet, EnumSet.of(LoraTarget.ATTENTION), rank, manager, seed);
    }

    /**
     * Fresh adapters on every layer of the given kinds, initialised as {@link #init(UNet2DConditionModel,
     * int, NDManager, long)} does; a convolution's down factor is (rank, in, k, k) and its up
     * factor (out, rank, 1, 1) (diffusers LoRAConv2dLayer: the same normal(std 1/rank) / zeros init).
     */
    public static LoraSet init(UNet2DConditionModel unet, Set<LoraTarget> targets, int rank, NDManager manager,
            long seed) {
        if (rank < 1) {
            throw new IllegalArgumentException("LoRA rank must be at least 1, got " + rank);
        }
        if (targets.isEmpty()) {
            throw new IllegalArgumentException("a LoRA needs at least one target kind");
        }
        SplittableRandom random = new SplittableRandom(seed);
        Map<String, LoraAdapter> m = new LinkedHashMap<>();
        for (AdaptableLayer target : unet.loraTargets(targets)) {
            long[] w = target.weight().getShape().getShape();
            // linear (out, in) -> down (r, in), up (out, r);
            // conv (out, in, k, k) -> down (r, in, k, k), up (out, r, 1, 1)
            Shape downShape = w.length == 2 ? new Shape(rank, w[1]) : new Shape(rank, w[1], w[2], w[3]);
            Shape upShape = w.length == 2 ? new Shape(w[0], rank) : new Shape(w[0], rank, 1, 1);
            float[] down = new float[Math.toIntExact(downShape.size())];
            for (int i = 0; i < down.length; i++) {
                down[i] = (float) (gaussian(random) / rank);
            }
            NDArray d = Ops.owned(manager.create(down, downShape));
            NDArray u = manager.zeros(upShape, DataType.FLOAT32);
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
     * Checks that every adapter names a layer of {@code unet} that LoRA can adapt (an attention
     * projection or a resnet convolution) with matching shapes, and lists every offending path
     * otherwise.
     */
    public void validateAgainst(UNet2DConditionModel unet) {
        Map<String, AdaptableLayer> targets = targetsByPath(unet);
        List<String> problems = new ArrayList<>();
        adapters.forEach((path, a) -> {
            AdaptableLayer t = targets.get(path);
            if (t == null) {
                problems.add(path + ": not a LoRA target of this UNet");
            } else if (t.weight() != null && !fits(a, t.weight().getShape())) {
                problems.add(path + ": adapter down " + a.down().getShape() + " up " + a.up().getShape() + ", layer "
                        + t.weight().getShape());
            }
        });
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException("LoRA does not fit the UNet (" + problems.size() + " problems): "
                    + String.join("; ", problems.subList(0, Math.min(10, problems.size())))
                    + (problems.size() > 10 ? "; ..." : ""));
        }
    }

    private static Map<String, AdaptableLayer> targetsByPath(UNet2DConditionModel unet) {
        Map<String, AdaptableLayer> targets = new LinkedHashMap<>();
        unet.loraTargets(EnumSet.allOf(LoraTarget.class)).forEach(t -> targets.put(t.path(), t));
        return targets;
    }

    private static boolean fits(LoraAdapter a, Shape layer) {
        if (a.isConv() != (layer.dimension() == 4)) {
            return false;
        }
        return layer.get(0) == a.out() && layer.get(1) == a.in() && (!a.isConv() || layer.get(2) == a.kernel());
    }

    /** The kinds of layer this set adapts. */
    public Set<LoraTarget> targets() {
        Set<LoraTarget> kinds = EnumSet.noneOf(LoraTarget.class);
        adapters.values().forEach(a -> kinds.add(a.isConv() ? LoraTarget.RESNET_CONVS : LoraTarget.ATTENTION));
        return kinds;
    }

    /**
     * The frozen fused view: for every adapted layer {@code W + scale * up @ down} in {@code manager}.
     * Running the base model with it equals running it with this set (up to float rounding) and
     * costs one matrix product per layer instead of three.
     */
    public FusedLora fuse(UNet2DConditionModel unet, NDManager manager) {
        validateAgainst(unet);
        Map<String, NDArray> fused = new LinkedHashMap<>();
        for (AdaptableLayer t : targetsByPath(unet).values()) {
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
                // (out, r[, 1, 1]) -> (out, r); (r, in[, k, k]) -> (r, in*k*k); scratch operands first,
                // so results land in scratch
                NDArray delta = up.reshape(a.out(), a.rank()).matMul(down.reshape(a.rank(), -1));
                // (out, in*k*k) -> the layer's shape (out, in) or (out, in, k, k)
                delta = delta.reshape(base.getShape());
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
        NDArray y;
        if (a.isConv()) {
            // (B, in, H, W) -> kxk conv (B, r, H, W) -> 1x1 conv (B, out, H, W); stride 1, "same" padding
            y = Conv2d.conv(Conv2d.conv(in, a.down(), null, 1, (int) (a.kernel() / 2)), a.up(), null, 1, 0);
        } else {
            y = ai.djl.nn.core.Linear.linear(ai.djl.nn.core.Linear.linear(in, a.down()).singletonOrThrow(), a.up())
                    .singletonOrThrow();
        }
        if (a.scale() != 1f) {
            y = Ops.scale(y, a.scale());
        }
        return y.getDataType() == x.getDataType() ? y : y.toType(x.getDataType(), false);
    }
}
