package org.draglora.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigParseOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * All settings of draglora, loaded once from HOCON ({@code draglora { ... }}, defaults in
 * {@code reference.conf}) into typed, validated records.
 *
 * <p>This module is the only code that reads HOCON keys: everything else receives these records.
 * Configuration errors of any kind (a missing file, a wrong type, an invalid value) surface as an
 * {@link IllegalArgumentException} whose message names the key and the value.
 *
 * @param engine the tensor engine ({@code draglora.engine})
 * @param server the HTTP server ({@code draglora.server})
 * @param sessions edit sessions ({@code draglora.sessions})
 * @param limits what one client may ask ({@code draglora.limits})
 */
public record Settings(EngineSettings engine, ServerSettings server, SessionSettings sessions, LimitSettings limits) {

    /** Requires every part. */
    public Settings {
        Objects.requireNonNull(engine, "engine");
        Objects.requireNonNull(server, "server");
        Objects.requireNonNull(sessions, "sessions");
        Objects.requireNonNull(limits, "limits");
    }

    /** Loads from {@link ConfigFactory#load()}: system properties, application.conf, reference.conf. */
    public static Settings load() {
        return load(loadConfig());
    }

    /**
     * Reads and validates the {@code draglora} tree of {@code config}. Keys that {@code config}
     * lacks come from {@code reference.conf}.
     *
     * @throws IllegalArgumentException when a key has the wrong type or an invalid value
     */
    public static Settings load(Config config) {
        Config reference = ConfigFactory.defaultReference();
        try {
            Config root = config.withFallback(reference).resolve();
            root.checkValid(reference, "draglora");
            return new Settings(EngineSettings.from(root), ServerSettings.from(root), SessionSettings.from(root),
                    LimitSettings.from(root));
        } catch (ConfigException e) {
            throw new IllegalArgumentException("invalid configuration: " + e.getMessage(), e);
        }
    }

    /**
     * The configuration tree draglora runs with, without an extra file: system properties over
     * application.conf over reference.conf, resolved. Pekko reads its own keys from the same tree.
     */
    public static Config loadConfig() {
        return wrap(ConfigFactory::load);
    }

    /**
     * The configuration tree with {@code file} layered in: system properties over {@code file} over
     * application.conf over reference.conf, resolved.
     *
     * @throws IllegalArgumentException when the file is missing or not valid HOCON
     */
    public static Config loadConfig(Path file) {
        Objects.requireNonNull(file, "file");
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("configuration file not found: " + file);
        }
        return wrap(() -> ConfigFactory.load(
                ConfigFactory.parseFile(file.toFile(), ConfigParseOptions.defaults().setAllowMissing(false))
                        .withFallback(ConfigFactory.defaultApplication())));
    }

    /** A copy with other engine settings. */
    public Settings withEngine(EngineSettings newEngine) {
        return new Settings(newEngine, server, sessions, limits);
    }

    /** A copy with other server settings. */
    public Settings withServer(ServerSettings newServer) {
        return new Settings(engine, newServer, sessions, limits);
    }

    private static Config wrap(Supplier<Config> load) {
        try {
            return load.get();
        } catch (ConfigException e) {
            throw new IllegalArgumentException("invalid configuration: " + e.getMessage(), e);
        }
    }
}
