package org.draglora.http.cli;

import com.typesafe.config.Config;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.function.Consumer;
import org.draglora.config.EngineSettings;
import org.draglora.config.Settings;
import org.draglora.engine.runtime.DeviceKind;
import org.draglora.engine.runtime.EngineRuntime;
import org.draglora.http.Version;
import picocli.CommandLine.Command;
import picocli.CommandLine.IVersionProvider;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;
import picocli.CommandLine.TypeConversionException;

/**
 * The top command {@code draglora}: the global options and the settings every subcommand reads.
 *
 * <p>Global options may appear before or after the subcommand ({@code draglora --device gpu serve}
 * and {@code draglora serve --device gpu} are the same). Subcommands get this object in their
 * constructor and call {@link #settings()}, {@link #config()}, {@link #out()}; they never read HOCON
 * or system properties themselves. Subcommands are registered in {@link Commands}.
 */
@Command(
        name = "draglora",
        mixinStandardHelpOptions = true,
        versionProvider = DragloraCommand.VersionProvider.class,
        synopsisSubcommandLabel = "COMMAND",
        description = "Drag-based image editing with diffusion models (DragLoRA on Stable Diffusion 1.5).",
        footer = {
            "",
            "Settings: defaults (reference.conf), then --config FILE, then -Dkey=value",
            "system properties (DRAGLORA_JAVA_OPTS=-Ddraglora.server.port=9000), then options.",
            "Exit codes: 0 success, 1 failure, 2 usage error."
        })
public final class DragloraCommand implements Callable<Integer> {

    @Option(names = "--device", paramLabel = "cpu|gpu", scope = ScopeType.INHERIT,
            converter = DeviceConverter.class,
            description = "Where tensors live (default: draglora.engine.device, cpu).")
    private String device;

    @Option(names = "--config", paramLabel = "FILE", scope = ScopeType.INHERIT,
            description = "Extra HOCON file layered over the defaults.")
    private Path configFile;

    @Option(names = "--verbose", scope = ScopeType.INHERIT,
            description = "Print stack traces of errors.")
    private boolean verbose;

    @Spec
    private CommandSpec spec;

    private Config config;
    private Settings settings;

    /** Without a command there is nothing to do: a usage error. */
    @Override
    public Integer call() {
        throw new UsageException("missing command; see 'draglora --help'");
    }

    /**
     * The configuration tree (reference.conf, then {@code --config FILE}, then system properties),
     * for Pekko. Loaded once.
     */
    public Config config() {
        if (config == null) {
            config = configFile == null ? Settings.loadConfig() : Settings.loadConfig(configFile);
        }
        return config;
    }

    /** The validated settings, with {@code --device} applied. Loaded once. */
    public Settings settings() {
        if (settings == null) {
            Settings loaded = Settings.load(config());
            settings = device == null ? loaded : loaded.withEngine(loaded.engine().withDevice(device));
        }
        return settings;
    }

    /** The tensor engine on the configured device, started on first use. */
    public EngineRuntime engine() {
        EngineSettings e = settings().engine();
        return EngineRuntime.start(DeviceKind.parse(e.device()), e.threads());
    }

    /** True when {@code --verbose} was given. */
    public boolean verbose() {
        return verbose;
    }

    /** Where commands print their results (stdout in production). Logs never go here. */
    public PrintWriter out() {
        return spec.commandLine().getOut();
    }

    /** Where commands print diagnostics meant for the user (stderr in production). */
    public PrintWriter err() {
        return spec.commandLine().getErr();
    }

    /** A progress sink for a long command: each line to {@link #err()} as "{@code name}: line", flushed. */
    public Consumer<String> progress(String name) {
        return line -> {
            err().println(name + ": " + line);
            err().flush();
        };
    }

    /** Prints a command's result (a markdown table) to {@link #out()} and flushes. */
    public void printResult(String text) {
        out().print(text);
        out().flush();
    }

    /** Prints {@code draglora <version>}. */
    static final class VersionProvider implements IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"draglora " + Version.current()};
        }
    }

    /** Accepts the device names of {@link EngineSettings#DEVICES} only. */
    static final class DeviceConverter implements ITypeConverter<String> {
        @Override
        public String convert(String value) {
            if (!EngineSettings.DEVICES.contains(value)) {
                throw new TypeConversionException(
                        "expected one of " + EngineSettings.DEVICES + " but was '" + value + "'");
            }
            return value;
        }
    }
}
