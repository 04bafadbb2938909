package org.draglora.engine.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.draglora.engine.drag.DragSettings;
import org.draglora.engine.drag.IlfaMethod;
import org.draglora.engine.edit.EditModel;
import org.draglora.engine.edit.ModelDragDefaults;
import org.draglora.engine.model.EmbeddedModel;
import org.draglora.engine.model.ModelPath;
import org.draglora.engine.runtime.EngineRuntime;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The ShapeDrag benchmark's plumbing on the embedded model, at a few steps per edit. */
class ShapeDragBenchmarkTest {

    @Test
    void twoMethodsOnTwoCasesGiveATableAndTheJsonFields(@TempDir Path dir) throws Exception {
        EngineRuntime rt = EngineRuntime.cpu();
        ModelPath mp = ModelPath.of(EmbeddedModel.require());
        List<String> progress = new ArrayList<>();
        ShapeDragBenchmark.Result r;
        try (EditModel model = EditModel.load(mp, rt)) {
            r = ShapeDragBenchmark.run(model, ModelDragDefaults.read(mp),
                    new ShapeDragBenchmark.Options(2, 5, List.of("draglora", "dragdiffusion"), 2, 3), dir.resolve("cache"), rt,
                    progress::add);
        }
        assertEquals(4, progress.size(), "one line per case and method");
        assertTrue(r.toMarkdown().contains("| draglora |") && r.toMarkdown().contains("| dragdiffusion |"));
        Path json = dir.resolve("out/r.json");
        r.writeJson(json);
        JsonNode root = new ObjectMapper().readTree(json.toFile());
        assertEquals(2, root.get("cases").asInt());
        assertEquals(5, root.get("seed").asInt());
        JsonNode m = root.get("methods").get("draglora");
        for (String field : new String[] {"mean_initial_distance_px", "mean_handle_error_px", "background_psnr_db",
            "shape_iou", "forward_passes", "backward_passes", "seconds"}) {
            assertTrue(m.get(field).isNumber(), field);
        }
        assertTrue(m.get("mean_initial_distance_px").asDouble() > 5);
        assertTrue(root.get("methods").get("dragdiffusion").get("backward_passes").asDouble() >= 1);
    }

    @Test
    void ablationsChangeOnlyWhatTheirNameSays() {
        ModelDragDefaults none = ModelDragDefaults.NONE;
        DragSettings base = ShapeDragBenchmark.settings("draglora", none);
        assertEquals(0, ShapeDragBenchmark.settings("draglora-no-dds", none).regularization().lambdaDds());
        assertEquals(base.regularization().lambdaMask(),
                ShapeDragBenchmark.settings("draglora-no-dds", none).regularization().lambdaMask());
        assertEquals(IlfaMethod.OFF, ShapeDragBenchmark.settings("draglora-no-ilfa", none).ilfa());
        ModelDragDefaults shifting = new ModelDragDefaults(null, null, null, null, null, null, IlfaMethod.SHIFT, null, null);
        assertEquals(IlfaMethod.SHIFT, ShapeDragBenchmark.settings("draglora", shifting).ilfa());
        assertEquals(IlfaMethod.RENOISE, ShapeDragBenchmark.settings("draglora-renoise-ilfa", shifting).ilfa());
        assertEquals(IlfaMethod.OFF, ShapeDragBenchmark.settings("draglora-no-ilfa", shifting).ilfa());
        assertEquals(IlfaMethod.OFF, ShapeDragBenchmark.settings("dragdiffusion", shifting).ilfa());
        assertTrue(!ShapeDragBenchmark.settings("draglora-no-ass", none).switching().enabled());
        assertTrue(base.switching().enabled() && base.ilfa() == IlfaMethod.RENOISE && base.regularization().lambdaDds() > 0);
        assertEquals(DragSettings.Target.WARP, ShapeDragBenchmark.settings("latent-warp", none).optimization().target());
        assertTrue(ShapeDragBenchmark.ALL_METHODS.containsAll(List.of("latent-warp", "draglora-renoise-ilfa")),
                "the default run includes the baselines and the reference-ILFA row");
        assertThrows(IllegalArgumentException.class,
                () -> new ShapeDragBenchmark.Options(1, 1, List.of("magic"), 1, 1));
    }
}
