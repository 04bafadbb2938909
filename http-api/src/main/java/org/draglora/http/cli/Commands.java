package org.draglora.http.cli;

import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * Every draglora command, registered in one place ({@link #register}), and the picocli wiring
 * (output streams, {@link ErrorPolicy}).
 *
 * <p>To add a command: write one class like {@link ServeCommand} ({@code @Command(name = ...)},
 * {@code Callable<Integer>}, a constructor taking the {@link DragloraCommand} for settings and
 * output), then add one line to {@link #register}. Two-word commands ({@code model inspect},
 * {@code bench unet}) go into a {@link #group}:
 * {@code root.addSubcommand(group("model", "Inspect and run model weights.", new ModelInspectCommand(top)))}.
 */
public final class Commands {

    private Commands() {}

    /** The complete command line, printing to {@code out} and {@code err}. */
    public static CommandLine create(PrintWriter out, PrintWriter err) {
        DragloraCommand top = new DragloraCommand();
        CommandLine root = new CommandLine(top);
        register(root, top);
        return configure(root, top, out, err);
    }

    /** The one place where subcommands are registered. */
    private static void register(CommandLine root, DragloraCommand top) {
        root.addSubcommand(new ServeCommand(top));
        root.addSubcommand(new EditCommand(top));
        root.addSubcommand(new TrainTinyCommand(top));
        root.addSubcommand(new ReplayCommand(top));
        root.addSubcommand(group("model", "Inspect model weights and run one component on given tensors.",
                new ModelInspectCommand(top), new ModelForwardCommand(top)));
        root.addSubcommand(group("bench", "Measure performance.", new BenchUnetCommand(top), new BenchDragCommand(top),
                new BenchShapeDragCommand(top), new BenchIlfaCommand(top), new BenchPromptsCommand(top),
                new BenchSamplesCommand(top), new BenchSessionsCommand(top), new BenchLoadCommand(top)));
    }

    /**
     * A command with subcommands only, e.g. {@code model} for {@code model inspect}; run without
     * one it is a usage error.
     */
    static CommandLine group(String name, String description, Object... subcommands) {
        CommandLine group = new CommandLine(new CommandGroup());
        group.getCommandSpec().name(name);
        group.getCommandSpec().usageMessage().description(description);
        for (Object subcommand : subcommands) {
            group.addSubcommand(subcommand);
        }
        return group;
    }

    /**
     * Installs output streams and the error policy on {@code root} and every subcommand. Call it
     * after all subcommands are added (picocli copies these settings down at call time).
     */
    static CommandLine configure(CommandLine root, DragloraCommand top, PrintWriter out, PrintWriter err) {
        ErrorPolicy policy = new ErrorPolicy(err);
        return root.setOut(out)
                .setErr(err)
                .setParameterExceptionHandler((e, args) -> policy.onParameterError(e))
                .setExecutionExceptionHandler((e, commandLine, parseResult) -> policy.onExecutionError(e, top.verbose()));
    }

    /** The user object of a {@link #group}. */
    @Command(mixinStandardHelpOptions = true, synopsisSubcommandLabel = "COMMAND")
    static final class CommandGroup implements Callable<Integer> {

        @Spec
        private CommandSpec spec;

        @Override
        public Integer call() {
            throw new UsageException("missing command after '" + spec.qualifiedName()
                    + "'; see '" + spec.qualifiedName() + " --help'");
        }
    }
}
