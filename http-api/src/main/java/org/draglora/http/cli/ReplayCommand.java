package org.draglora.http.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.draglora.engine.model.EmbeddedModel;
import org.draglora.engine.model.ModelPath;
import org.draglora.engine.session.EditEngine;
import org.draglora.sessions.edit.Replay;
import org.draglora.sessions.edit.SessionHistory;
import org.draglora.sessions.edit.SessionState;
import org.draglora.sessions.edit.StepSummary;
import org.draglora.sessions.journal.Journal;
import org.draglora.sessions.store.BlobStore;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code draglora replay SESSION_ID}: reads a session from the journal, prints its timeline
 * summary, re-executes the edit (live changes at their original step indices) and reports whether
 * the result is identical to the recorded one. Exit code 0 when identical, 1 when not.
 */
@Command(
        name = "replay",
        mixinStandardHelpOptions = true,
        description = {"Re-run an edit session from its journal and check that the result is identical.",
            "Live point and mask changes are applied at the drag steps where they were applied originally."})
public final class ReplayCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "SESSION_ID", description = "The session to replay.")
    private String sessionId;

    @Option(names = "--data", paramLabel = "DIR",
            description = "Data directory with the journal and blobs (default: draglora.server.data-dir, ./data).")
    private Path dataDir;

    @Option(names = "--model", paramLabel = "PATH",
            description = "The model the session used (default: draglora.engine.model, else the embedded model).")
    private Path model;

    @Option(names = "--timeline", description = "Print every recorded step.")
    private boolean timeline;

    @Option(names = "--out", paramLabel = "OUT.png", description = "Also write the re-executed result.")
    private Path out;

    private final DragloraCommand root;

    public ReplayCommand(DragloraCommand root) {
        this.root = root;
    }

    @Override
    public Integer call() throws Exception {
        Path data = dataDir != null ? dataDir : root.settings().server().dataDir();
        if (!java.nio.file.Files.isDirectory(data)) {
            throw new UsageException("no data directory " + data);
        }
        ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "draglora-replay",
                Journal.configure(root.config(), data));
        SessionState state;
        try {
            state = SessionHistory.load(system, sessionId, Duration.ofMinutes(1))
                    .orElseThrow(() -> new UsageException("no session " + sessionId + " in the journal "
                            + Journal.describe(system)));
        } finally {
            // wait for the journal's database to close, so nothing writes into the data directory after we return
            system.terminate();
            system.getWhenTerminated().toCompletableFuture().get(1, java.util.concurrent.TimeUnit.MINUTES);
        }
        PrintWriter o = root.out();
        o.printf(Locale.ROOT, "session %s: %s, epoch %d, %d steps (%d drag), %d live changes%n", sessionId,
                state.status().name().toLowerCase(Locale.ROOT), state.epoch(), state.timeline().size(),
                state.dragSteps(), state.changes().size());
        if (timeline) {
            for (StepSummary s : state.timeline()) {
                o.printf(Locale.ROOT, "  %-9s %3d %-9s loss %8.4f  %s%n", s.phase().toLowerCase(Locale.ROOT), s.index(),
                        s.mode() == null ? "" : s.mode().toLowerCase(Locale.ROOT), s.loss(), points(s));
            }
        }
        o.flush();
        ModelPath modelPath = ModelPath.of(EmbeddedModel.resolve(model, root.settings().engine().model()));
        Replay.Outcome r;
        try (EditEngine engine = EditEngine.load(modelPath, root.engine(), data.resolve("cache"))) {
            r = Replay.reexecute(engine, new BlobStore(data.resolve("blobs")), state);
        }
        if (out != null) {
            org.draglora.engine.io.ImageTensors.writePng(new org.draglora.engine.io.RgbImage(state.spec().width(),
                    state.spec().height(), r.result()), out);
        }
        if (r.recorded() == null) {
            o.println("re-executed; the session has not finished, so there is no recorded result to compare");
            o.flush();
            return 0;
        }
        o.println(r.identical() ? "identical: the re-executed result equals the recorded one byte for byte"
                : "DIFFERENT: the re-executed result is not the recorded one");
        o.flush();
        return r.identical() ? 0 : 1;
    }

    private static String points(StepSummary s) {
        StringBuilder b = new StringBuilder();
        for (StepSummary.PointState p : s.points()) {
            b.append(String.format(Locale.ROOT, "#%d (%.0f,%.0f)->(%.0f,%.0f) d=%.1f ", p.id(), p.handleX(), p.handleY(),
                    p.targetX(), p.targetY(), p.distance()));
        }
        return b.toString().trim();
    }
}
