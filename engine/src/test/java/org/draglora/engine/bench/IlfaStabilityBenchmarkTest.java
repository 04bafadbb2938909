package org.draglora.engine.bench;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.draglora.engine.edit.EditModel;
import org.draglora.engine.edit.RandomStream;
import org.draglora.engine.model.EmbeddedModel;
import org.draglora.engine.model.ModelPath;
import org.draglora.engine.runtime.EngineRuntime;
import org.draglora.engine.runtime.NoGrad;
import org.draglora.engine.unet.ForwardContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The ILFA stability benchmark on the embedded model, with short fits. */
class IlfaStabilityBenchmarkTest {

    @Test
    void threeReconstructionsGiveATableTheJsonAndLeaveTheModelUntouched(@TempDir Path dir) throws Exception {
        EngineRuntime rt = EngineRuntime.cpu();
        ModelPath mp = ModelPath.of(EmbeddedModel.require());
        List<String> progress = new ArrayList<>();
        IlfaStabilityBenchmark.Result r;
        try (EditModel model = EditModel.load(mp, rt); NDManager m = rt.newManager()) {
            NDArray probe = new RandomStream(9).gaussian(m, new Shape(1, 4, 16, 16), RandomStream.Purpose.ILFA_NOISE, 0);
            NDArray text = model.encodePrompt("a red disc", m);
            float[] before;
            try (NoGrad ignored = NoGrad.open()) {
                before = model.unet().forward(probe, 500, text, ForwardContext.DEFAULT).sample().toFloatArray();
            }
            r = IlfaStabilityBenchmark.run(model, mp, new IlfaStabilityBenchmark.Options(1, 2, 2, 2,
                    List.of(IlfaStabilityBenchmark.FitWeights.ALL, IlfaStabilityBenchmark.FitWeights.ATTENTION), List.of(0, 3), 50, 0.7),
                    rt, progress::add);
            try (NoGrad ignored = NoGrad.open()) {
                assertArrayEquals(before, model.unet().forward(probe, 500, text, ForwardContext.DEFAULT).sample().toFloatArray(),
                        "the whole-UNet fit trains a copy, never the shared model");
            }
        }
        assertEquals(681, r.timestep());
        assertEquals(4, progress.size(), "one line per scene and reconstruction");
        assertEquals(List.of("none", "reclora", "unet:all", "unet:attention"), r.rows().stream().map(IlfaStabilityBenchmark.Row::reconstruction).toList());
        IlfaStabilityBenchmark.Row none = r.rows().get(0);
        // SDEdit from t = 681 with the embedded model reconstructs its own scenes roughly (about 20-25 dB)
        assertTrue(none.chainPsnr().get(0) > 15 && none.chainPsnr().get(0) < 100, "SDEdit PSNR " + none.chainPsnr().get(0));
        assertTrue(none.x0Psnr() > 10, "x0 PSNR " + none.x0Psnr());
        assertTrue(r.toMarkdown().contains("| unet:attention |") && r.toMarkdown().contains("after 3 ILFA"));
        Path json = dir.resolve("out/ilfa.json");
        r.writeJson(json);
        JsonNode root = new ObjectMapper().readTree(json.toFile());
        assertEquals(681, root.get("timestep").asInt());
        assertEquals(2, root.get("iterations").size());
        JsonNode rec = root.get("reconstructions").get("reclora");
        assertTrue(rec.get("x0_psnr_db").isNumber() && rec.get("fit_seconds").asDouble() > 0);
        assertEquals(2, rec.get("ilfa_psnr_db").size());
    }

    @Test
    void fitWeightsSelectByDiffusersKey() {
        String conv = "up_blocks.1.resnets.2.conv1.weight";
        String query = "down_blocks.0.attentions.0.transformer_blocks.0.attn1.to_q.weight";
        String out = "mid_block.attentions.0.transformer_blocks.0.attn2.to_out.0.weight";
        String norm = "up_blocks.1.resnets.2.norm1.weight";
        assertTrue(IlfaStabilityBenchmark.FitWeights.RESNET_CONVS.trains(conv));
        assertTrue(!IlfaStabilityBenchmark.FitWeights.RESNET_CONVS.trains(query));
        assertTrue(IlfaStabilityBenchmark.FitWeights.ATTENTION.trains(query) && IlfaStabilityBenchmark.FitWeights.ATTENTION.trains(out));
        assertTrue(!IlfaStabilityBenchmark.FitWeights.ATTENTION.trains(conv) && !IlfaStabilityBenchmark.FitWeights.ATTENTION.trains(norm));
        assertTrue(IlfaStabilityBenchmark.FitWeights.ALL.trains(norm));
    }

    @Test
    void badOptionsAreRefused() {
        assertThrows(IllegalArgumentException.class,
                () -> new IlfaStabilityBenchmark.Options(0, 1, 80, 0, List.of(), List.of(0), 50, 0.7));
        assertThrows(IllegalArgumentException.class,
                () -> new IlfaStabilityBenchmark.Options(1, 1, 80, 0, List.of(), List.of(-1), 50, 0.7));
        assertThrows(IllegalArgumentException.class,
                () -> new IlfaStabilityBenchmark.Options(1, 1, 80, 0, List.of(), List.of(0), 50, 1.5));
        assertThrows(IllegalArgumentException.class, () -> IlfaStabilityBenchmark.FitWeights.of("everything"));
    }
}
