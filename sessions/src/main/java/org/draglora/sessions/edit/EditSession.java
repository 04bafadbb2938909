package org.draglora.sessions.edit;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.RecoveryCompleted;
import org.apache.pekko.persistence.typed.javadsl.CommandHandler;
import org.apache.pekko.persistence.typed.javadsl.Effect;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehavior;
import org.apache.pekko.persistence.typed.javadsl.ReplyEffect;
import org.apache.pekko.persistence.typed.javadsl.SignalHandler;
import org.draglora.sessions.gpu.GpuScheduler;
import org.draglora.sessions.gpu.JobOutcome;
import org.draglora.sessions.gpu.JobPriority;
import org.draglora.sessions.edit.SessionCommand.Accepted;
import org.draglora.sessions.edit.SessionCommand.Refused;
import org.draglora.sessions.edit.SessionCommand.Reply;
import org.draglora.sessions.edit.SessionEvent.Origin;

/**
 * One editing session: an event-sourced state machine (empty, preparing, ready, dragging in
 * {@link DooMode} or {@link IlfaMode}, paused, finished, cancelled, failed) that owns the image,
 * mask, prompt, points and the opaque engine handle. It keeps exactly one step job at a time on
 * the device's {@link GpuScheduler} and applies user changes at the next step boundary. The
 * journal holds user intent and step summaries, so after a crash the session recovers its state
 * and, when it runs again, brings its tensors back by re-execution ({@link EngineSlot}).
 */
public final class EditSession extends EventSourcedBehavior<SessionCommand, SessionEvent, SessionState> {

    /** The persistence id's entity type. */
    public static final String ENTITY = "EditSession";

    private static final Duration RETRY = Duration.ofMillis(50);

    /** The most point pairs a session holds (the reference UIs use a handful; each costs a patch and a track). */
    public static final int MAX_POINTS = 32;

    private final String sessionId;
    private final ActorContext<SessionCommand> context;
    private final TimerScheduler<SessionCommand> timers;
    private final SessionDeps deps;
    private final EngineSlot slot;
    private final ActorRef<JobOutcome<EngineSlot.StepResult>> stepAdapter;
    private final List<ActorRef<SessionState>> subscribers = new ArrayList<>();
    private DragModeBehavior mode = DooMode.INSTANCE;
    private boolean inFlight;
    private boolean inFlightIsDrag;
    private int inFlightEpoch;
    private long lastActivity = System.nanoTime();

    /** The behaviour of session {@code sessionId}. */
    public static Behavior<SessionCommand> create(String sessionId, SessionDeps deps) {
        return Behaviors.setup(ctx -> Behaviors.withTimers(timers -> new EditSession(sessionId, ctx, timers, deps)));
    }

    private EditSession(String sessionId, ActorContext<SessionCommand> context, TimerScheduler<SessionCommand> timers,
            SessionDeps deps) {
        super(PersistenceId.of(ENTITY, sessionId));
        this.sessionId = sessionId;
        this.context = context;
        this.timers = timers;
        this.deps = deps;
        this.slot = new EngineSlot(deps.engine(), deps.blobs());
        this.stepAdapter = stepAdapter(context);
        timers.startTimerWithFixedDelay(SessionCommand.Tick.IDLE_CHECK, deps.idleTimeout().dividedBy(2));
    }

    /** The one adapter for step outcomes (adapters are keyed by message class). */
    @SuppressWarnings({"unchecked", "rawtypes"})
    private ActorRef<JobOutcome<EngineSlot.StepResult>> stepAdapter(ActorContext<SessionCommand> ctx) {
        ActorRef raw = ctx.messageAdapter(JobOutcome.class,
                o -> new SessionCommand.StepDone(inFlightEpoch, (JobOutcome<EngineSlot.StepResult>) o));
        return (ActorRef<JobOutcome<EngineSlot.StepResult>>) raw;
    }

    @Override
    public SessionState emptyState() {
        return SessionState.empty();
    }

    @Override
    public EventHandler<SessionState, SessionEvent> eventHandler() {
        return newEventHandlerBuilder().forAnyState().onAnyEvent(SessionState::apply);
    }

    @Override
    public SignalHandler<SessionState> signalHandler() {
        return newSignalHandlerBuilder()
                .onSignal(RecoveryCompleted.instance(), state -> {
                    mode = DragModeBehavior.of(state.mode());
                    submitIfDue(state);
                })
                .onSignal(org.apache.pekko.actor.typed.PostStop.instance(), state -> release())
                .build();
    }

