package org.draglora.engine.schedule;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import java.io.IOException;
import java.util.Arrays;
import org.draglora.engine.runtime.EngineRuntime;
import org.draglora.engine.testing.Fixtures;
import org.draglora.engine.testing.Tensors;
import org.draglora.engine.weights.SafetensorsFile;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link DdimScheduler} against fixture {@code ddim/} (diffusers 0.27.2 {@code DDIMScheduler} with
 * the SD 1.5 settings, and DragDiffusion's {@code inv_step}; see the fixtures' README §6), and the
 * reference values of ALGORITHM.md §2.
 */
class DdimSchedulerTest {

    private static final double TABLE_TOL = 0; // bit-identical (linspace and cumprod emulate ATen exactly) // absolute, on float32 tables
    private static final double FORWARD_TOL = 1e-4; // fixtures README: max|java-ref| <= 1e-4 max(1, max|ref|)

    private static SafetensorsFile ddim;
    private static DdimScheduler scheduler;
    private NDManager manager;

    @BeforeAll
    static void open() throws IOException {
        ddim = Fixtures.open("ddim/ddim.safetensors");
        scheduler = DdimScheduler.load(Fixtures.path("ddim/scheduler_config.json"));
    }

    @AfterAll
    static void closeFile() throws IOException {
        ddim.close();
    }

    @BeforeEach
    void start() {
        manager = EngineRuntime.cpu().newManager();
    }

    @AfterEach
    void close() {
        manager.close();
    }

    private NDArray load(String name) {
        return Tensors.load(manager, ddim, name);
    }

    private void assertClose(String name, NDArray actual) {
        Tensors.assertMatchesFixture(ddim, name, actual);
    }

    @Test
    void fixtureConfigIsTheSd15Preset() {
        assertEquals(DdimConfig.sd15(), scheduler.config());
    }

    @Test
    void tablesMatchTorch() throws IOException {
        float[] betas = ddim.readFloats("betas");
        float[] abar = ddim.readFloats("alphas_cumprod");
        double[] javaBetas = scheduler.betas();
        double[] javaAbar = scheduler.alphasCumprod();
        assertEquals(1000, javaAbar.length);
        double worstBeta = 0;
        double worstAbar = 0;
        for (int i = 0; i < 1000; i++) {
            worstBeta = Math.max(worstBeta, Math.abs(javaBetas[i] - betas[i]));
            worstAbar = Math.max(worstAbar, Math.abs(javaAbar[i] - abar[i]));
        }
        assertTrue(worstBeta <= TABLE_TOL, "betas: max diff " + worstBeta);
        assertTrue(worstAbar <= TABLE_TOL, "alphas_cumprod: max diff " + worstAbar);
        assertEquals(ddim.readFloats("final_alpha_cumprod")[0], scheduler.finalAlphaCumprod(), TABLE_TOL);
    }

    @Test
    void referenceValuesOfAlgorithmSection2() {
        // ALGORITHM.md §2, "Reference values (fp32)", printed to 6 decimals
        long[] t = {0, 1, 21, 261, 661, 681, 981, 999};
        double[] expected = {0.999150, 0.998296, 0.980381, 0.655669, 0.108738, 0.094637, 0.005775, 0.004660};
        for (int i = 0; i < t.length; i++) {
            assertEquals(expected[i], scheduler.alphaCumprod(t[i]), 5e-7, "abar[" + t[i] + "]");
        }
        assertEquals(0.999150, scheduler.finalAlphaCumprod(), 5e-7);
        double ratio = scheduler.alphaCumprod(681) / scheduler.alphaCumprod(661);
        assertEquals(0.870316, ratio, 5e-7);
        assertEquals(0.932907, Math.sqrt(ratio), 5e-7);
        assertEquals(0.360117, Math.sqrt(1 - ratio), 5e-7);
    }

    @Test
    void timesteps50() throws IOException {
        long[] expected = ddim.readLongs("timesteps_50");
        assertArrayEquals(expected, scheduler.timesteps(50));
        assertEquals(981, expected[0]);
        assertEquals(1, expected[49]);
    }

    @Test
    void timestepSpacings() {
        // diffusers set_timesteps(10) for N = 1000 with each spacing (scheduling_ddim.py, v0.27.2)
        DdimConfig sd = DdimConfig.sd15();
        DdimScheduler trailing = new DdimScheduler(withSpacing(sd, DdimConfig.TimestepSpacing.TRAILING));
        assertArrayEquals(new long[] {999, 899, 799, 699, 599, 499, 399, 299, 199, 99}, trailing.timesteps(10));
        DdimScheduler linspace = new DdimScheduler(withSpacing(sd, DdimConfig.TimestepSpacing.LINSPACE));
        assertArrayEquals(new long[] {999, 888, 777, 666, 555, 444, 333, 222, 111, 0}, linspace.timesteps(10));
        assertArrayEquals(new long[] {901, 801, 701, 601, 501, 401, 301, 201, 101, 1}, scheduler.timesteps(10));
        assertThrows(IllegalArgumentException.class, () -> scheduler.timesteps(0));
        assertThrows(IllegalArgumentException.class, () -> scheduler.timesteps(1001));
    }

