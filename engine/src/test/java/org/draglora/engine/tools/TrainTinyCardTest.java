package org.draglora.engine.tools;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.draglora.engine.train.TinyModelReport;
import org.draglora.engine.train.TinyModelTrainer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrainTinyCardTest {

    @TempDir
    Path dir;

    private String card(Path vaeFrom) throws Exception {
        Path out = Files.createDirectories(dir.resolve(vaeFrom == null ? "fresh" : "reused"));
        TinyModelTrainer.Options o = new TinyModelTrainer.Options(out, dir.resolve("work"), 2500, 3000, 16, 32, 1, 0,
                200, 5e-4, null, vaeFrom, 5.0, 2);
        TrainTinyTool.writeCard(o, new TinyModelReport.Numbers(32.1, 31.9, 16));
        return Files.readString(out.resolve("README.md"));
    }

    @Test
    void theCardSaysWhereTheVaeCurveIsWhenTheVaeWasReused() throws Exception {
        String fresh = card(null);
        String reused = card(dir.resolve("v1"));
        assertFalse(fresh.contains("VAE panel"), fresh);
        assertTrue(reused.contains("this run trained no VAE steps"), reused);
        assertTrue(reused.contains("--vae-from"), reused);
        for (String c : new String[] {fresh, reused}) {
            assertTrue(c.contains("3000 steps of batch 32") && c.contains("32.1 dB") && c.contains("31.9 dB"), c);
            assertTrue(c.contains("Min-SNR weighting (gamma 5.0)"), c);
        }
    }
}