    @Override
    public CommandHandler<SessionCommand, SessionEvent, SessionState> commandHandler() {
        return newCommandHandlerBuilder().forAnyState()
                .onCommand(SessionCommand.Open.class, this::onOpen)
                .onCommand(SessionCommand.Import.class, this::onImport)
                .onCommand(SessionCommand.AddPoint.class, this::onAddPoint)
                .onCommand(SessionCommand.MovePoint.class, this::onMovePoint)
                .onCommand(SessionCommand.RemovePoint.class, this::onRemovePoint)
                .onCommand(SessionCommand.SetMask.class, this::onSetMask)
                .onCommand(SessionCommand.Undo.class, (s, c) -> onHistory(s, c.replyTo(), true))
                .onCommand(SessionCommand.Redo.class, (s, c) -> onHistory(s, c.replyTo(), false))
                .onCommand(SessionCommand.SetPrompt.class, this::onSetPrompt)
                .onCommand(SessionCommand.Start.class, this::onStart)
                .onCommand(SessionCommand.Pause.class, this::onPause)
                .onCommand(SessionCommand.Resume.class, this::onResume)
                .onCommand(SessionCommand.Cancel.class, this::onCancel)
                .onCommand(SessionCommand.Restart.class, this::onRestart)
                .onCommand(SessionCommand.Passivate.class, this::onPassivate)
                .onCommand(SessionCommand.Get.class, (s, c) -> {
                    c.replyTo().tell(s);
                    return Effect().none();
                })
                .onCommand(SessionCommand.GetRuntime.class, (s, c) -> {
                    c.replyTo().tell(new SessionCommand.Runtime(slot.open(), inFlight, mode.engineMode()));
                    return Effect().none();
                })
                .onCommand(SessionCommand.Subscribe.class, (s, c) -> {
                    subscribers.add(c.listener());
                    c.listener().tell(s);
                    return Effect().none();
                })
                .onCommand(SessionCommand.StepDone.class, this::onStepDone)
                .onCommand(SessionCommand.Tick.class, this::onTick)
                .build();
    }

    // ---- user commands ------------------------------------------------------------------------

    private Effect<SessionEvent, SessionState> onOpen(SessionState s, SessionCommand.Open c) {
        if (s.status() != SessionStatus.EMPTY) {
            return refuse(c.replyTo(), "session " + sessionId + " already has an image");
        }
        if (!deps.blobs().contains(c.spec().imageHash())) {
            return refuse(c.replyTo(), "no image with hash " + c.spec().imageHash() + " in the blob store");
        }
        return persistAndRun(new SessionEvent.Opened(s.revision() + 1, c.spec()), c.replyTo(), null);
    }

    private Effect<SessionEvent, SessionState> onImport(SessionState s, SessionCommand.Import c) {
        if (s.status() != SessionStatus.EMPTY) {
            return refuse(c.replyTo(), "session " + sessionId + " already has an image");
        }
        if (c.events().isEmpty() || !(c.events().get(0) instanceof SessionEvent.Opened)) {
            return refuse(c.replyTo(), "an imported history must begin with the session being opened");
        }
        SessionState imported = s;
        try {
            for (SessionEvent e : c.events()) {
                imported = imported.apply(e);
            }
        } catch (RuntimeException e) {
            return refuse(c.replyTo(), "the imported history is inconsistent: " + e.getMessage());
        }
        String missing = missingBlob(c.events());
        if (missing != null) {
            return refuse(c.replyTo(), "the imported history names " + missing + ", which the blob store lacks");
        }
        mode = DragModeBehavior.of(imported.mode());
        lastActivity = System.nanoTime();
        return Effect().persist(c.events()).thenRun(this::notifySubscribers).thenRun(this::submitIfDue)
                .thenReply(c.replyTo(), ns -> new Accepted(ns.revision(), null));
    }

    /** The first blob {@code events} name that the blob store lacks, or null. */
    private String missingBlob(List<SessionEvent> events) {
        for (String h : SessionEvent.blobHashes(events)) {
            if (!deps.blobs().contains(h)) {
                return h;
            }
        }
        return null;
    }

    private Effect<SessionEvent, SessionState> onAddPoint(SessionState s, SessionCommand.AddPoint c) {
        String why = editRefusal(s);
        if (why == null && !c.pair().inside(s.spec().width(), s.spec().height())) {
            why = "the point lies outside the " + s.spec().width() + "x" + s.spec().height() + " image";
        }
        if (why == null && s.points().size() >= MAX_POINTS) {
            why = "a session holds at most " + MAX_POINTS + " points";
        }
        if (why != null) {
            return refuse(c.replyTo(), why);
        }
        int id = s.nextPointId();
        return change(s, new Change.AddPoint(id, c.pair()), new Change.RemovePoint(id), Origin.EDIT, c.replyTo(), id);
    }

