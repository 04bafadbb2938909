package org.draglora.engine.lora;

import static org.draglora.engine.testing.Tensors.assertForwardClose;
import static org.draglora.engine.testing.Tensors.assertGradientClose;
import static org.draglora.engine.testing.Tensors.assertMatchesFixture;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import java.nio.file.Path;
import java.util.Map;
import org.draglora.engine.testing.Fixtures;
import org.draglora.engine.testing.Tensors;
import org.draglora.engine.testing.TinyUnetBench;
import org.draglora.engine.unet.ForwardContext;
import org.draglora.engine.unet.UNet2DConditionModel;
import org.draglora.engine.unet.UNetOutput;
import org.draglora.engine.weights.SafetensorsFile;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * LoRA against fixture {@code unet-tiny-lora}: rank-4 adapters on all 128 attention projections of
 * the tiny UNet, produced with diffusers + peft. Forward output, intermediates, every LoRA
 * gradient and the input gradient of {@code loss = mean|eps_lora - loss_target|}.
 */
class LoraParityTest {

    private static TinyUnetBench bench;
    private static NDManager manager;
    private static UNet2DConditionModel unet;
    private static SafetensorsFile inputs;
    private static SafetensorsFile expected;
    private static SafetensorsFile grads;
    private static SafetensorsFile plainExpected;

    @BeforeAll
    static void load() throws Exception {
        bench = new TinyUnetBench();
        manager = bench.manager();
        unet = bench.unet();
        inputs = bench.inputs();
        plainExpected = bench.plainExpected();
        expected = Fixtures.open("unet-tiny-lora/expected.safetensors");
        grads = Fixtures.open("unet-tiny-lora/grads.safetensors");
    }

    @AfterAll
    static void close() throws Exception {
        bench.close();
        expected.close();
        grads.close();
    }

    private UNetOutput forward(NDManager m, NDArray sample, ForwardContext ctx) {
        return bench.forward(m, sample, ctx);
    }

    @Test
    void peftAndLegacyFilesGiveTheReferenceForward() throws Exception {
        for (String file : new String[] {"lora_peft.safetensors", "lora_diffusers_legacy.safetensors"}) {
            try (NDManager m = manager.newSubManager()) {
                LoraSet lora = LoraIo.load(Fixtures.path("unet-tiny-lora/" + file), unet, m);
                assertEquals(128, lora.size());
                assertEquals(4, lora.rank());
                UNetOutput out = forward(m, Tensors.load(m, inputs, "sample"), ForwardContext.of(lora));
                assertMatchesFixture(expected, "eps_lora", out.sample());
                assertMatchesFixture(expected, "mid_block", out.midBlock());
                for (int i = 0; i < 4; i++) {
                    assertMatchesFixture(expected, "up_blocks." + i, out.upBlocks().get(i));
                }
            }
        }
    }

