package org.draglora.engine.lora;

import static org.draglora.engine.testing.Tensors.assertMatchesFixture;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.draglora.engine.nn.Conv2d;
import org.draglora.engine.testing.Tensors;
import org.draglora.engine.testing.TinyUnetBench;
import org.draglora.engine.unet.ForwardContext;
import org.draglora.engine.unet.LoraTarget;
import org.draglora.engine.unet.UNet2DConditionModel;
import org.draglora.engine.unet.UNetOutput;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * LoRA on the resnet convolutions (LoCon: a kxk down convolution to the rank, a 1x1 up
 * convolution) on the tiny fixture UNet: a fresh set changes nothing, the adapters equal their
 * fused kernels, gradients reach the factors and the input (also at a rank that is not a multiple
 * of 16, through the oneDNN guard of STACK.md §2), files round-trip, misfits are rejected.
 */
class ConvLoraTest {

    private static TinyUnetBench bench;
    private static NDManager manager;
    private static UNet2DConditionModel unet;

    @BeforeAll
    static void load() throws Exception {
        bench = new TinyUnetBench();
        manager = bench.manager();
        unet = bench.unet();
    }

    @AfterAll
    static void close() throws Exception {
        bench.close();
    }

    private static UNetOutput forward(NDManager m, NDArray sample, ForwardContext ctx) {
        return bench.forward(m, sample, ctx);
    }

    /** A set on the given targets whose up factors are random too, so that it changes the model. */
    private static LoraSet active(Set<LoraTarget> targets, int rank, NDManager m) {
        LoraSet fresh = LoraSet.init(unet, targets, rank, m, 3);
        Map<String, LoraAdapter> adapters = new LinkedHashMap<>();
        for (Map.Entry<String, LoraAdapter> e : fresh.adapters().entrySet()) {
            LoraAdapter a = e.getValue();
            NDArray up = m.randomNormal(0f, 0.05f, a.up().getShape(), a.up().getDataType());
            adapters.put(e.getKey(), new LoraAdapter(a.down(), up, 0.5f));
        }
        return new LoraSet(adapters);
    }

    @Test
    void freshConvAdaptersSitOnEveryResnetConvAndLeaveTheModelUnchanged() {
        try (NDManager m = manager.newSubManager()) {
            LoraSet lora = LoraSet.init(unet, EnumSet.of(LoraTarget.RESNET_CONVS), 4, m, 7);
            assertEquals(2 * unet.resnets().size(), lora.size());
            assertEquals(EnumSet.of(LoraTarget.RESNET_CONVS), lora.targets());
            LoraAdapter first = lora.adapters().get("down_blocks.0.resnets.0.conv1");
            Conv2d conv = unet.resnets().get(0).convs().get(0);
            long[] kernel = conv.weight().getShape().getShape();
            assertEquals(new Shape(4, kernel[1], 3, 3), first.down().getShape());
            assertEquals(new Shape(kernel[0], 4, 1, 1), first.up().getShape());
            assertTrue(first.isConv());
            assertMatchesFixture(bench.plainExpected(), "eps", forward(m, bench.sample(m),
                    ForwardContext.of(lora)).sample());

            LoraSet both = LoraSet.init(unet, EnumSet.allOf(LoraTarget.class), 4, m, 7);
            assertEquals(unet.loraTargets().size() + lora.size(), both.size());
            assertEquals(EnumSet.allOf(LoraTarget.class), both.targets());
        }
    }

    @Test
    void convAdaptersEqualTheirFusedKernelsAndChangeTheOutput() {
        try (NDManager m = manager.newSubManager()) {
            LoraSet lora = active(EnumSet.allOf(LoraTarget.class), 4, m);
            NDArray sample = bench.sample(m);
            float[] base = forward(m, sample, ForwardContext.DEFAULT).sample().toFloatArray();
            float[] adapted = forward(m, sample, ForwardContext.of(lora)).sample().toFloatArray();
            FusedLora fused = lora.fuse(unet, m);
            assertEquals(lora.size(), fused.size());
            float[] viaFused = forward(m, sample, ForwardContext.of(fused)).sample().toFloatArray();
            assertTrue(Tensors.maxAbsDiff(base, adapted) > 1e-2, "the adapters change the output: "
                    + Tensors.maxAbsDiff(base, adapted));
            assertTrue(Tensors.maxAbsDiff(adapted, viaFused) < 1e-4, "adapters vs fused kernels: "
                    + Tensors.maxAbsDiff(adapted, viaFused));
        }
    }

