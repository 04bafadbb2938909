package org.draglora.engine.schedule;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The settings of diffusers {@code DDIMScheduler} (schedulers/scheduling_ddim.py, diffusers
 * 0.27.2) that this project supports, parsed from a {@code scheduler_config.json}.
 *
 * <p>Only the SD 1.5 path exists: epsilon prediction, no sample clipping, no thresholding, no
 * trained betas, no zero-SNR rescaling. Anything else is rejected with the offending value rather
 * than silently ignored. Keys this record does not model ({@code _class_name}, {@code
 * skip_prk_steps} of a PNDM config, {@code dynamic_thresholding_ratio}, ...) are ignored, as
 * diffusers' {@code from_config} does.
 *
 * @param numTrainTimesteps {@code num_train_timesteps}, the DDPM training grid size
 * @param betaStart {@code beta_start}
 * @param betaEnd {@code beta_end}
 * @param betaSchedule {@code beta_schedule}
 * @param clipSample {@code clip_sample}; must be false
 * @param setAlphaToOne {@code set_alpha_to_one}: whether the step past t = 0 uses abar = 1
 * @param stepsOffset {@code steps_offset}, added to "leading" timesteps
 * @param predictionType {@code prediction_type}; must be "epsilon"
 * @param timestepSpacing {@code timestep_spacing}
 */