    @Test
    void loraGradientsAndInputGradientMatchAutogradOfTheReference() throws Exception {
        try (NDManager m = manager.newSubManager()) {
            LoraSet lora = LoraIo.load(Fixtures.path("unet-tiny-lora/lora_peft.safetensors"), unet, m);
            NDArray sample = Tensors.load(m, inputs, "sample");
            lora.setRequiresGradient(true);
            sample.setRequiresGradient(true);
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                UNetOutput out = forward(m, sample, ForwardContext.of(lora));
                NDArray loss = out.sample().sub(Tensors.load(m, expected, "loss_target")).abs().mean();
                assertForwardClose("loss", expected.readFloats("loss"), new long[] {1}, loss.reshape(1), 1e-4);
                gc.backward(loss);
            }
            assertGradientClose("grad_sample", expected.readFloats("grad_sample"), expected.info("grad_sample").shape(),
                    sample.getGradient(), 1e-4);
            int checked = 0;
            for (Map.Entry<String, LoraAdapter> e : lora.adapters().entrySet()) {
                String key = "unet." + e.getKey();
                assertGradientClose(key + ".lora_A.weight", grads.readFloats(key + ".lora_A.weight"),
                        grads.info(key + ".lora_A.weight").shape(), e.getValue().down().getGradient(), 1e-4);
                assertGradientClose(key + ".lora_B.weight", grads.readFloats(key + ".lora_B.weight"),
                        grads.info(key + ".lora_B.weight").shape(), e.getValue().up().getGradient(), 1e-4);
                checked += 2;
            }
            assertEquals(grads.tensors().size(), checked);
        }
    }

    @Test
    void plainUNetInputGradientMatchesTheReference() throws Exception {
        try (NDManager m = manager.newSubManager()) {
            NDArray sample = Tensors.load(m, inputs, "sample");
            sample.setRequiresGradient(true);
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                UNetOutput out = forward(m, sample, ForwardContext.DEFAULT);
                NDArray loss = out.sample().sub(Tensors.load(m, plainExpected, "loss_target")).abs().mean();
                gc.backward(loss);
            }
            assertGradientClose("grad_sample", plainExpected.readFloats("grad_sample"),
                    plainExpected.info("grad_sample").shape(), sample.getGradient(), 1e-4);
        }
    }

    @Test
    void fusedViewEqualsTheAdaptersAndTheBaseModelStaysUntouched() throws Exception {
        try (NDManager m = manager.newSubManager()) {
            LoraSet lora = LoraIo.load(Fixtures.path("unet-tiny-lora/lora_peft.safetensors"), unet, m);
            FusedLora fused = lora.fuse(unet, m);
            assertEquals(128, fused.size());
            assertMatchesFixture(expected, "eps_lora", forward(m, Tensors.load(m, inputs, "sample"),
                    ForwardContext.of(fused)).sample());
            assertMatchesFixture(plainExpected, "eps", forward(m, Tensors.load(m, inputs, "sample"),
                    ForwardContext.DEFAULT).sample());
        }
    }

    @Test
    void savedFilesLoadBackIdenticallyInBothNamings(@TempDir Path dir) throws Exception {
        try (NDManager m = manager.newSubManager()) {
            LoraSet lora = LoraIo.load(Fixtures.path("unet-tiny-lora/lora_peft.safetensors"), unet, m);
            for (LoraIo.Naming naming : LoraIo.Naming.values()) {
                Path file = dir.resolve(naming + ".safetensors");
                LoraIo.save(lora, file, naming);
                LoraSet back = LoraIo.load(file, unet, m);
                assertEquals(lora.adapters().keySet(), back.adapters().keySet());
                for (String layer : lora.adapters().keySet()) {
                    assertArrayEquals(lora.adapters().get(layer).down().toFloatArray(),
                            back.adapters().get(layer).down().toFloatArray(), 0f);
                    assertArrayEquals(lora.adapters().get(layer).up().toFloatArray(),
                            back.adapters().get(layer).up().toFloatArray(), 0f);
                }
            }
            try (SafetensorsFile peft = SafetensorsFile.open(dir.resolve("PEFT.safetensors"))) {
                assertEquals(Fixtures.open("unet-tiny-lora/lora_peft.safetensors").tensors().keySet(),
                        peft.tensors().keySet());
            }
        }
    }

    @Test
    void freshAdaptersLeaveTheModelUnchangedAndHaveTheReferenceInit() {
        try (NDManager m = manager.newSubManager()) {
            LoraSet lora = LoraSet.init(unet, 16, m, 7);
            assertEquals(128, lora.size());
            LoraAdapter first = lora.adapters().values().iterator().next();
            float[] down = first.down().toFloatArray();
            double var = 0;
            for (float v : down) {
                var += v * v;
            }
            double std = Math.sqrt(var / down.length);
            assertTrue(Math.abs(std - 1.0 / 16) < 0.01, "down std " + std + " should be 1/rank");
            assertEquals(0f, first.up().abs().max().getFloat());
            assertMatchesFixture(plainExpected, "eps", forward(m, Tensors.load(m, inputs, "sample"),
                    ForwardContext.of(lora)).sample());
            assertArrayEquals(down, LoraSet.init(unet, 16, m, 7).adapters().values().iterator().next()
                    .down().toFloatArray(), 0f, "same seed, same init");
        }
    }

    @Test
    void aFileForAnotherModelIsRejectedWithTheOffendingLayers(@TempDir Path dir) throws Exception {
        Path bad = dir.resolve("bad.safetensors");
        new org.draglora.engine.weights.SafetensorsWriter()
                .addFloats("unet.down_blocks.9.attentions.0.transformer_blocks.0.attn1.to_q.lora_A.weight",
                        new long[] {4, 32}, new float[128])
                .addFloats("unet.down_blocks.9.attentions.0.transformer_blocks.0.attn1.to_q.lora_B.weight",
                        new long[] {32, 4}, new float[128])
                .write(bad);
        try (NDManager m = manager.newSubManager()) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> LoraIo.load(bad, unet, m));
            assertTrue(e.getMessage().contains("down_blocks.9"), e.getMessage());
        }
    }
}
