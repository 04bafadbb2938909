package org.draglora.http.sessions;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.draglora.config.LimitSettings;
import org.draglora.config.SessionSettings;
import org.draglora.engine.session.EditEngine;
import org.draglora.sessions.collab.SessionRoom;
import org.draglora.sessions.collab.SessionRooms;
import org.draglora.sessions.edit.SessionDeps;
import org.draglora.sessions.edit.SessionState;
import org.draglora.sessions.gpu.GpuScheduler;
import org.draglora.sessions.gpu.SchedulerMetrics;
import org.draglora.sessions.gpu.SchedulerSettings;
import org.draglora.sessions.store.BlobStore;

/**
 * What the session routes work with: the device's GPU scheduler and the session rooms (actors of
 * the server's system), the loaded model, the blob store and the capability tokens, all under one
 * data directory, plus the counters the metrics endpoint reports.
 */
public final class EditBackend {

    /** How long a route waits for an actor's answer. */
    static final Duration ASK_TIMEOUT = Duration.ofSeconds(30);

    private final ActorSystem<?> system;
    private final ActorRef<GpuScheduler.Command> scheduler;
    private final ActorRef<SessionRooms.Command> rooms;
    private final EditEngine engine;
    private final BlobStore blobs;
    private final SessionTokens tokens;
    private final Frames frames;
    private final ClientLimits limits;
    private final AtomicLong participants = new AtomicLong();
    final AtomicInteger openSockets = new AtomicInteger();
    final AtomicLong sessionsCreated = new AtomicLong();

    private EditBackend(ActorSystem<?> system, ActorRef<GpuScheduler.Command> scheduler,
            ActorRef<SessionRooms.Command> rooms, EditEngine engine, BlobStore blobs, SessionTokens tokens,
            LimitSettings limits) {
        this.system = system;
        this.scheduler = scheduler;
        this.rooms = rooms;
        this.engine = engine;
        this.blobs = blobs;
        this.tokens = tokens;
        this.frames = new Frames(blobs);
        this.limits = new ClientLimits(limits);
    }

    /**
     * Spawns the scheduler (on its pinned dispatcher) and the rooms under {@code guardian} and
     * returns the backend; blobs live in {@code dataDir/blobs}, tokens in {@code dataDir/sessions}.
     */
    public static EditBackend spawn(ActorContext<?> guardian, EditEngine engine, SessionSettings settings,
            LimitSettings limits, Path dataDir) {
        ActorRef<GpuScheduler.Command> scheduler = guardian.spawn(GpuScheduler.create(new SchedulerSettings(
                settings.queueCapacity(), Duration.ofSeconds(5))), "gpu",
                Props.empty().withDispatcherFromConfig(GpuScheduler.DISPATCHER));
        BlobStore blobs = new BlobStore(dataDir.resolve("blobs"));
        SessionDeps deps = new SessionDeps(scheduler, engine, blobs, settings.idleTimeout(), settings.previews());
        ActorRef<SessionRooms.Command> rooms = guardian.spawn(SessionRooms.create(deps), "rooms");
        return new EditBackend(guardian.getSystem(), scheduler, rooms, engine, blobs,
                new SessionTokens(dataDir.resolve("sessions")), limits);
    }

    /** The room of session {@code id} (its actors start, and recover, on first use). */
    CompletionStage<ActorRef<SessionRoom.Command>> room(String id) {
        return AskPattern.ask(rooms, r -> new SessionRooms.Get(id, r), ASK_TIMEOUT, system.scheduler());
    }

    /** The state of session {@code id}. */
    CompletionStage<SessionState> state(String id) {
        return room(id).thenCompose(this::state);
    }

    /** The state of the session of {@code room}. */
    CompletionStage<SessionState> state(ActorRef<SessionRoom.Command> room) {
        return AskPattern.ask(room, SessionRoom.GetState::new, ASK_TIMEOUT, system.scheduler());
    }

    /**
     * Fails with {@link TooMany} when {@code client} already has as many sessions (other than
     * {@code sessionId}, which is about to run) preparing or dragging as
     * {@code draglora.limits.running-sessions-per-client} allows.
     */
    CompletionStage<Void> admitRun(String client, String sessionId) {
        return limits.running(client, sessionId, this::state).thenAccept(n -> {
            if (n >= limits.settings().runningSessionsPerClient()) {
                throw new TooMany("you have " + n + " sessions preparing or dragging; the limit is "
                        + limits.settings().runningSessionsPerClient() + " (draglora.limits.running-sessions-per-client):"
                        + " let one finish, pause or cancel it");
            }
        });
    }

    /** A client exceeded a limit: HTTP 429. */
    public static final class TooMany extends RuntimeException {
        public TooMany(String message) {
            super(message);
        }
    }

    ClientLimits limits() {
        return limits;
    }

    /** The number of rooms running. */
    CompletionStage<Integer> roomCount() {
        return AskPattern.ask(rooms, SessionRooms.Count::new, ASK_TIMEOUT, system.scheduler());
    }

    /** The scheduler's metrics now. */
    CompletionStage<SchedulerMetrics> schedulerMetrics() {
        return AskPattern.ask(scheduler, GpuScheduler.GetMetrics::new, ASK_TIMEOUT, system.scheduler());
    }

    /** A participant id unique in this server's life. */
    String nextParticipantId() {
        return "p" + participants.incrementAndGet();
    }

    ActorSystem<?> system() {
        return system;
    }

    EditEngine engine() {
        return engine;
    }

    BlobStore blobs() {
        return blobs;
    }

    SessionTokens tokens() {
        return tokens;
    }

    Frames frames() {
        return frames;
    }
}
