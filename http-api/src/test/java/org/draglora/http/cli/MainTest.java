package org.draglora.http.cli;

import static org.draglora.http.cli.CliRun.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.draglora.http.Main;
import org.draglora.http.Version;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The command line, run in-process through {@link Main#run}. */
class MainTest {



    private static void assertOneErrorLine(CliRun r, String expectedFragment) {
        assertEquals(1, r.errLines().size(), r.err());
        assertTrue(r.errLines().get(0).startsWith("draglora: "), r.err());
        assertTrue(r.err().contains(expectedFragment), r.err());
        assertEquals("", r.out());
    }

    @Test
    void helpListsServeAndExitsZero() {
        CliRun r = run("--help");

        assertEquals(0, r.code());
        assertTrue(r.out().startsWith("Usage: draglora"), r.out());
        assertTrue(r.out().contains("serve"), r.out());
        assertTrue(r.out().contains("--device"), r.out());
        assertEquals("", r.err());
    }

    @Test
    void serveHelpShowsItsOptions() {
        CliRun r = run("serve", "--help");

        assertEquals(0, r.code());
        assertTrue(r.out().contains("--port") && r.out().contains("--host") && r.out().contains("--data"), r.out());
    }

    @Test
    void versionPrintsTheBuildVersion() {
        CliRun r = run("--version");

        assertEquals(0, r.code());
        assertEquals("draglora " + Version.current(), r.out().strip());
    }

    @Test
    void unknownOptionIsOneLineExitTwo() {
        CliRun r = run("--bogus");

        assertEquals(2, r.code());
        assertOneErrorLine(r, "--bogus");
    }

    @Test
    void unknownDeviceIsOneLineExitTwo() {
        CliRun r = run("--device", "tpu", "serve");

        assertEquals(2, r.code());
        assertOneErrorLine(r, "'tpu'");
    }

    @Test
    void unknownCommandIsOneLineExitTwo() {
        CliRun r = run("paint");

        assertEquals(2, r.code());
        assertOneErrorLine(r, "paint");
    }

    @Test
    void missingCommandIsOneLineExitTwo() {
        CliRun r = run();

        assertEquals(2, r.code());
        assertOneErrorLine(r, "missing command");
    }

    @Test
    void invalidPortIsOneLineExitTwo() {
        CliRun r = run("serve", "--port", "70000");

        assertEquals(2, r.code());
        assertOneErrorLine(r, "70000");
    }

    @Test
    void missingConfigFileIsOneLineExitTwo(@TempDir Path dir) {
        CliRun r = run("--config", dir.resolve("absent.conf").toString(), "serve");

        assertEquals(2, r.code());
        assertOneErrorLine(r, "absent.conf");
    }

    @Test
    void invalidValueInConfigFileIsOneLineExitTwo(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("bad.conf");
        Files.writeString(file, "draglora.engine.device = tpu\n");

        CliRun r = run("serve", "--config", file.toString());

        assertEquals(2, r.code());
        assertOneErrorLine(r, "draglora.engine.device");
    }

    @Test
    void bindFailureIsOneLineExitOne(@TempDir Path dir) throws IOException {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            CliRun r = run("serve", "--host", "127.0.0.1", "--port", String.valueOf(taken.getLocalPort()),
                    "--data", dir.resolve("data").toString());

            assertEquals(1, r.code());
            assertOneErrorLine(r, "cannot bind 127.0.0.1:" + taken.getLocalPort());
            assertTrue(Files.isDirectory(dir.resolve("data")), "serve creates the data directory");
        }
    }

    @Test
    void globalOptionsWorkBeforeAndAfterTheSubcommand(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("draglora.conf");
        Files.writeString(file, "draglora.server.port = 9123\n");
        for (String[] args : List.of(
                new String[] {"--device", "gpu", "--config", file.toString(), "serve"},
                new String[] {"serve", "--device=gpu", "--config", file.toString()})) {
            CommandLine cli = Commands.create(new PrintWriter(new StringWriter()), new PrintWriter(new StringWriter()));
            cli.parseArgs(args);
            DragloraCommand top = cli.getCommand();

            assertEquals("gpu", top.settings().engine().device());
            assertEquals(9123, top.settings().server().port());
        }
    }

    @Test
    void verboseAddsTheStackTraceToFailures() {
        CliRun quiet = run("serve", "--port", "-1");
        CliRun verbose = run("serve", "--port", "-1", "--verbose");

        assertEquals(1, quiet.errLines().size(), quiet.err());
        assertTrue(verbose.errLines().size() > 1, verbose.err());
        assertTrue(verbose.err().contains("\tat "), verbose.err());
    }

    @Command(name = "inspect", description = "Test command.")
    static final class Inspect implements Callable<Integer> {
        @Override
        public Integer call() {
            return 0;
        }
    }

    @Test
    void groupsDispatchToTheirSubcommandsAndRejectABareGroup() {
        StringWriter err = new StringWriter();
        DragloraCommand top = new DragloraCommand();
        CommandLine root = new CommandLine(top);
        root.addSubcommand(Commands.group("model", "Model tools.", new Inspect()));
        CommandLine cli = Commands.configure(root, top, new PrintWriter(new StringWriter()), new PrintWriter(err, true));

        assertEquals(0, cli.execute("model", "inspect", "--device", "cpu"));
        assertEquals(2, cli.execute("model"));
        assertEquals("draglora: missing command after 'draglora model'; see 'draglora model --help'",
                err.toString().strip());
    }
}
