package org.draglora.engine.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.draglora.engine.edit.DragRequest;
import org.draglora.engine.tools.EditMethod;
import org.draglora.engine.tools.EditTool;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The inputs of {@code draglora edit}: image + points, DragBench and Drag100 samples, and bad input. */
class EditInputTest {

    private static final EditTool.Options OPTIONS = new EditTool.Options(null, EditMethod.DRAGLORA, 42, null, null, null);

    @Test
    void dragBenchSampleBecomesARequestWithItsPromptPointsAndMask(@TempDir Path dir) throws Exception {
        Path sample = Files.createDirectories(dir.resolve("animals/s1"));
        ImageTensors.writePng(ImageTensorsTest.randomImage(64, 48, 3), sample.resolve("original_image.png"));
        byte[] mask = new byte[64 * 48];
        mask[10 * 64 + 20] = 1;
        Files.write(sample.resolve("meta_data.pkl"),
                PickleFixtures.dragBenchMeta("a cat", new int[][] {{20, 10}, {40, 12}}, 48, 64, mask));
        DragRequest r = EditTool.request(EditTool.readInput(new EditTool.Input(null, null, null, sample, null)), OPTIONS);
        assertEquals("a cat", r.prompt());
        assertEquals(64, r.width());
        assertEquals(48, r.height());
        assertEquals(1, r.points().size());
        assertEquals(20, r.points().get(0).handle().x());
        assertEquals(12, r.points().get(0).target().y());
        assertTrue(r.editable()[10 * 64 + 20]);
        DragRequest prompted = EditTool.request(EditTool.readInput(new EditTool.Input(null, null, null, sample, null)),
                new EditTool.Options("a dog", EditMethod.DRAGDIFFUSION, 1, 5, 7, null));
        assertEquals("a dog", prompted.prompt());
        assertEquals(7, prompted.drag().optimization().maxSteps());
        assertEquals(5, prompted.recLora().steps());
    }

    @Test
    void imageWithPointsAndNoMaskHasAnEmptyMask(@TempDir Path dir) throws Exception {
        Path image = dir.resolve("in.png");
        ImageTensors.writePng(ImageTensorsTest.randomImage(32, 32, 1), image);
        DragRequest r = EditTool.request(EditTool.readInput(new EditTool.Input(image, null, "1,2:3,4;5,6:7,8", null, null)),
                OPTIONS);
        assertEquals(2, r.points().size());
        assertNull(r.editable());
        assertEquals("", r.prompt());
    }

    @Test
    void badInputsAreIllegalArgumentsNamingTheProblem(@TempDir Path dir) throws Exception {
        Path image = dir.resolve("in.png");
        ImageTensors.writePng(ImageTensorsTest.randomImage(36, 32, 1), image);
        assertTrue(assertThrows(IllegalArgumentException.class, () -> EditTool.request(EditTool.readInput(
                new EditTool.Input(image, null, "1,2:3,4", null, null)), OPTIONS)).getMessage().contains("8"));
        assertThrows(IllegalArgumentException.class,
                () -> EditTool.readInput(new EditTool.Input(image, null, null, null, null)));
        assertThrows(IllegalArgumentException.class,
                () -> EditTool.readInput(new EditTool.Input(image, null, "1,2:3,4", dir, null)));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> EditTool.readInput(
                new EditTool.Input(dir.resolve("missing.png"), null, "1,2:3,4", null, null))).getMessage()
                .contains("missing.png"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> EditTool.readInput(
                new EditTool.Input(null, null, null, dir.resolve("nosample"), null))).getMessage().contains("nosample"));
    }
}
