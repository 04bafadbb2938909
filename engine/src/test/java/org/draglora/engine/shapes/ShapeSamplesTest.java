package org.draglora.engine.shapes;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.draglora.engine.io.EditMask;
import org.draglora.engine.io.ImageTensors;
import org.draglora.engine.io.PointPair;
import org.draglora.engine.io.RgbImage;
import org.junit.jupiter.api.Test;

/**
 * Writes contact sheets of generated scenes and tasks under {@code target/shapes-samples/} for a look by eye
 * (scenes at 64x64 and 128x128; tasks as input | ideal | mask with handles in white and targets in black).
 */
class ShapeSamplesTest {

    private static final Path DIR = Path.of("target", "shapes-samples");
    private static final int ZOOM = 3;

    @Test
    void writesSceneSheets() throws IOException {
        Files.createDirectories(DIR);
        for (int side : new int[] {64, 128}) {
            int cols = 8;
            int rows = 4;
            Sheet sheet = new Sheet(cols * (side + 2), rows * (side + 2));
            for (int k = 0; k < cols * rows; k++) {
                sheet.paste(SceneGenerator.generate(1000 + k, side, side).render(), (k % cols) * (side + 2),
                        (k / cols) * (side + 2));
            }
            Path file = DIR.resolve("scenes-" + side + ".png");
            ImageTensors.writePng(sheet.zoomed(side == 64 ? ZOOM : 2), file);
            assertTrue(Files.size(file) > 0);
        }
        ImageTensors.writePng(SceneGenerator.generate(7, 64, 64).render(), DIR.resolve("scene-7.png"));
    }

    @Test
    void writesTaskSheet() throws IOException {
        Files.createDirectories(DIR);
        int side = 64;
        DragKind[] kinds = DragKind.values();
        int perKind = 4;
        Sheet sheet = new Sheet(3 * (side + 2) * 2, kinds.length * perKind / 2 * (side + 2));
        int row = 0;
        for (DragKind kind : kinds) {
            for (int k = 0; k < perKind; k++) {
                DragTask task = DragTaskGenerator.generate(500 + k, side, side, kind);
                int x = (k % 2) * 3 * (side + 2);
                int y = (row + k / 2) * (side + 2);
                sheet.paste(task.image(), x, y);
                sheet.paste(task.idealImage(), x + side + 2, y);
                sheet.paste(maskView(task.image(), task.mask()), x + 2 * (side + 2), y);
                for (PointPair p : task.points()) {
                    for (int c = 0; c < 3; c++) {
                        sheet.dot(x + c * (side + 2) + (int) Math.round(p.handleX()), y + (int) Math.round(p.handleY()), 255);
                        sheet.dot(x + c * (side + 2) + (int) Math.round(p.targetX()), y + (int) Math.round(p.targetY()), 0);
                    }
                }
            }
            row += perKind / 2;
        }
        ImageTensors.writePng(sheet.zoomed(ZOOM), DIR.resolve("tasks-64.png"));
    }

    private static RgbImage maskView(RgbImage image, EditMask mask) {
        byte[] rgb = image.rgb();
        boolean[] m = mask.editable();
        for (int i = 0; i < m.length; i++) {
            if (!m[i]) {
                for (int c = 0; c < 3; c++) {
                    rgb[3 * i + c] = (byte) ((rgb[3 * i + c] & 0xff) / 3);
                }
            }
        }
        return new RgbImage(image.width(), image.height(), rgb);
    }

    /** A white canvas to paste images onto. */
    private static final class Sheet {
        private final int w;
        private final int h;
        private final byte[] rgb;

        Sheet(int w, int h) {
            this.w = w;
            this.h = h;
            this.rgb = new byte[w * h * 3];
            Arrays.fill(rgb, (byte) 255);
        }

        void paste(RgbImage image, int x0, int y0) {
            byte[] src = image.rgb();
            for (int y = 0; y < image.height(); y++) {
                System.arraycopy(src, y * image.width() * 3, rgb, ((y0 + y) * w + x0) * 3, image.width() * 3);
            }
        }

        void dot(int x, int y, int value) {
            if (x >= 0 && x < w && y >= 0 && y < h) {
                for (int c = 0; c < 3; c++) {
                    rgb[(y * w + x) * 3 + c] = (byte) value;
                }
            }
        }

        RgbImage zoomed(int zoom) {
            byte[] out = new byte[w * zoom * h * zoom * 3];
            for (int y = 0; y < h * zoom; y++) {
                for (int x = 0; x < w * zoom; x++) {
                    System.arraycopy(rgb, ((y / zoom) * w + x / zoom) * 3, out, (y * w * zoom + x) * 3, 3);
                }
            }
            return new RgbImage(w * zoom, h * zoom, out);
        }
    }
}
