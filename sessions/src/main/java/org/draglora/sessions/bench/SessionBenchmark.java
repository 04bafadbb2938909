package org.draglora.sessions.bench;

import com.typesafe.config.Config;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.SpawnProtocol;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.draglora.engine.bench.Percentile;
import org.draglora.engine.bench.ProcessMemory;
import org.draglora.engine.session.EditEngine;
import org.draglora.engine.session.EngineEdit;
import org.draglora.sessions.edit.EditSession;
import org.draglora.sessions.edit.SessionCommand;
import org.draglora.sessions.edit.SessionDeps;
import org.draglora.sessions.edit.SessionSpec;
import org.draglora.sessions.edit.SessionState;
import org.draglora.sessions.edit.SessionStatus;
import org.draglora.sessions.edit.SpecRequests;
import org.draglora.sessions.gpu.GpuScheduler;
import org.draglora.sessions.gpu.SchedulerSettings;
import org.draglora.sessions.journal.Journal;
import org.draglora.sessions.store.BlobStore;

/**
 * {@code draglora bench sessions}: N edit sessions (generated shape scenes) drag at once on one
 * device through the real stack (actors, the fair scheduler, the journal). Per N it measures the
 * aggregate drag steps per second, each session's step-to-step latency (what a user watching the
 * edit sees, p50 and p99), the memory the prepared sessions add, and, against the same edit run
 * by calling the engine directly, the cost the session layer adds per step.
 */
public final class SessionBenchmark {

    /**
     * @param sessionCounts the N to measure
     * @param maxSteps the DOO budget of every edit
     * @param recLoraSteps RecLoRA steps (fitted once per scene, then cached)
     * @param seed scene seeds are seed, seed + 1, ...
     * @param sessions the session settings the server would run with (queue capacity, previews)
     */
    public record Options(List<Integer> sessionCounts, int maxSteps, int recLoraSteps, long seed,
            org.draglora.config.SessionSettings sessions) {
        public Options {
            sessionCounts = List.copyOf(sessionCounts);
            if (sessionCounts.isEmpty() || sessionCounts.stream().anyMatch(n -> n < 1 || n > 64)) {
                throw new IllegalArgumentException("session counts must be 1..64, got " + sessionCounts);
            }
            if (maxSteps < 1 || recLoraSteps < 0) {
                throw new IllegalArgumentException("maxSteps must be >= 1 and recLoraSteps >= 0");
            }
            java.util.Objects.requireNonNull(sessions, "sessions");
        }
    }

    /**
     * One N.
     *
     * @param sessions N
     * @param dragSteps drag steps of all sessions
     * @param seconds from the first start to the last drag step
     * @param stepsPerSecond aggregate drag steps per second
     * @param p50Ms median time between a session's consecutive drag steps
     * @param p99Ms 99th percentile of that
     * @param deviceMsPerStep mean device time of a drag step (the engine's own work)
     * @param mibPerSession resident memory the prepared sessions added, per session
     */
    public record Row(int sessions, int dragSteps, double seconds, double stepsPerSecond, double p50Ms, double p99Ms,
            double deviceMsPerStep, double mibPerSession) {}

    /**
     * The result.
     *
     * @param rows one per N
     * @param directMsPerStep mean wall time of a drag step when the engine is called directly
     * @param sessionMsPerStep mean wall time between drag steps of one session alone (N = 1)
     */
    public record Result(List<Row> rows, double directMsPerStep, double sessionMsPerStep) {

        /** Per-step cost of the session layer (actors, scheduler, journal) over direct calls. */
        public double overheadMsPerStep() {
            return sessionMsPerStep - directMsPerStep;
        }

