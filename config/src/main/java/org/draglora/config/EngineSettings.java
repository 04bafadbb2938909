package org.draglora.config;

import com.typesafe.config.Config;
import java.util.List;
import java.util.Objects;

/**
 * Settings of the tensor engine: {@code draglora.engine} in HOCON.
 *
 * @param device where tensors live: {@code cpu} or {@code gpu}
 * @param threads libtorch intra-op threads; 0 keeps libtorch's default (one per core)
 * @param model Stable Diffusion 1.5 weights (a diffusers folder or a single-file checkpoint); empty
 *     selects the embedded default model
 */
public record EngineSettings(String device, int threads, String model) {

    /** The accepted values of {@link #device()}. */
    public static final List<String> DEVICES = List.of("cpu", "gpu");

    /** Validates every field, naming the key and the offending value. */
    public EngineSettings {
        Objects.requireNonNull(device, "draglora.engine.device");
        Objects.requireNonNull(model, "draglora.engine.model");
        if (!DEVICES.contains(device)) {
            throw new IllegalArgumentException(
                    "draglora.engine.device must be one of " + DEVICES + ", got '" + device + "'");
        }
        if (threads < 0) {
            throw new IllegalArgumentException(
                    "draglora.engine.threads must be >= 0 (0 = libtorch default), got " + threads);
        }
    }

    /** Reads {@code draglora.engine} from the resolved root, so that errors name full keys. */
    static EngineSettings from(Config root) {
        return new EngineSettings(
                root.getString("draglora.engine.device"),
                root.getInt("draglora.engine.threads"),
                root.getString("draglora.engine.model"));
    }

    /** A copy on another device (validated like the original). */
    public EngineSettings withDevice(String newDevice) {
        return new EngineSettings(newDevice, threads, model);
    }

    /** True when {@link #model()} is empty, i.e. the embedded default model is meant. */
    public boolean usesEmbeddedModel() {
        return model.isEmpty();
    }
}