    @Test
    void gradientsOfARankBelowSixteenMatchTheFusedKernels() {
        // rank 4: the down convolution has 4 output channels, so its input gradient goes through
        // the oneDNN guard (Conv2d.conv; the bug itself shows on some CPUs only, see
        // ConvGradientPrecisionTest); the fused kernel has the layer's 32 or more channels
        try (NDManager m = manager.newSubManager()) {
            LoraSet lora = active(EnumSet.of(LoraTarget.RESNET_CONVS), 4, m);
            String path = "up_blocks.1.resnets.0.conv1";
            LoraAdapter a = lora.adapters().get(path);
            NDArray x = m.randomNormal(new Shape(2, a.in(), 8, 8));
            NDArray r = m.randomNormal(new Shape(2, a.out(), 8, 8));
            x.setRequiresGradient(true);
            a.down().setRequiresGradient(true);
            a.up().setRequiresGradient(true);
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                gc.backward(lora.delta(path, x).mul(r).sum());
            }
            float[] viaAdapter = x.getGradient().toFloatArray();
            assertTrue(Tensors.maxAbs(a.down().getGradient().toFloatArray()) > 0, "down factor gets a gradient");
            assertTrue(Tensors.maxAbs(a.up().getGradient().toFloatArray()) > 0, "up factor gets a gradient");

            // (out, r, 1, 1) -> (out, r) @ (r, in*9) -> (out, in, 3, 3)
            NDArray kernel = a.up().stopGradient().reshape(a.out(), a.rank())
                    .matMul(a.down().stopGradient().reshape(a.rank(), -1)).reshape(a.out(), a.in(), 3, 3).mul(a.scale());
            NDArray x2 = x.stopGradient().duplicate();
            x2.setRequiresGradient(true);
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                gc.backward(Conv2d.conv(x2, kernel, null, 1, 1).mul(r).sum());
            }
            double diff = Tensors.maxAbsDiff(viaAdapter, x2.getGradient().toFloatArray());
            assertTrue(diff < 1e-4 * Math.max(1, Tensors.maxAbs(viaAdapter)), "input gradient differs by " + diff);
        }
    }

    @Test
    void convFactorsRoundTripThroughBothNamings(@TempDir Path dir) throws Exception {
        try (NDManager m = manager.newSubManager()) {
            LoraSet lora = active(EnumSet.allOf(LoraTarget.class), 4, m);
            for (LoraIo.Naming naming : LoraIo.Naming.values()) {
                Path file = dir.resolve(naming + ".safetensors");
                LoraIo.save(lora, file, naming);
                LoraSet back = LoraIo.load(file, unet, m);
                assertEquals(lora.adapters().keySet(), back.adapters().keySet());
                for (String layer : lora.adapters().keySet()) {
                    LoraAdapter want = lora.adapters().get(layer);
                    LoraAdapter got = back.adapters().get(layer);
                    assertEquals(want.down().getShape(), got.down().getShape(), layer);
                    assertArrayEquals(want.up().toFloatArray(), got.up().toFloatArray(), 0f, layer);
                    assertEquals(want.scale(), got.scale(), 1e-7f, layer);
                }
            }
        }
    }

    @Test
    void convAdaptersThatDoNotFitAreRejectedWithThePath() {
        try (NDManager m = manager.newSubManager()) {
            long in = unet.resnets().get(0).convs().get(0).weight().getShape().get(1);
            long out = unet.resnets().get(0).convs().get(0).weight().getShape().get(0);
            LoraAdapter wrongKernel = new LoraAdapter(m.zeros(new Shape(4, in, 5, 5)), m.zeros(new Shape(out, 4, 1, 1)), 1f);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> new LoraSet(Map.of("down_blocks.0.resnets.0.conv1", wrongKernel)).validateAgainst(unet));
            assertTrue(e.getMessage().contains("down_blocks.0.resnets.0.conv1"), e.getMessage());
            LoraAdapter onConvIn = new LoraAdapter(m.zeros(new Shape(4, 4, 3, 3)), m.zeros(new Shape(out, 4, 1, 1)), 1f);
            e = assertThrows(IllegalArgumentException.class,
                    () -> new LoraSet(Map.of("conv_in", onConvIn)).validateAgainst(unet));
            assertTrue(e.getMessage().contains("conv_in: not a LoRA target"), e.getMessage());
            assertThrows(IllegalArgumentException.class,
                    () -> new LoraAdapter(m.zeros(new Shape(4, in, 3, 3)), m.zeros(new Shape(out, 4, 3, 3)), 1f),
                    "the up factor of a conv LoRA is 1x1");
            assertThrows(IllegalArgumentException.class, () -> LoraSet.init(unet, EnumSet.noneOf(LoraTarget.class), 4, m, 1));
        }
    }

    @Test
    void targetNamesParseAndUnknownNamesListTheValidOnes() {
        assertEquals(LoraTarget.RESNET_CONVS, LoraTarget.parse("resnet_convs"));
        assertEquals("attention", LoraTarget.ATTENTION.jsonName());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> LoraTarget.parse("convs"));
        assertTrue(e.getMessage().contains("attention, resnet_convs"), e.getMessage());
    }
}
