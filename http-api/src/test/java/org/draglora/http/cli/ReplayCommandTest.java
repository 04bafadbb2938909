package org.draglora.http.cli;

import static org.draglora.http.cli.CliRun.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.SpawnProtocol;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.draglora.engine.model.ModelPath;
import org.draglora.engine.runtime.DeviceKind;
import org.draglora.engine.runtime.EngineRuntime;
import org.draglora.engine.session.EditEngine;
import org.draglora.sessions.edit.EditSession;
import org.draglora.sessions.edit.PointPair;
import org.draglora.sessions.edit.SessionCommand;
import org.draglora.sessions.edit.SessionDeps;
import org.draglora.sessions.edit.SessionSpec;
import org.draglora.sessions.edit.SessionState;
import org.draglora.sessions.edit.SessionStatus;
import org.draglora.sessions.gpu.GpuScheduler;
import org.draglora.sessions.gpu.SchedulerSettings;
import org.draglora.sessions.journal.Journal;
import org.draglora.sessions.store.BlobStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code draglora replay}: a session recorded in a data directory's journal is re-executed from it. */
class ReplayCommandTest {



    @Test
    void replayReExecutesARecordedSessionAndFindsTheSameResult(@TempDir Path dir) throws Exception {
        Path model = TinyPipeline.create(dir.resolve("tiny"));
        Path data = dir.resolve("data");
        record(model, data, "s1");

        CliRun r = run("replay", "s1", "--data", data.toString(), "--model", model.toString(), "--timeline");
        assertEquals(0, r.code(), r.err() + r.out());
        assertTrue(r.out().startsWith("session s1: finished, epoch 0, "), r.out());
        assertTrue(r.out().contains("1 live changes"), r.out());
        assertTrue(r.out().contains("  drag "), "the timeline lists the drag steps: " + r.out());
        assertTrue(r.out().contains("identical"), r.out());

        CliRun missing = run("replay", "nope", "--data", data.toString(), "--model", model.toString());
        assertEquals(2, missing.code(), missing.err());
        assertTrue(missing.err().contains("no session nope"), missing.err());
    }

    /** Records one finished session with a live point added mid-run, as the server would. */
    private static void record(Path model, Path data, String id) throws Exception {
        ActorSystem<SpawnProtocol.Command> system = ActorSystem.create(SpawnProtocol.create(), "record",
                Journal.configure(ConfigFactory.load(), data));
        try (EditEngine engine = EditEngine.load(ModelPath.of(model), EngineRuntime.start(DeviceKind.CPU),
                data.resolve("cache"))) {
            Journal.ensureSchema(system).toCompletableFuture().get(1, TimeUnit.MINUTES);
            BlobStore blobs = new BlobStore(data.resolve("blobs"));
            ActorRef<GpuScheduler.Command> gpu = spawn(system, GpuScheduler.create(new SchedulerSettings(16,
                    Duration.ofSeconds(5))), "gpu", Props.empty().withDispatcherFromConfig(GpuScheduler.DISPATCHER));
            ActorRef<SessionCommand> s = spawn(system, EditSession.create(id, new SessionDeps(gpu, engine, blobs,
                    Duration.ofMinutes(5), false)), id, Props.empty());
            byte[] rgb = new byte[64 * 64 * 3];
            for (int i = 0; i < rgb.length; i++) {
                rgb[i] = (byte) ((i / 3) % 64 < 32 ? 200 : 40);
            }
            SessionSpec spec = new SessionSpec(blobs.put(rgb), 64, 64, null, "", "draglora", 3,
                    List.of(new PointPair(20, 20, 28, 20)), 3, 2);
            CompletableFuture<SessionState> done = new CompletableFuture<>();
            ActorRef<SessionState> listener = spawn(system, Behaviors.<SessionState>receiveMessage(st -> {
                if (st.status() == SessionStatus.FINISHED) {
                    done.complete(st);
                }
                return Behaviors.same();
            }), "listener", Props.empty());
            s.tell(new SessionCommand.Subscribe(listener));
            ask(system, s, r -> new SessionCommand.Open(spec, r));
            ask(system, s, r -> new SessionCommand.AddPoint(new PointPair(40, 40, 44, 44), r));
            ask(system, s, SessionCommand.Start::new);
            done.get(5, TimeUnit.MINUTES);
        } finally {
            system.terminate();
            system.getWhenTerminated().toCompletableFuture().get(1, TimeUnit.MINUTES);
        }
    }

    private static void ask(ActorSystem<?> system, ActorRef<SessionCommand> s,
            java.util.function.Function<ActorRef<SessionCommand.Reply>, SessionCommand> cmd) throws Exception {
        SessionCommand.Reply r = AskPattern.ask(s, cmd::apply, Duration.ofSeconds(30), system.scheduler())
                .toCompletableFuture().get();
        assertTrue(r instanceof SessionCommand.Accepted, "accepted: " + r);
    }

    private static <T> ActorRef<T> spawn(ActorSystem<SpawnProtocol.Command> system,
            org.apache.pekko.actor.typed.Behavior<T> b, String name, Props props) throws Exception {
        return AskPattern.<SpawnProtocol.Command, ActorRef<T>>ask(system, r -> new SpawnProtocol.Spawn<>(b, name, props, r),
                Duration.ofSeconds(10), system.scheduler()).toCompletableFuture().get();
    }
}