        /** The markdown table. */
        public String markdown() {
            StringBuilder b = new StringBuilder();
            b.append("| sessions | drag steps | seconds | steps/s | step latency p50 (ms) | p99 (ms) | device ms/step "
                    + "| MiB per session |\n|---|---|---|---|---|---|---|---|\n");
            for (Row r : rows) {
                b.append(String.format(Locale.ROOT, "| %d | %d | %.1f | %.2f | %.0f | %.0f | %.0f | %.1f |%n",
                        r.sessions(), r.dragSteps(), r.seconds(), r.stepsPerSecond(), r.p50Ms(), r.p99Ms(),
                        r.deviceMsPerStep(), r.mibPerSession()));
            }
            b.append(String.format(Locale.ROOT, "%nOne session's drag step: %.1f ms through the session layer, %.1f ms "
                    + "calling the engine directly: %.1f ms (%.1f %%) of overhead per step.%n", sessionMsPerStep,
                    directMsPerStep, overheadMsPerStep(), 100 * overheadMsPerStep() / directMsPerStep));
            return b.toString();
        }
    }

    private SessionBenchmark() {}

    /**
     * Runs the benchmark. {@code config} is the actor-system configuration; every N gets a fresh
     * H2 journal under {@code work}. The engine is called from this thread only while no actor
     * system runs.
     */
    public static Result run(EditEngine engine, Config config, Path work, Options o, Consumer<String> progress)
            throws Exception {
        Files.createDirectories(work);
        BlobStore blobs = new BlobStore(work.resolve("blobs"));
        int maxN = Collections.max(o.sessionCounts());
        List<SessionSpec> specs = new ArrayList<>();
        for (int i = 0; i < maxN; i++) {
            specs.add(SceneSessions.moveOne(blobs, o.seed() + i, o.maxSteps(), o.recLoraSteps()));
        }
        direct(engine, blobs, specs.get(0), progress); // warms the JIT and fits the RecLoRA into the cache
        double direct = direct(engine, blobs, specs.get(0), progress);
        List<Row> rows = new ArrayList<>();
        double single = Double.NaN;
        for (int n : o.sessionCounts()) {
            // a fresh journal per N and run (an earlier run's finished sessions would refuse to open)
            Row r = measure(engine, config, work.resolve("run-" + System.nanoTime() + "-n" + n), blobs,
                    specs.subList(0, n), o.sessions(), progress);
            rows.add(r);
            if (n == 1) {
                single = r.p50Ms();
            }
            progress.accept(String.format(Locale.ROOT, "%d sessions: %.2f drag steps/s, latency p50 %.0f ms, p99 %.0f ms",
                    n, r.stepsPerSecond(), r.p50Ms(), r.p99Ms()));
        }
        if (Double.isNaN(single)) {
            single = measure(engine, config, work.resolve("run-" + System.nanoTime() + "-n1"), blobs, specs.subList(0, 1),
                    o.sessions(), progress).p50Ms();
        }
        return new Result(rows, direct, single);
    }

    /** The median wall time of a drag step with the engine called directly. */
    private static double direct(EditEngine engine, BlobStore blobs, SessionSpec spec, Consumer<String> progress) {
        List<Long> times = new ArrayList<>();
        try (EngineEdit edit = engine.open(SpecRequests.request(engine, blobs, spec),
                true)) {
            while (!edit.finished()) {
                long t0 = System.nanoTime();
                boolean drag = "DRAG".equals(edit.phase().name());
                edit.step();
                if (drag) {
                    times.add(System.nanoTime() - t0);
                }
            }
        }
        progress.accept(String.format(Locale.ROOT, "direct engine calls: %d drag steps", times.size()));
        return Percentile.of(times, 50) / 1e6;
    }