    private static DdimConfig withSpacing(DdimConfig c, DdimConfig.TimestepSpacing spacing) {
        return new DdimConfig(c.numTrainTimesteps(), c.betaStart(), c.betaEnd(), c.betaSchedule(), c.clipSample(),
                c.setAlphaToOne(), c.stepsOffset(), c.predictionType(), spacing);
    }

    @Test
    void stepCases() {
        long[] timesteps = {981, 481, 21, 1}; // fixtures README §6, step.{0..3}
        for (int i = 0; i < timesteps.length; i++) {
            String p = "step." + i + ".";
            DdimScheduler.StepResult r = scheduler.step(load(p + "model_output"), timesteps[i], load(p + "sample"), 50);
            assertClose(p + "prev_sample", r.prevSample());
            assertClose(p + "pred_original_sample", r.predOriginalSample());
        }
    }

    @Test
    void fullSamplingLoop() throws IOException {
        long[] timesteps = scheduler.timesteps(50);
        NDArray eps = load("loop.model_outputs"); // (50, 1, 4, 8, 8)
        float[] trajectory = ddim.readFloats("loop.trajectory"); // (51, 1, 4, 8, 8)
        long[] stateShape = {1, 4, 8, 8};
        int size = 4 * 8 * 8;
        NDArray x = load("loop.x_T");
        assertState("loop.trajectory[0]", trajectory, 0, size, stateShape, x);
        for (int i = 0; i < 50; i++) {
            x = scheduler.step(eps.get(i), timesteps[i], x, 50).prevSample();
            assertState("loop.trajectory[" + (i + 1) + "]", trajectory, i + 1, size, stateShape, x);
        }
    }

    @Test
    void inverseStepCases() {
        long[] timesteps = {1, 21, 481, 961, 981}; // fixtures README §6, inv.{0..4}
        for (int i = 0; i < timesteps.length; i++) {
            String p = "inv." + i + ".";
            DdimScheduler.StepResult r =
                    scheduler.inverseStep(load(p + "model_output"), timesteps[i], load(p + "x"), 50);
            assertClose(p + "x_next", r.prevSample());
            assertClose(p + "pred_x0", r.predOriginalSample());
        }
    }

    @Test
    void fullInversionLoop() throws IOException {
        long[] timesteps = scheduler.timesteps(50);
        NDArray eps = load("invloop.model_outputs");
        float[] trajectory = ddim.readFloats("invloop.trajectory");
        long[] stateShape = {1, 4, 8, 8};
        int size = 4 * 8 * 8;
        NDArray x = load("invloop.x_0");
        assertState("invloop.trajectory[0]", trajectory, 0, size, stateShape, x);
        for (int i = 0; i < 50; i++) {
            long t = timesteps[49 - i]; // reversed(timesteps_50): 1, 21, ..., 981
            x = scheduler.inverseStep(eps.get(i), t, x, 50).prevSample();
            assertState("invloop.trajectory[" + (i + 1) + "]", trajectory, i + 1, size, stateShape, x);
        }
    }

    private static void assertState(String what, float[] all, int index, int size, long[] shape, NDArray actual) {
        float[] expected = Arrays.copyOfRange(all, index * size, (index + 1) * size);
        Tensors.assertForwardClose(what, expected, shape, actual, FORWARD_TOL);
    }

    @Test
    void addNoiseCases() {
        long[] timesteps = {1, 261, 981}; // fixtures README §6, add_noise.{0..2}
        for (int i = 0; i < timesteps.length; i++) {
            String p = "add_noise." + i + ".";
            assertClose(p + "noisy", scheduler.addNoise(load(p + "original"), load(p + "noise"), timesteps[i]));
        }
    }

    @Test
    void renoiseUsesTheIlfaRatio() {
        // ALGORITHM.md §6: z = sqrt(r) z_661 + sqrt(1 - r) n with sqrt(r) = 0.932907, sqrt(1 - r) = 0.360117
        NDArray z = manager.ones(new Shape(1, 4, 2, 2));
        NDArray noise = manager.full(new Shape(1, 4, 2, 2), 2f);
        float[] out = scheduler.renoise(z, noise, 661, 681).toFloatArray();
        for (float v : out) {
            assertEquals(0.932907 + 2 * 0.360117, v, 2e-6);
        }
        assertThrows(IllegalArgumentException.class, () -> scheduler.renoise(z, noise, 681, 661));
    }