    private Effect<SessionEvent, SessionState> onMovePoint(SessionState s, SessionCommand.MovePoint c) {
        String why = editRefusal(s);
        if (why == null && !s.points().containsKey(c.id())) {
            why = "no point with id " + c.id();
        }
        if (why == null && !c.pair().inside(s.spec().width(), s.spec().height())) {
            why = "the point lies outside the " + s.spec().width() + "x" + s.spec().height() + " image";
        }
        if (why != null) {
            return refuse(c.replyTo(), why);
        }
        PointPair before = s.points().get(c.id());
        return change(s, new Change.MovePoint(c.id(), c.pair()), new Change.MovePoint(c.id(), before), Origin.EDIT,
                c.replyTo(), c.id());
    }

    private Effect<SessionEvent, SessionState> onRemovePoint(SessionState s, SessionCommand.RemovePoint c) {
        String why = editRefusal(s);
        if (why == null && !s.points().containsKey(c.id())) {
            why = "no point with id " + c.id();
        }
        if (why == null && s.points().size() == 1 && s.dragSteps() > 0) {
            why = "cannot remove the last point while dragging";
        }
        if (why != null) {
            return refuse(c.replyTo(), why);
        }
        PointPair before = s.points().get(c.id());
        return change(s, new Change.RemovePoint(c.id()), new Change.AddPoint(s.nextPointId(), before), Origin.EDIT,
                c.replyTo(), null);
    }

    private Effect<SessionEvent, SessionState> onSetMask(SessionState s, SessionCommand.SetMask c) {
        String why = editRefusal(s);
        if (why == null && c.maskHash() != null) {
            byte[] m = deps.blobs().get(c.maskHash()).orElse(null);
            if (m == null) {
                why = "no mask with hash " + c.maskHash() + " in the blob store";
            } else if (m.length != s.spec().width() * s.spec().height()) {
                why = "the mask has " + m.length + " pixels, the image " + s.spec().width() * s.spec().height();
            }
        }
        if (why != null) {
            return refuse(c.replyTo(), why);
        }
        return change(s, new Change.SetMask(c.maskHash()), new Change.SetMask(s.maskHash()), Origin.EDIT, c.replyTo(),
                null);
    }

    /** Undo ({@code undo}) or redo the last change: applies the stored inverse. */
    private Effect<SessionEvent, SessionState> onHistory(SessionState s, ActorRef<Reply> replyTo, boolean undo) {
        String why = editRefusal(s);
        List<Change> stack = undo ? s.undo() : s.redo();
        if (why == null && stack.isEmpty()) {
            why = undo ? "nothing to undo" : "nothing to redo";
        }
        if (why != null) {
            return refuse(replyTo, why);
        }
        Change c = stack.get(stack.size() - 1);
        Change applied = c;
        Change inverse;
        if (c instanceof Change.AddPoint a) {
            // a re-added point gets the session's next id (ids are never reused)
            applied = new Change.AddPoint(s.nextPointId(), a.pair());
            inverse = new Change.RemovePoint(s.nextPointId());
        } else if (c instanceof Change.RemovePoint r) {
            PointPair before = s.points().get(r.id());
            if (before == null) {
                return refuse(replyTo, "point " + r.id() + " no longer exists");
            }
            if (s.points().size() == 1 && s.dragSteps() > 0) {
                return refuse(replyTo, "cannot remove the last point while dragging");
            }
            inverse = new Change.AddPoint(s.nextPointId(), before);
        } else if (c instanceof Change.MovePoint m) {
            PointPair before = s.points().get(m.id());
            if (before == null) {
                return refuse(replyTo, "point " + m.id() + " no longer exists");
            }
            inverse = new Change.MovePoint(m.id(), before);
        } else {
            inverse = new Change.SetMask(s.maskHash());
        }
        return change(s, applied, inverse, undo ? Origin.UNDO : Origin.REDO, replyTo, null);
    }

    private Effect<SessionEvent, SessionState> onStart(SessionState s, SessionCommand.Start c) {
        if (s.status() == SessionStatus.EMPTY) {
            return refuse(c.replyTo(), "open the session with an image first");
        }
        if (!s.status().editable() || s.startRequested()) {
            return refuse(c.replyTo(), "the session is " + s.status().name().toLowerCase() + (s.startRequested()
                    ? " and already started" : ""));
        }
        return persistAndRun(new SessionEvent.Started(s.revision() + 1), c.replyTo(), null);
    }