    private static Row measure(EditEngine engine, Config config, Path dir, BlobStore blobs, List<SessionSpec> specs,
            org.draglora.config.SessionSettings settings, Consumer<String> progress) throws Exception {
        ActorSystem<SpawnProtocol.Command> system = ActorSystem.create(SpawnProtocol.create(), "bench-sessions",
                Journal.configure(config, dir));
        try {
            Journal.ensureSchema(system).toCompletableFuture().get(1, TimeUnit.MINUTES);
            ActorRef<GpuScheduler.Command> scheduler = spawn(system, GpuScheduler.create(new SchedulerSettings(
                    settings.queueCapacity(), Duration.ofSeconds(5))), "gpu",
                    Props.empty().withDispatcherFromConfig(GpuScheduler.DISPATCHER));
            SessionDeps deps = new SessionDeps(scheduler, engine, blobs, settings.idleTimeout(), settings.previews());
            int n = specs.size();
            Map<Integer, List<Long>> arrivals = new ConcurrentHashMap<>();
            Map<Integer, Long> deviceNanos = new ConcurrentHashMap<>();
            CountDownLatch ready = new CountDownLatch(n);
            CountDownLatch finished = new CountDownLatch(n);
            List<ActorRef<SessionCommand>> sessions = new ArrayList<>();
            long rssBefore = ProcessMemory.residentMib();
            for (int i = 0; i < n; i++) {
                int id = i;
                ActorRef<SessionCommand> s = spawn(system, EditSession.create("bench-" + i, deps), "s" + i, Props.empty());
                List<Long> times = Collections.synchronizedList(new ArrayList<>());
                arrivals.put(id, times);
                boolean[] seen = new boolean[2];
                int[] drags = {0};
                ActorRef<SessionState> listener = spawn(system, Behaviors.receiveMessage(st -> {
                    if (st.status() == SessionStatus.READY && !seen[0]) {
                        seen[0] = true;
                        ready.countDown();
                    }
                    if (st.dragSteps() > drags[0]) {
                        drags[0] = st.dragSteps();
                        times.add(System.nanoTime());
                        deviceNanos.merge(id, st.timeline().get(st.timeline().size() - 1).deviceNanos(), Long::sum);
                    }
                    if ((st.status() == SessionStatus.FINISHED || st.status() == SessionStatus.FAILED) && !seen[1]) {
                        seen[1] = true;
                        finished.countDown();
                    }
                    return Behaviors.same();
                }), "listen" + i, Props.empty());
                s.tell(new SessionCommand.Subscribe(listener));
                SessionSpec spec = specs.get(i);
                SessionCommand.Reply reply = AskPattern.<SessionCommand, SessionCommand.Reply>ask(s,
                        r -> new SessionCommand.Open(spec, r), Duration.ofSeconds(30), system.scheduler())
                        .toCompletableFuture().get();
                if (!(reply instanceof SessionCommand.Accepted)) {
                    throw new IllegalStateException("session " + i + " refused to open: " + reply);
                }
                sessions.add(s);
            }
            if (!ready.await(30, TimeUnit.MINUTES)) {
                throw new IllegalStateException("the sessions did not finish preparing");
            }
            double mibPerSession = (ProcessMemory.residentMib() - rssBefore) / (double) n;
            progress.accept(n + " sessions prepared; dragging");
            long start = System.nanoTime();
            for (ActorRef<SessionCommand> s : sessions) {
                s.tell(new SessionCommand.Start(system.ignoreRef()));
            }
            if (!finished.await(60, TimeUnit.MINUTES)) {
                throw new IllegalStateException("the sessions did not finish");
            }
            List<Long> intervals = new ArrayList<>();
            long last = start;
            int steps = 0;
            long device = 0;
            for (int i = 0; i < n; i++) {
                List<Long> t = arrivals.get(i);
                long prev = start;
                for (long x : t) {
                    intervals.add(x - prev);
                    prev = x;
                    last = Math.max(last, x);
                }
                steps += t.size();
                device += deviceNanos.getOrDefault(i, 0L);
            }
            double seconds = (last - start) / 1e9;
            return new Row(n, steps, seconds, steps / seconds, Percentile.of(intervals, 50) / 1e6,
                    Percentile.of(intervals, 99) / 1e6, device / 1e6 / Math.max(1, steps), mibPerSession);
        } finally {
            system.terminate();
            system.getWhenTerminated().toCompletableFuture().get(1, TimeUnit.MINUTES);
        }
    }

    /** Spawns under the system's guardian (a {@link SpawnProtocol}). */
    private static <T> ActorRef<T> spawn(ActorSystem<SpawnProtocol.Command> system, Behavior<T> behavior, String name,
            Props props) throws Exception {
        return AskPattern.<SpawnProtocol.Command, ActorRef<T>>ask(system,
                r -> new SpawnProtocol.Spawn<>(behavior, name, props, r), Duration.ofSeconds(10), system.scheduler())
                .toCompletableFuture().get();
    }
}