    @Test
    void dragTimestep() {
        // ALGORITHM.md §2: round(0.7 * 50) = 35 inversion steps, timesteps[15] = 681
        assertEquals(35, DdimScheduler.inversionSteps(50, 0.7));
        assertEquals(681, scheduler.dragTimestep(50, 0.7));
        assertEquals(981, scheduler.dragTimestep(50, 1.0));
        assertThrows(IllegalArgumentException.class, () -> scheduler.dragTimestep(50, 0.0));
        assertThrows(IllegalArgumentException.class, () -> scheduler.dragTimestep(50, 0.005));
    }

    @Test
    void stepIsDifferentiable() {
        // The step is plain NDArray arithmetic: d prev / d eps = sqrt(1 - a_prev) - sqrt(a_prev (1 - a_t) / a_t)
        double at = scheduler.alphaCumprod(681);
        double ap = scheduler.alphaCumprod(661);
        double expected = Math.sqrt(1 - ap) - Math.sqrt(ap) * Math.sqrt(1 - at) / Math.sqrt(at);
        NDArray eps = manager.ones(new Shape(1, 4, 2, 2));
        NDArray x = manager.zeros(new Shape(1, 4, 2, 2));
        eps.setRequiresGradient(true);
        try (GradientCollector gc = manager.getEngine().newGradientCollector()) {
            NDArray prev = scheduler.step(eps, 681, x, 50).prevSample();
            gc.backward(prev.sum());
        }
        for (float g : eps.getGradient().toFloatArray()) {
            assertEquals(expected, g, 1e-6);
        }
    }

    @Test
    void configParsesDiffusersJson() throws IOException {
        DdimConfig c = DdimConfig.load(Fixtures.path("ddim/scheduler_config.json"));
        assertEquals(DdimConfig.sd15(), c);
        // the SD 1.5 model folder ships a PNDM config; its extra keys are ignored
        String pndm = "{\"_class_name\": \"PNDMScheduler\", \"beta_end\": 0.012, \"beta_schedule\": \"scaled_linear\","
                + " \"beta_start\": 0.00085, \"num_train_timesteps\": 1000, \"set_alpha_to_one\": false,"
                + " \"skip_prk_steps\": true, \"steps_offset\": 1, \"trained_betas\": null, \"clip_sample\": false}";
        assertEquals(DdimConfig.sd15(), DdimConfig.parse(pndm));
        DdimConfig linear = DdimConfig.parse("{\"clip_sample\": false}");
        assertEquals(DdimConfig.BetaSchedule.LINEAR, linear.betaSchedule());
        assertTrue(linear.setAlphaToOne());
        assertEquals(1.0, new DdimScheduler(linear).finalAlphaCumprod());
        // linear betas: torch.linspace(1e-4, 0.02, 1000) in float32
        assertEquals(1e-4, new DdimScheduler(linear).beta(0), 1e-10);
        assertEquals(0.02, new DdimScheduler(linear).beta(999), 1e-9);
    }

    @Test
    void configRejectsUnsupportedSettings() {
        assertRejected("{\"clip_sample\": true}", "clip_sample");
        assertRejected("{}", "clip_sample"); // diffusers' default is clip_sample true
        assertRejected("{\"clip_sample\": false, \"beta_schedule\": \"squaredcos_cap_v2\"}", "squaredcos_cap_v2");
        assertRejected("{\"clip_sample\": false, \"prediction_type\": \"v_prediction\"}", "v_prediction");
        assertRejected("{\"clip_sample\": false, \"timestep_spacing\": \"karras\"}", "karras");
        assertRejected("{\"clip_sample\": false, \"trained_betas\": [0.1, 0.2]}", "trained_betas");
        assertRejected("{\"clip_sample\": false, \"thresholding\": true}", "thresholding");
        assertRejected("{\"clip_sample\": false, \"rescale_betas_zero_snr\": true}", "rescale_betas_zero_snr");
        assertRejected("{\"clip_sample\": false, \"beta_start\": 0.02, \"beta_end\": 0.01}", "0.02");
        assertRejected("{\"clip_sample\": false, \"num_train_timesteps\": \"many\"}", "num_train_timesteps");
    }

    @Test
    void aConfigWrittenAsJsonParsesBackToItself() throws IOException {
        DdimConfig sd = DdimConfig.sd15();
        assertEquals(sd, DdimConfig.parse(sd.toJson().toString()));
        DdimConfig other = new DdimConfig(500, 0.0001, 0.02, DdimConfig.BetaSchedule.LINEAR, false, true, 0, "epsilon",
                DdimConfig.TimestepSpacing.TRAILING);
        assertEquals(other, DdimConfig.parse(other.toJson().toString()), "every key is written, not left to defaults");
        assertEquals("DDIMScheduler", sd.toJson().get("_class_name").asText());
    }

    private static void assertRejected(String json, String named) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> DdimConfig.parse(json));
        assertTrue(e.getMessage().contains(named), "message '" + e.getMessage() + "' should name " + named);
    }
}