    private Effect<SessionEvent, SessionState> onPause(SessionState s, SessionCommand.Pause c) {
        if (!s.status().runs() && s.status() != SessionStatus.READY) {
            return refuse(c.replyTo(), "the session is " + s.status().name().toLowerCase() + ", not running");
        }
        return persistAndRun(new SessionEvent.Paused(s.revision() + 1), c.replyTo(), null);
    }

    private Effect<SessionEvent, SessionState> onResume(SessionState s, SessionCommand.Resume c) {
        if (s.status() != SessionStatus.PAUSED) {
            return refuse(c.replyTo(), "the session is " + s.status().name().toLowerCase() + ", not paused");
        }
        return persistAndRun(new SessionEvent.Resumed(s.revision() + 1), c.replyTo(), null);
    }

    private Effect<SessionEvent, SessionState> onCancel(SessionState s, SessionCommand.Cancel c) {
        if (!s.status().editable() || s.status() == SessionStatus.EMPTY) {
            return refuse(c.replyTo(), "the session is " + s.status().name().toLowerCase());
        }
        deps.scheduler().tell(new GpuScheduler.CancelQueued(sessionId));
        return Effect().persist(new SessionEvent.Cancelled(s.revision() + 1)).thenRun(this::notifySubscribers).thenRun(ns -> release())
                .thenReply(c.replyTo(), ns -> new Accepted(ns.revision(), null));
    }

    private Effect<SessionEvent, SessionState> onRestart(SessionState s, SessionCommand.Restart c) {
        return restart(s, null, c.replyTo());
    }

    private Effect<SessionEvent, SessionState> onSetPrompt(SessionState s, SessionCommand.SetPrompt c) {
        if (c.prompt() == null) {
            return refuse(c.replyTo(), "the prompt must not be null (use an empty prompt for none)");
        }
        if (s.spec() != null && c.prompt().equals(s.spec().prompt())) {
            return Effect().reply(c.replyTo(), new Accepted(s.revision(), null));
        }
        return restart(s, c.prompt(), c.replyTo());
    }

    /** Begins a new epoch from the current points and mask (and {@code prompt} unless null). */
    private Effect<SessionEvent, SessionState> restart(SessionState s, String prompt, ActorRef<Reply> replyTo) {
        if (s.status() == SessionStatus.EMPTY) {
            return refuse(replyTo, "open the session with an image first");
        }
        deps.scheduler().tell(new GpuScheduler.CancelQueued(sessionId));
        SessionSpec spec = s.spec().restartedWith(new ArrayList<>(s.points().values()), s.maskHash());
        if (prompt != null) {
            spec = spec.withPrompt(prompt);
        }
        release();
        return persistAndRun(new SessionEvent.Restarted(s.revision() + 1, spec), replyTo, null);
    }

    private Effect<SessionEvent, SessionState> onPassivate(SessionState s, SessionCommand.Passivate c) {
        if (inFlight || s.status().runs()) {
            return refuse(c.replyTo(), "the session is running");
        }
        release();
        c.replyTo().tell(new Accepted(s.revision(), null));
        return Effect().none();
    }

    // ---- steps --------------------------------------------------------------------------------

    private Effect<SessionEvent, SessionState> onStepDone(SessionState s, SessionCommand.StepDone c) {
        inFlight = false;
        lastActivity = System.nanoTime();
        if (c.epoch() != s.epoch()) {
            // a step of the epoch a restart ended: drop it, and start the new epoch that waited for it
            return Effect().none().thenRun(this::submitIfDue);
        }
        JobOutcome<EngineSlot.StepResult> o = c.outcome();
        if (o instanceof JobOutcome.Completed<EngineSlot.StepResult> done) {
            EngineSlot.StepResult r = done.value();
            String preview = r.preview() == null ? null : deps.blobs().put(r.preview());
            StepSummary step = StepSummary.of(r.record(), preview, r.nextPhase());
            List<SessionEvent> events = new ArrayList<>();
            events.add(new SessionEvent.Stepped(s.revision() + 1, step));
            if (r.result() != null) {
                events.add(new SessionEvent.Finished(s.revision() + 2, deps.blobs().put(r.result()),
                        r.lora() == null ? null : deps.blobs().put(r.lora())));
            }
            mode = mode.next(step.mode());
            // pipelining: the next step goes to the device now, while this one is journaled (the
            // state after these events is a pure function of them, so the job sees exactly the
            // state that is being persisted; commands wait until the persist completes)
            SessionState next = s;
            for (SessionEvent e : events) {
                next = next.apply(e);
            }
            submitIfDue(next);
            return Effect().persist(events).thenRun(this::notifySubscribers).thenRun(this::afterStep);
        }
        if (o instanceof JobOutcome.Failed<EngineSlot.StepResult> failed) {
            context.getLog().warn("session {}: a step failed: {}", sessionId, failed.reason());
            return Effect().persist(new SessionEvent.Failed(s.revision() + 1, failed.reason())).thenRun(this::notifySubscribers)
                    .thenRun(ns -> release());
        }
        if (o instanceof JobOutcome.Rejected<EngineSlot.StepResult>) {
            timers.startSingleTimer(SessionCommand.Tick.RETRY, RETRY); // the device queue is full: try again
        }
        return Effect().none();
    }

