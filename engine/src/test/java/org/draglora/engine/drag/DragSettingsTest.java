package org.draglora.engine.drag;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The reference defaults of ALGORITHM.md §12 and the validation of every stage record. */
class DragSettingsTest {

    @Test
    void dragLoraHasTheReferenceDefaults() {
        DragSettings s = DragSettings.dragLora();
        assertEquals(List.of(3), s.features().featureIdx());
        assertEquals(new DragGeometry(512, 512, 256, 256), s.features().geometry(512, 512));
        assertEquals(new DragSettings.Motion(1, 2.0, MotionReference.INITIAL_FEATURES), s.motion());
        assertEquals(new TrackingSettings(TrackingStrategy.DISTANCE_CLOSER, DistanceReduction.MEAN, 3, true),
                s.tracking());
        assertEquals(new SwitchingSettings(10, 1.0, 1.3, 1.4, 3, 5, 20, true), s.switching());
        assertEquals(new DragSettings.Optimization(DragSettings.Target.LORA, 1e-4, 1e-2, 0.9, 0.999, 1e-8, 80, 16),
                s.optimization());
        assertEquals(new DragSettings.Regularization(0.1, 50, 0, 999), s.regularization());
        assertEquals(new DragSettings.Schedule(50, 0.7), s.schedule());
        assertEquals(35, s.schedule().invertedSteps());
        assertEquals(new DragSettings.MutualAttention(0, 10), s.mutualAttention());
        assertEquals(2.0, s.reachRadius());
        assertEquals(IlfaMethod.RENOISE, s.ilfa());
    }

    @Test
    void dragLoraFastDiffersOnlyInTracking() {
        DragSettings fast = DragSettings.dragLoraFast();
        assertEquals(TrackingStrategy.ANGLE_CLOSER, fast.tracking().strategy());
        assertEquals(DragSettings.dragLora(), fast.withTracking(TrackingSettings.dragLora()));
    }

    @Test
    void dragDiffusionOptimisesTheLatentWithoutIlfaDdsOrSwitching() {
        DragSettings dd = DragSettings.dragDiffusion();
        assertEquals(DragSettings.Target.LATENT, dd.optimization().target());
        assertEquals(0.01, dd.optimization().learningRate());
        assertEquals(0.0, dd.optimization().weightDecay());
        assertEquals(TrackingStrategy.SQUARE, dd.tracking().strategy());
        assertEquals(DistanceReduction.SUM, dd.tracking().reduction());
        assertEquals(MotionReference.CURRENT_DETACHED, dd.motion().reference());
        assertFalse(dd.switching().enabled());
        assertEquals(IlfaMethod.OFF, dd.ilfa());
        assertEquals(0.0, dd.regularization().lambdaDds());
        assertEquals(0.1, dd.regularization().lambdaMask());
        assertEquals(80, dd.optimization().maxSteps());
    }

    @Test
    void theAblationSwitchesTheRuleOff() {
        DragSettings noAss = DragSettings.dragLora().withSwitching(SwitchingSettings.disabled());
        assertFalse(noAss.switching().enabled());
        assertEquals(DragSettings.dragLora().tracking(), noAss.tracking());
    }

    @Test
    void badValuesAreRejectedByName() {
        assertMessage(() -> new DragSettings.Features(List.of(5), 0.5), "5");
        assertMessage(() -> new DragSettings.Features(List.of(), 0.5), "featureIdx");
        assertMessage(() -> new DragSettings.Features(List.of(3), 1.5), "1.5");
        assertMessage(() -> new DragSettings.Motion(-1, 2.0, MotionReference.INITIAL_FEATURES), "-1");
        assertMessage(() -> new DragSettings.Motion(1, Double.NaN, MotionReference.INITIAL_FEATURES), "NaN");
        assertMessage(() -> new DragSettings.Optimization(DragSettings.Target.LORA, 0, 0, 0.9, 0.999, 1e-8, 80, 16),
                "learningRate");
        assertMessage(() -> new DragSettings.Optimization(DragSettings.Target.LORA, 1e-4, 0, 1.0, 0.999, 1e-8, 80, 16),
                "1.0");
        assertMessage(() -> new DragSettings.Optimization(DragSettings.Target.LORA, 1e-4, 0, 0.9, 0.999, 1e-8, 0, 16),
                "maxSteps");
        assertMessage(() -> new DragSettings.Regularization(0.1, 50, 10, 5), "10..5");
        assertMessage(() -> new DragSettings.Regularization(0.1, 50, 0, 1000), "1000");
        assertMessage(() -> new DragSettings.Schedule(50, 0.0), "0.0");
        assertMessage(() -> new DragSettings.Schedule(50, 0.001), "0.001");
        assertMessage(() -> new DragSettings.MutualAttention(0, 17), "17");
        DragSettings s = DragSettings.dragLora();
        assertMessage(() -> new DragSettings(s.features(), s.motion(), s.tracking(), s.switching(), s.optimization(),
                s.regularization(), s.schedule(), s.mutualAttention(), 0, IlfaMethod.RENOISE, false), "reachRadius");
        assertMessage(() -> new DragSettings(s.features(), s.motion(), s.tracking(), s.switching(), s.optimization(),
                s.regularization(), s.schedule(), new DragSettings.MutualAttention(60, 10), 2.0, IlfaMethod.RENOISE, false), "60");
    }

    private static void assertMessage(Runnable r, String part) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, r::run);
        assertTrue(e.getMessage().contains(part), "message '" + e.getMessage() + "' should name " + part);
    }
}
