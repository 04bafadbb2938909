package org.draglora.engine.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.draglora.engine.edit.ModelDragDefaults;
import org.draglora.engine.model.ModelPath;
import org.draglora.engine.schedule.DdimConfig;
import org.draglora.engine.schedule.DdimScheduler;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The embedded model's noise schedules and the drag depth that goes with each. */
class TinyModelSpecTest {

    @Test
    void sdsScheduleIsTheDefaultAndDragsAtTheReferenceDepth() {
        assertEquals(DdimConfig.sd15().betaEnd(), TinyModelSpec.SD_BETA_END);
        assertEquals(DdimConfig.sd15(), TinyModelSpec.scheduler(TinyModelSpec.SD_BETA_END));
        assertEquals(0.7, TinyModelSpec.inversionStrength(DdimConfig.sd15()));
        assertNull(TinyModelSpec.dragDefaults(DdimConfig.sd15()).inversionStrength(), "SD's schedule writes no depth");
    }

    @Test
    void aLongerScheduleDragsAtTheSameNoiseLevelEarlier() {
        double sdAlpha = new DdimScheduler(DdimConfig.sd15()).alphaCumprod(681);
        DdimConfig longer = TinyModelSpec.scheduler(0.02);
        DdimScheduler s = new DdimScheduler(longer);
        assertTrue(s.alphaCumprod(999) < 0.1 * new DdimScheduler(DdimConfig.sd15()).alphaCumprod(999),
                "less of the image at the last step: " + s.alphaCumprod(999));
        double strength = TinyModelSpec.inversionStrength(longer);
        assertEquals(0.6, strength);
        long t = s.dragTimestep(50, strength);
        assertEquals(581, t);
        double ratio = s.alphaCumprod(t) / sdAlpha;
        assertTrue(ratio > 0.85 && ratio < 1.15, "close to SD's drag noise level: " + ratio);
        for (double other : new double[] {0.58, 0.62}) {
            double alpha = s.alphaCumprod(s.dragTimestep(50, other));
            assertTrue(Math.abs(Math.log(alpha / (1 - alpha)) - Math.log(sdAlpha / (1 - sdAlpha)))
                    > Math.abs(Math.log(s.alphaCumprod(t) / (1 - s.alphaCumprod(t))) - Math.log(sdAlpha / (1 - sdAlpha))),
                    "the nearest of the 50 steps, not " + other);
        }
        assertEquals(0.6, TinyModelSpec.dragDefaults(longer).inversionStrength());
    }

    @Test
    void theExportedFolderCarriesTheScheduleItsLoaderReads(@TempDir Path dir) throws Exception {
        TinyModelSpec.writeConfigs(dir, TinyModelSpec.vae(0.66), TinyModelSpec.unet(), TinyModelSpec.scheduler(0.02));
        assertEquals(TinyModelSpec.scheduler(0.02), DdimConfig.load(dir.resolve("scheduler/scheduler_config.json")));
        assertEquals(TinyModelSpec.dragDefaults(TinyModelSpec.scheduler(0.02)), ModelDragDefaults.read(ModelPath.of(dir)));
    }

    @Test
    void theDefaultCoolDownIsTheShippedShareOfAnyRun() {
        assertEquals(TinyModelSpec.SHIPPED_UNET_LR_DECAY_STEPS, TinyModelSpec.lrDecaySteps(TinyModelSpec.SHIPPED_UNET_STEPS));
        assertEquals(1000, TinyModelSpec.lrDecaySteps(3000), "1,800 of 5,400: a third");
        assertEquals(367, TinyModelSpec.lrDecaySteps(1100), "rounded");
        assertEquals(0, TinyModelSpec.lrDecaySteps(0));
        for (int steps = 1; steps < 20_000; steps += 97) {
            int decay = TinyModelSpec.lrDecaySteps(steps);
            assertTrue(decay >= 0 && decay <= steps, "a run of " + steps + " steps can hold its cool-down: " + decay);
        }
    }
}
