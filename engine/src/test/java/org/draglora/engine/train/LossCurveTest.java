package org.draglora.engine.train;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LossCurveTest {

    @TempDir
    Path dir;

    /** Pixels strictly inside a panel's frame (x in [x0, x1)) that pass {@code test} (on 0xRRGGBB). */
    private static int count(BufferedImage img, int x0, int x1, java.util.function.IntPredicate test) {
        int n = 0;
        for (int y = 40; y < img.getHeight() - 45; y++) {
            for (int x = x0; x < x1; x++) {
                if (test.test(img.getRGB(x, y) & 0xffffff)) {
                    n++;
                }
            }
        }
        return n;
    }

    /** Dark pixels (the frame itself is drawn in black, the note in dark grey). */
    private static int darkInside(BufferedImage img, int x0, int x1) {
        return count(img, x0, x1, rgb -> ((rgb >> 16) & 0xff) < 128 && ((rgb >> 8) & 0xff) < 128 && (rgb & 0xff) < 128);
    }

    /** Non-white pixels (the smoothed line is dark blue, the raw one light blue). */
    private static int ink(BufferedImage img, int x0, int x1) {
        return count(img, x0, x1, rgb -> rgb != 0xffffff);
    }

    /** Appends {@code steps} lines of {@code stage} to a loss log, the loss of step k being {@code loss(k)}. */
    private static void append(StringBuilder log, String stage, int steps, java.util.function.IntToDoubleFunction loss) {
        for (int step = 1; step <= steps; step++) {
            log.append(stage).append(',').append(step).append(',').append(loss.applyAsDouble(step)).append(",0.001\n");
        }
    }

    /** The plot of a loss log. */
    private BufferedImage plot(CharSequence log) throws Exception {
        Path csv = dir.resolve("loss.csv");
        Files.writeString(csv, log);
        Path png = dir.resolve("loss.png");
        TinyModelReport.lossCurve(csv, png);
        return ImageIO.read(png.toFile());
    }

    @Test
    void aStageWithoutStepsSaysWhyItsPanelIsEmptyAndTheOtherIsDrawn() throws Exception {
        StringBuilder log = new StringBuilder("stage,step,loss,lr\n");
        append(log, "unet", 300, step -> 1.0 / step);
        BufferedImage img = plot(log);
        int w = img.getWidth();
        assertTrue(darkInside(img, 60, w / 2 - 20) > 50, "the VAE panel (no steps) carries no note");
        assertTrue(ink(img, w / 2 + 60, w - 20) > 200, "the UNet panel has no curve");
    }

    @Test
    void theDecoderStageGetsAThirdPanelBetweenTheVaeAndTheUnet() throws Exception {
        StringBuilder log = new StringBuilder("stage,step,loss,lr\n");
        append(log, "vae", 200, step -> 0.5 / step);
        append(log, "decoder", 200, step -> 0.04 - step * 1e-4);
        append(log, "unet", 200, step -> 1.0 / step);
        BufferedImage img = plot(log);
        int third = img.getWidth() / 3;
        assertTrue(img.getWidth() > 1200, "three panels expected, the image is " + img.getWidth() + " wide");
        for (int panel = 0; panel < 3; panel++) {
            assertTrue(ink(img, panel * third + 60, (panel + 1) * third - 20) > 200, "panel " + panel + " has no curve");
        }
        // a log without decoder steps keeps the two panels
        assertTrue(plot(log.toString().replaceAll("(?m)^decoder,.*\\n", "")).getWidth() < 1000,
                "a log without decoder steps drew a decoder panel");
    }
}
