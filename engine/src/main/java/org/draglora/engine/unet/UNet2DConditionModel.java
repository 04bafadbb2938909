package org.draglora.engine.unet;

import static org.draglora.engine.nn.Ops.silu;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Set;
import org.draglora.engine.nn.AdaptableLayer;
import org.draglora.engine.nn.Conv2d;
import org.draglora.engine.nn.GroupNorm;
import org.draglora.engine.nn.Linear;
import org.draglora.engine.nn.Ops;
import org.draglora.engine.weights.WeightLoadException;
import org.draglora.engine.weights.WeightScope;
import org.draglora.engine.weights.WeightSource;

/**
 * Port of diffusers {@code UNet2DConditionModel} (models/unets/unet_2d_condition.py, v0.27), the
 * SD 1.5 path. The forward returns the noise prediction and the features of the mid block and of
 * every up block ({@link UNetOutput}).
 *
 * <p>Keys at the root: conv_in, time_embedding, down_blocks.N, mid_block, up_blocks.N,
 * conv_norm_out, conv_out. Shapes: sample (B, in, H, W), timesteps (B) or (1) or scalar,
 * encoderHiddenStates (B, M, crossAttentionDim) -> eps (B, out, H, W).
 *
 * <p>The model is shared by every session and never mutated: per-session LoRA, attention
 * processors and feature taps travel in the {@link ForwardContext}.
 */
public final class UNet2DConditionModel implements AutoCloseable {

    private final UNet2DConditionConfig config;
    private final NDManager manager;
    private final DataType dtype;
    private final Timesteps timeProj;
    private final TimestepEmbedding timeEmbedding;
    private final Conv2d convIn;
    private final List<DownBlock> downBlocks = new ArrayList<>();
    private final UNetMidBlock2DCrossAttn midBlock;
    private final List<UpBlock> upBlocks = new ArrayList<>();
    private final GroupNorm convNormOut;
    private final Conv2d convOut;

    /** Builds (and so loads) the model from {@code w}; the model owns {@code w.manager()}. */
    public UNet2DConditionModel(WeightScope w, UNet2DConditionConfig cfg) {
        this.config = cfg;
        this.manager = w.manager();
        this.dtype = w.dtype();
        List<Integer> ch = cfg.blockOutChannels();
        int n = cfg.blockCount();
        long temb = cfg.timeEmbedDim();
        timeProj = new Timesteps(ch.get(0), cfg.flipSinToCos(), cfg.freqShift());
        timeEmbedding = new TimestepEmbedding(w.child("time_embedding"), ch.get(0), temb);
        convIn = new Conv2d(w.child("conv_in"), cfg.inChannels(), ch.get(0), 3, 1, 1);

        long out = ch.get(0);
        for (int i = 0; i < n; i++) {
            long in = out;
            out = ch.get(i);
            boolean last = i == n - 1;
            WeightScope b = w.child("down_blocks").child(i);
            downBlocks.add(cfg.downBlockTypes().get(i).equals(UNet2DConditionConfig.CROSS_DOWN)
                    ? new CrossAttnDownBlock2D(b, cfg, in, out, temb, cfg.attentionHeads().get(i), !last)
                    : new DownBlock2D(b, cfg, in, out, temb, !last));
        }
        midBlock = new UNetMidBlock2DCrossAttn(w.child("mid_block"), cfg, ch.get(n - 1), temb,
                cfg.attentionHeads().get(n - 1));

        long prevOut = ch.get(n - 1);
        for (int i = 0; i < n; i++) {
            int rev = n - 1 - i;
            long blockOut = ch.get(rev);
            long blockIn = ch.get(Math.max(rev - 1, 0));
            boolean last = i == n - 1;
            WeightScope b = w.child("up_blocks").child(i);
            upBlocks.add(cfg.upBlockTypes().get(i).equals(UNet2DConditionConfig.CROSS_UP)
                    ? new CrossAttnUpBlock2D(b, cfg, blockIn, blockOut, prevOut, temb, cfg.attentionHeads().get(rev), !last)
                    : new UpBlock2D(b, cfg, blockIn, blockOut, prevOut, temb, !last));
            prevOut = blockOut;
        }
        convNormOut = new GroupNorm(w.child("conv_norm_out"), cfg.normNumGroups(), ch.get(0), cfg.normEps());
        convOut = new Conv2d(w.child("conv_out"), ch.get(0), cfg.outChannels(), 3, 1, 1);
    }

    /**
     * Strict load from {@code source} into {@code manager} (which the model then owns) with weights
     * of type {@code dtype}; on a key or shape mismatch the manager is closed and a
     * {@link WeightLoadException} lists every problem.
     */
    public static UNet2DConditionModel load(WeightSource source, NDManager manager, DataType dtype,
            UNet2DConditionConfig cfg) {
        WeightScope w = WeightScope.load(source, manager, dtype, key -> false);
        UNet2DConditionModel unet = new UNet2DConditionModel(w, cfg);
        try {
            w.verify();
        } catch (WeightLoadException e) {
            unet.close();
            throw e;
        }
        return unet;
    }

    /** The configuration. */
    public UNet2DConditionConfig config() {
        return config;
    }

    /** The element type of the weights. */
    public DataType dtype() {
        return dtype;
    }