    private void afterStep(SessionState s) {
        if (s.status() == SessionStatus.FINISHED) {
            release();
        } else {
            submitIfDue(s);
        }
    }

    private Effect<SessionEvent, SessionState> onTick(SessionState s, SessionCommand.Tick t) {
        if (t == SessionCommand.Tick.RETRY) {
            submitIfDue(s);
        } else if (!inFlight && !s.status().runs() && slot.open()
                && System.nanoTime() - lastActivity > deps.idleTimeout().toNanos()) {
            release(); // passivation: the journal keeps the state, re-execution restores the tensors
        }
        return Effect().none();
    }

    /** Submits the next step when the session runs and no step is in flight. */
    private void submitIfDue(SessionState s) {
        if (inFlight || !s.status().runs()) {
            return;
        }
        if (s.nextStepIsDrag() && (s.points().isEmpty() || s.status() != SessionStatus.DRAGGING)) {
            return; // waiting for a point or a start
        }
        inFlight = true;
        inFlightIsDrag = s.nextStepIsDrag();
        inFlightEpoch = s.epoch();
        lastActivity = System.nanoTime();
        boolean previews = deps.previews();
        JobPriority priority = s.prepared() ? mode.priority() : "RECLORA".equals(s.enginePhase())
                ? JobPriority.BACKGROUND : JobPriority.INTERACTIVE;
        deps.scheduler().tell(new GpuScheduler.Submit<>(sessionId, priority, () -> slot.step(s, previews),
                stepAdapter));
    }

    /** Frees the tensors on the device thread (a job, so it runs after this session's queued steps). */
    private void release() {
        ActorRef<JobOutcome<Boolean>> ignore = context.getSystem().ignoreRef();
        deps.scheduler().tell(new GpuScheduler.Submit<>(sessionId, JobPriority.INTERACTIVE, () -> {
            slot.release();
            return Boolean.TRUE;
        }, ignore));
    }

    // ---- helpers -----------------------------------------------------------------------------

    private String editRefusal(SessionState s) {
        if (s.status() == SessionStatus.EMPTY) {
            return "open the session with an image first";
        }
        if (!s.status().editable()) {
            return "the session is " + s.status().name().toLowerCase() + "; restart it to edit again";
        }
        if (s.prepared() && !s.nextStepIsDrag()) {
            return "the drag has ended; restart to edit again";
        }
        return null;
    }

    /** The drag step before which a change accepted now applies. */
    private int dueStep(SessionState s) {
        return s.dragSteps() + (inFlight && inFlightIsDrag ? 1 : 0);
    }

    private Effect<SessionEvent, SessionState> change(SessionState s, Change change, Change inverse, Origin origin,
            ActorRef<Reply> replyTo, Integer pointId) {
        return persistAndRun(new SessionEvent.Changed(s.revision() + 1, new TimedChange(dueStep(s), change), inverse,
                origin), replyTo,
                pointId);
    }

    private ReplyEffect<SessionEvent, SessionState> persistAndRun(SessionEvent e, ActorRef<Reply> replyTo,
            Integer pointId) {
        lastActivity = System.nanoTime();
        return Effect().persist(e).thenRun(this::notifySubscribers).thenRun(this::submitIfDue)
                .thenReply(replyTo, ns -> new Accepted(ns.revision(), pointId));
    }

    private ReplyEffect<SessionEvent, SessionState> refuse(ActorRef<Reply> replyTo, String reason) {
        return Effect().reply(replyTo, new Refused(reason));
    }

    private void notifySubscribers(SessionState s) {
        subscribers.forEach(l -> l.tell(s));
    }
}