public record DdimConfig(
        int numTrainTimesteps,
        double betaStart,
        double betaEnd,
        BetaSchedule betaSchedule,
        boolean clipSample,
        boolean setAlphaToOne,
        int stepsOffset,
        String predictionType,
        TimestepSpacing timestepSpacing) {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** {@code beta_schedule}: how the betas run from beta_start to beta_end. */
    public enum BetaSchedule {
        /** {@code linspace(beta_start, beta_end, N)}. */
        LINEAR("linear"),
        /** {@code linspace(sqrt(beta_start), sqrt(beta_end), N)^2}, the SD schedule. */
        SCALED_LINEAR("scaled_linear");

        private final String configName;

        BetaSchedule(String configName) {
            this.configName = configName;
        }

        /** The spelling in {@code scheduler_config.json}. */
        public String configName() {
            return configName;
        }

        /** Parses the config spelling, naming the value on failure. */
        public static BetaSchedule of(String value) {
            for (BetaSchedule s : values()) {
                if (s.configName.equals(value)) {
                    return s;
                }
            }
            throw new IllegalArgumentException("beta_schedule '" + value
                    + "' is not supported (supported: 'scaled_linear', 'linear')");
        }
    }

    /** {@code timestep_spacing}: how the inference timesteps are picked from the training grid. */
    public enum TimestepSpacing {
        /** {@code arange(n) * (N // n)}, reversed, + steps_offset (the SD default). */
        LEADING("leading"),
        /** {@code round(arange(N, 0, -N / n)) - 1}. */
        TRAILING("trailing"),
        /** {@code round(linspace(0, N - 1, n))}, reversed. */
        LINSPACE("linspace");

        private final String configName;

        TimestepSpacing(String configName) {
            this.configName = configName;
        }

        /** The spelling in {@code scheduler_config.json}. */
        public String configName() {
            return configName;
        }

        /** Parses the config spelling, naming the value on failure. */
        public static TimestepSpacing of(String value) {
            for (TimestepSpacing s : values()) {
                if (s.configName.equals(value)) {
                    return s;
                }
            }
            throw new IllegalArgumentException("timestep_spacing '" + value
                    + "' is not supported (supported: 'leading', 'trailing', 'linspace')");
        }
    }

    public DdimConfig {
        if (betaSchedule == null || predictionType == null || timestepSpacing == null) {
            throw new IllegalArgumentException("beta_schedule, prediction_type and timestep_spacing must be set");
        }
        if (numTrainTimesteps < 2) {
            throw new IllegalArgumentException("num_train_timesteps must be at least 2, got " + numTrainTimesteps);
        }
        if (!(betaStart > 0 && betaEnd < 1 && betaStart <= betaEnd)) {
            throw new IllegalArgumentException("need 0 < beta_start <= beta_end < 1, got beta_start "
                    + betaStart + ", beta_end " + betaEnd);
        }
        if (clipSample) {
            throw new IllegalArgumentException("clip_sample true is not supported: SD 1.5 runs DDIM with "
                    + "clip_sample false (ALGORITHM.md §2); set \"clip_sample\": false");
        }
        if (!predictionType.equals("epsilon")) {
            throw new IllegalArgumentException("prediction_type '" + predictionType
                    + "' is not supported; SD 1.5 predicts 'epsilon'");
        }
        if (stepsOffset < 0) {
            throw new IllegalArgumentException("steps_offset must be >= 0, got " + stepsOffset);
        }
    }

    /** The SD 1.5 / DragLoRA scheduler (ALGORITHM.md §2, DL:run_dragbench_draglora.py:89-91). */
    public static DdimConfig sd15() {
        return new DdimConfig(1000, 0.00085, 0.012, BetaSchedule.SCALED_LINEAR, false, false, 1, "epsilon",
                TimestepSpacing.LEADING);
    }

    /** Reads a diffusers {@code scheduler_config.json}. */
    public static DdimConfig load(Path schedulerConfigJson) throws IOException {
        try {
            return parse(Files.readString(schedulerConfigJson));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(schedulerConfigJson + ": " + e.getMessage(), e);
        }
    }

    /**
     * Parses the JSON text of a {@code scheduler_config.json}. Missing keys take diffusers'
     * {@code DDIMScheduler.__init__} defaults, so a config without {@code clip_sample} means
     * clip_sample true and is rejected, exactly as diffusers would clip.
     */
    public static DdimConfig parse(String json) throws IOException {
        JsonNode root = JSON.readTree(json);
        if (root == null || !root.isObject()) {
            throw new IllegalArgumentException("scheduler config is not a JSON object");
        }
        // Settings that change the math and that this port does not implement: reject, never ignore.
        if (root.hasNonNull("trained_betas")) {
            throw new IllegalArgumentException("trained_betas is not supported (beta_schedule only)");
        }
        if (root.path("thresholding").asBoolean(false)) {
            throw new IllegalArgumentException("thresholding true is not supported");
        }
        if (root.path("rescale_betas_zero_snr").asBoolean(false)) {
            throw new IllegalArgumentException("rescale_betas_zero_snr true is not supported");
        }
        // defaults: diffusers DDIMScheduler.__init__ (scheduling_ddim.py, v0.27.2)
        return new DdimConfig(
                intValue(root, "num_train_timesteps", 1000),
                doubleValue(root, "beta_start", 0.0001),
                doubleValue(root, "beta_end", 0.02),
                BetaSchedule.of(textValue(root, "beta_schedule", "linear")),
                booleanValue(root, "clip_sample", true),
                booleanValue(root, "set_alpha_to_one", true),
                intValue(root, "steps_offset", 0),
                textValue(root, "prediction_type", "epsilon"),
                TimestepSpacing.of(textValue(root, "timestep_spacing", "leading")));
    }

    /** This config as a diffusers {@code scheduler_config.json} object, every key written, as {@link #parse} reads it. */
    public ObjectNode toJson() {
        ObjectNode n = JSON.createObjectNode();
        n.put("_class_name", "DDIMScheduler");
        n.put("num_train_timesteps", numTrainTimesteps);
        n.put("beta_start", betaStart);
        n.put("beta_end", betaEnd);
        n.put("beta_schedule", betaSchedule.configName());
        n.put("clip_sample", clipSample);
        n.put("set_alpha_to_one", setAlphaToOne);
        n.put("steps_offset", stepsOffset);
        n.put("prediction_type", predictionType);
        n.put("timestep_spacing", timestepSpacing.configName());
        return n;
    }

    private static JsonNode field(JsonNode root, String key) {
        JsonNode n = root.get(key);
        return n == null || n.isNull() ? null : n;
    }

    private static int intValue(JsonNode root, String key, int fallback) {
        JsonNode n = field(root, key);
        if (n == null) {
            return fallback;
        }
        if (!n.canConvertToInt() || !n.isIntegralNumber()) {
            throw new IllegalArgumentException(key + " must be an integer, got " + n);
        }
        return n.intValue();
    }

    private static double doubleValue(JsonNode root, String key, double fallback) {
        JsonNode n = field(root, key);
        if (n == null) {
            return fallback;
        }
        if (!n.isNumber()) {
            throw new IllegalArgumentException(key + " must be a number, got " + n);
        }
        return n.doubleValue();
    }

    private static boolean booleanValue(JsonNode root, String key, boolean fallback) {
        JsonNode n = field(root, key);
        if (n == null) {
            return fallback;
        }
        if (!n.isBoolean()) {
            throw new IllegalArgumentException(key + " must be true or false, got " + n);
        }
        return n.booleanValue();
    }

    private static String textValue(JsonNode root, String key, String fallback) {
        JsonNode n = field(root, key);
        if (n == null) {
            return fallback;
        }
        if (!n.isTextual()) {
            throw new IllegalArgumentException(key + " must be a string, got " + n);
        }
        return n.textValue();
    }
}
