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

    /** Dark pixels strictly inside a panel's frame (the frame itself is drawn in black). */
    private static int darkInside(BufferedImage img, int x0, int x1) {
        int n = 0;
        for (int y = 40; y < img.getHeight() - 45; y++) {
            for (int x = x0; x < x1; x++) {
                int rgb = img.getRGB(x, y) & 0xffffff;
                if (((rgb >> 16) & 0xff) < 128 && ((rgb >> 8) & 0xff) < 128 && (rgb & 0xff) < 128) {
                    n++;
                }
            }
        }
        return n;
    }

    @Test
    void aStageWithoutStepsSaysWhyItsPanelIsEmptyAndTheOtherIsDrawn() throws Exception {
        StringBuilder log = new StringBuilder("stage,step,loss,lr\n");
        for (int step = 1; step <= 300; step++) {
            log.append("unet,").append(step).append(',').append(1.0 / step).append(",0.0005\n");
        }
        Path csv = dir.resolve("loss.csv");
        Files.writeString(csv, log);
        Path png = dir.resolve("loss.png");
        TinyModelReport.lossCurve(csv, png);
        BufferedImage img = ImageIO.read(png.toFile());
        int w = img.getWidth();
        assertTrue(darkInside(img, 60, w / 2 - 20) > 50, "the VAE panel (no steps) carries no note");
        // the UNet curve: its smoothed line is dark blue, not black; count any coloured ink
        int ink = 0;
        for (int y = 40; y < img.getHeight() - 45; y++) {
            for (int x = w / 2 + 60; x < w - 20; x++) {
                if ((img.getRGB(x, y) & 0xffffff) != 0xffffff) {
                    ink++;
                }
            }
        }
        assertTrue(ink > 200, "the UNet panel has no curve");
    }
}