    /** Every Attention module in call order (attn1 then attn2 of each transformer block). */
    public List<Attention> attentions() {
        List<Attention> all = new ArrayList<>();
        downBlocks.forEach(b -> all.addAll(b.attentions()));
        all.addAll(midBlock.attentions());
        upBlocks.forEach(b -> all.addAll(b.attentions()));
        return all;
    }

    /**
     * The key paths of the self-attention layers in call order; index {@code i} is the reference
     * code's self-attention block index (ALGORITHM.md §1.3: 10..15 are up_blocks.2 and up_blocks.3
     * in SD 1.5).
     */
    public List<String> selfAttentionPaths() {
        List<String> paths = new ArrayList<>();
        for (Attention a : attentions()) {
            if (a.isSelfAttention()) {
                paths.add(a.path());
            }
        }
        return paths;
    }

    /** The linear layers LoRA adapts by default: to_q, to_k, to_v, to_out.0 of every attention. */
    public List<Linear> loraTargets() {
        List<Linear> all = new ArrayList<>();
        attentions().forEach(a -> all.addAll(a.projections()));
        return all;
    }

    /** The resnets in call order: down blocks, mid block, up blocks. */
    public List<ResnetBlock2D> resnets() {
        List<ResnetBlock2D> all = new ArrayList<>();
        downBlocks.forEach(b -> all.addAll(b.resnets()));
        all.addAll(midBlock.resnets());
        upBlocks.forEach(b -> all.addAll(b.resnets()));
        return all;
    }

    /** The layers of the given kinds, in model order (attention projections, then resnet convolutions). */
    public List<AdaptableLayer> loraTargets(Set<LoraTarget> kinds) {
        List<AdaptableLayer> all = new ArrayList<>();
        if (kinds.contains(LoraTarget.ATTENTION)) {
            all.addAll(loraTargets());
        }
        if (kinds.contains(LoraTarget.RESNET_CONVS)) {
            resnets().forEach(r -> all.addAll(r.convs()));
        }
        return all;
    }

    /** The forward pass with one timestep for the whole batch. */
    public UNetOutput forward(NDArray sample, long timestep, NDArray encoderHiddenStates, ForwardContext ctx) {
        NDArray t = Ops.owned(sample.getManager().create(new long[] {timestep}));
        return forward(sample, t, encoderHiddenStates, ctx);
    }

    /**
     * The forward pass. Every intermediate and output belongs to {@code sample}'s manager (the other
     * inputs are borrowed into it), so pass a sample owned by the step's manager, e.g.
     * {@code Ops.borrow(latent, step)}; a long-lived sample would collect a whole forward pass of
     * activations in its long-lived manager.
     */
    public UNetOutput forward(NDArray sample, NDArray timesteps, NDArray encoderHiddenStates, ForwardContext ctx) {
        long batch = sample.getShape().get(0);
        // every intermediate goes to the sample's manager, whoever owns the other inputs
        NDManager step = sample.getManager();
        NDArray x = sample.toType(dtype, false);
        NDArray text = Ops.borrow(encoderHiddenStates, step).toType(dtype, false);
        timesteps = Ops.borrow(timesteps, step);
        FeatureTap tap = ctx.tap();

        // 1. time: one timestep per sample (a single one is broadcast to the batch)
        NDArray t = timesteps.getShape().size() == 1 && batch > 1
                ? timesteps.reshape(1).broadcast(new Shape(batch)) : timesteps.reshape(batch);
        NDArray tProj = timeProj.forward(t).toType(dtype, false);
        tap.accept("time_proj", tProj);
        NDArray temb = timeEmbedding.forward(tProj);
        tap.accept("time_embedding", temb);

        // 2. pre-process
        x = convIn.forward(x);
        tap.accept("conv_in", x);

        // 3. down: the skip stack starts with the conv_in output
        Deque<NDArray> skips = new ArrayDeque<>();
        skips.addLast(x);
        for (int i = 0; i < downBlocks.size(); i++) {
            DownBlock.Output o = downBlocks.get(i).forward(x, temb, text, ctx);
            x = o.hiddenStates();
            o.resSamples().forEach(skips::addLast);
            tap.accept("down_blocks." + i, x);
        }

        // 4. mid
        x = midBlock.forward(x, temb, text, ctx);
        NDArray mid = x;
        tap.accept("mid_block", mid);

        // 5. up: each block pops its skips from the end; features are taken after the upsampler
        List<NDArray> ups = new ArrayList<>();
        for (int i = 0; i < upBlocks.size(); i++) {
            x = upBlocks.get(i).forward(x, skips, temb, text, ctx);
            ups.add(toFloat32(x));
            tap.accept("up_blocks." + i, x);
        }

        // 6. post-process
        NDArray eps = convOut.forward(silu(convNormOut.forward(x)));
        return new UNetOutput(toFloat32(eps), toFloat32(mid), ups);
    }

    private NDArray toFloat32(NDArray a) {
        return a.getDataType() == DataType.FLOAT32 ? a : a.toType(DataType.FLOAT32, false);
    }

    /** Frees the weights. */
    @Override
    public void close() {
        if (manager != null) {
            manager.close();
        }
    }
}
