package org.draglora.sessions.edit;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.draglora.engine.model.EmbeddedModel;
import org.draglora.engine.model.ModelPath;
import org.draglora.engine.runtime.DeviceKind;
import org.draglora.engine.runtime.EngineRuntime;
import org.draglora.engine.session.EditEngine;
import org.draglora.sessions.bench.SceneSessions;
import org.draglora.sessions.gpu.GpuJob;
import org.draglora.sessions.gpu.GpuScheduler;
import org.draglora.sessions.gpu.JobOutcome;
import org.draglora.sessions.gpu.JobPriority;
import org.draglora.sessions.gpu.SchedulerSettings;
import org.draglora.sessions.journal.Journal;
import org.draglora.sessions.store.BlobStore;

/**
 * A real session stack for tests: an actor system on an H2 journal file, the embedded model on a
 * GPU scheduler (the CPU here), a blob store, and generated shape scenes to edit.
 */
final class SessionFixture implements AutoCloseable {

    static final Duration WAIT = Duration.ofMinutes(3);

    final ActorTestKit kit;
    final ActorRef<GpuScheduler.Command> scheduler;
    final BlobStore blobs;
    final EditEngine engine;

    /** A system whose journal is the H2 file under {@code dir} (the same dir = the same journal). */
    SessionFixture(Path dir, EditEngine engine) {
        this(dir, engine, "draglora.journal.url = \"jdbc:h2:file:" + dir.resolve("journal").toAbsolutePath()
                + ";DB_CLOSE_ON_EXIT=FALSE\"");
    }

    /** A system whose journal is configured by {@code journalConfig} (HOCON over the defaults). */
    SessionFixture(Path dir, EditEngine engine, String journalConfig) {
        Config config = Journal.configure(ConfigFactory.load(ConfigFactory.parseString(journalConfig
                + "\npekko.loglevel = WARNING")));
        this.kit = ActorTestKit.create("sessions-" + System.nanoTime(), config);
        this.engine = engine;
        this.blobs = new BlobStore(dir.resolve("blobs"));
        Journal.ensureSchema(kit.system()).toCompletableFuture().join();
        this.scheduler = kit.spawn(GpuScheduler.create(new SchedulerSettings(64, Duration.ofSeconds(5))), "gpu",
                Props.empty().withDispatcherFromConfig(GpuScheduler.DISPATCHER));
    }

    /** The embedded model (loaded on the engine's device thread), once per test class. */
    static EditEngine loadEngine(Path cacheDir) throws IOException {
        EngineRuntime rt = EngineRuntime.start(DeviceKind.CPU);
        return EditEngine.load(ModelPath.of(EmbeddedModel.require()), rt, cacheDir);
    }

    SessionDeps deps(Duration idle) {
        return new SessionDeps(scheduler, engine, blobs, idle, true);
    }

    ActorRef<SessionCommand> spawn(String id) {
        return kit.spawn(EditSession.create(id, deps(Duration.ofMinutes(5))), id);
    }

    /** A spec for generated scene {@code seed}: a one-object move with a short budget. */
    SessionSpec spec(long seed, int maxSteps) {
        return SceneSessions.moveOne(blobs, seed, maxSteps, 4);
    }

    SessionCommand.Reply ask(ActorRef<SessionCommand> s,
            java.util.function.Function<ActorRef<SessionCommand.Reply>, SessionCommand> cmd) {
        return AskPattern.ask(s, cmd::apply, Duration.ofSeconds(30), kit.scheduler()).toCompletableFuture().join();
    }

    SessionCommand.Accepted accept(ActorRef<SessionCommand> s,
            java.util.function.Function<ActorRef<SessionCommand.Reply>, SessionCommand> cmd) {
        SessionCommand.Reply r = ask(s, cmd);
        if (r instanceof SessionCommand.Accepted a) {
            return a;
        }
        throw new AssertionError("refused: " + r);
    }

    SessionState state(ActorRef<SessionCommand> s) {
        return AskPattern.<SessionCommand, SessionState>ask(s, SessionCommand.Get::new, Duration.ofSeconds(30),
                kit.scheduler()).toCompletableFuture().join();
    }

    /** Subscribes a probe and waits (up to {@link #WAIT}) for a state that satisfies {@code p}. */
    SessionState await(TestProbe<SessionState> probe, Predicate<SessionState> p) {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (System.nanoTime() < deadline) {
            SessionState s = probe.receiveMessage(WAIT);
            if (p.test(s)) {
                return s;
            }
        }
        throw new AssertionError("timed out waiting for a session state");
    }

    /** Runs {@code job} on the scheduler's device thread and returns its value. */
    <T> T onDevice(GpuJob<T> job) throws Exception {
        CompletableFuture<JobOutcome<T>> f = AskPattern.<GpuScheduler.Command, JobOutcome<T>>ask(scheduler,
                r -> new GpuScheduler.Submit<>("test", JobPriority.INTERACTIVE, job, r), WAIT, kit.scheduler())
                .toCompletableFuture();
        JobOutcome<T> o = f.get(WAIT.toSeconds(), TimeUnit.SECONDS);
        if (o instanceof JobOutcome.Completed<T> c) {
            return c.value();
        }
        throw new AssertionError("device job: " + o);
    }

    /** Re-executes a finished session's edit from its journal state on the device thread. */
    byte[] replay(SessionState finished) throws Exception {
        return onDevice(() -> new EngineSlot(engine, blobs).reexecute(finished));
    }

    @Override
    public void close() {
        kit.shutdownTestKit();
    }
}
