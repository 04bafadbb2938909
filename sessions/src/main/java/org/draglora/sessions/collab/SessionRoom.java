package org.draglora.sessions.collab;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.draglora.sessions.edit.EditSession;
import org.draglora.sessions.edit.SessionCommand;
import org.draglora.sessions.edit.SessionDeps;
import org.draglora.sessions.edit.SessionState;
import org.draglora.sessions.edit.SessionStatus;

/**
 * The collaboration room of one edit session: it owns the {@link EditSession} actor, knows who is
 * connected (participants, their colours and cursors), passes their commands to the session (which
 * orders them and gives each accepted change a revision) and tells every client what happened:
 * state changes, step progress, who changed what, results and failures ({@link RoomEvent}).
 * Commands from the REST API pass through here too, so WebSocket clients see them.
 */
public final class SessionRoom extends AbstractBehavior<SessionRoom.Command> {

    /** What a room accepts. */
    public sealed interface Command {}

    /**
     * Connect a client as {@code participantId} (unique for the server's life); {@code out}
     * receives its events until it stops or {@link Leave}s.
     */
    public record Join(String participantId, String name, boolean canEdit, ActorRef<RoomEvent> out)
            implements Command {}

    /** Tell one participant something only it needs to know (e.g. that its message was unreadable). */
    public record Notify(String participantId, RoomEvent event) implements Command {}

    /** Disconnect a client. */
    public record Leave(String participantId) implements Command {}

    /** A client's pointer moved over the image. */
    public record MoveCursor(String participantId, double x, double y) implements Command {}

    /**
     * A change to the session.
     *
     * @param participantId who asks ({@code null} for the REST API)
     * @param action the action's name for the others ("add_point", "start", ...)
     * @param point the point it concerns, when one
     * @param request the client's request id, echoed in its ack or error
     * @param command builds the session command around the reply address
     * @param replyTo receives the session's reply too ({@code null}: only the participant is told)
     */
    public record Edit(String participantId, String action, Integer point, String request,
            Function<ActorRef<SessionCommand.Reply>, SessionCommand> command, ActorRef<SessionCommand.Reply> replyTo)
            implements Command {}

    /** The session's current state. */
    public record GetState(ActorRef<SessionState> replyTo) implements Command {}

    /** The participants now. */
    public record GetParticipants(ActorRef<List<Participant>> replyTo) implements Command {}

    private record SessionChanged(SessionState state) implements Command {}

    private record EditDone(Edit edit, SessionCommand.Reply reply) implements Command {}

    /** Distinct colours for participants, in join order (Sasha Trubetskoy's palette). */
    private static final String[] COLOURS = {"#e6194b", "#3cb44b", "#4363d8", "#f58231", "#911eb4", "#42d4f4",
        "#f032e6", "#bfef45", "#469990", "#9a6324"};

    /** How long the session may take to answer a command (it answers at once; a journal write waits). */
    private static final Duration ASK_TIMEOUT = Duration.ofSeconds(30);

    private final ActorRef<SessionCommand> session;
    private final Map<String, Participant> participants = new LinkedHashMap<>();
    private final Map<String, ActorRef<RoomEvent>> outs = new LinkedHashMap<>();
    private SessionState state;
    private int joined;
    private final List<GetState> waiting = new ArrayList<>();

    /** The room of session {@code sessionId}, which starts (or recovers) the session actor. */
    public static Behavior<Command> create(String sessionId, SessionDeps deps) {
        return Behaviors.setup(ctx -> new SessionRoom(ctx, ctx.spawn(EditSession.create(sessionId, deps), "session")));
    }

    private SessionRoom(ActorContext<Command> context, ActorRef<SessionCommand> session) {
        super(context);
        this.session = session;
        session.tell(new SessionCommand.Subscribe(context.messageAdapter(SessionState.class, SessionChanged::new)));
    }

    @Override
    public Receive<Command> createReceive() {
        return newReceiveBuilder()
                .onMessage(Join.class, this::onJoin)
                .onMessage(Leave.class, this::onLeave)
                .onMessage(Notify.class, n -> {
                    tell(n.participantId(), n.event());
                    return this;
                })
                .onMessage(MoveCursor.class, this::onCursor)
                .onMessage(Edit.class, this::onEdit)
                .onMessage(EditDone.class, this::onEditDone)
                .onMessage(GetState.class, this::onGetState)
                .onMessage(GetParticipants.class, g -> {
                    g.replyTo().tell(List.copyOf(participants.values()));
                    return this;
                })
                .onMessage(SessionChanged.class, this::onSessionChanged)
                .build();
    }

    private Behavior<Command> onJoin(Join j) {
        joined++;
        String id = j.participantId();
        String name = j.name() == null || j.name().isBlank() ? "guest " + joined : j.name().strip();
        if (name.length() > 40) {
            name = name.substring(0, 40);
        }
        Participant p = new Participant(id, name, COLOURS[(joined - 1) % COLOURS.length], j.canEdit(), null, null);
        participants.put(id, p);
        outs.put(id, j.out());
        getContext().watchWith(j.out(), new Leave(id));
        if (state != null) {
            j.out().tell(new RoomEvent.Welcome(id, j.canEdit(), state, List.copyOf(participants.values())));
        }
        broadcastExcept(id, new RoomEvent.ParticipantsChanged(List.copyOf(participants.values())));
        return this;
    }

    private Behavior<Command> onLeave(Leave l) {
        if (participants.remove(l.participantId()) != null) {
            ActorRef<RoomEvent> out = outs.remove(l.participantId());
            getContext().unwatch(out);
            broadcast(new RoomEvent.ParticipantsChanged(List.copyOf(participants.values())));
        }
        return this;
    }

    private Behavior<Command> onCursor(MoveCursor c) {
        Participant p = participants.get(c.participantId());
        if (p != null && Double.isFinite(c.x()) && Double.isFinite(c.y())) {
            participants.put(p.id(), p.withCursor(c.x(), c.y()));
            broadcastExcept(p.id(), new RoomEvent.CursorMoved(p.id(), c.x(), c.y()));
        }
        return this;
    }

    private Behavior<Command> onEdit(Edit e) {
        Participant p = e.participantId() == null ? null : participants.get(e.participantId());
        if (e.participantId() != null && (p == null || !p.canEdit())) {
            tell(e.participantId(), new RoomEvent.Rejected(e.request(), "this link can only view the session"));
            return this;
        }
        getContext().ask(SessionCommand.Reply.class, session, ASK_TIMEOUT, e.command()::apply,
                (reply, failure) -> new EditDone(e, reply != null ? reply
                        : new SessionCommand.Refused("the session did not answer: " + failure.getMessage())));
        return this;
    }

    private Behavior<Command> onEditDone(EditDone d) {
        Edit e = d.edit();
        if (e.replyTo() != null) {
            e.replyTo().tell(d.reply());
        }
        if (d.reply() instanceof SessionCommand.Accepted a) {
            if (e.participantId() != null) {
                tell(e.participantId(), new RoomEvent.Acked(e.request(), a.revision(), a.pointId()));
            }
            Participant by = e.participantId() == null ? null : participants.get(e.participantId());
            if (by == null) {
                by = new Participant("api", "API", "#888888", true, null, null);
            }
            Integer point = a.pointId() != null ? a.pointId() : e.point();
            broadcastExcept(e.participantId(), new RoomEvent.Edited(by, e.action(), point, a.revision()));
        } else if (d.reply() instanceof SessionCommand.Refused r && e.participantId() != null) {
            tell(e.participantId(), new RoomEvent.Rejected(e.request(), r.reason()));
        }
        return this;
    }

    private Behavior<Command> onGetState(GetState g) {
        if (state == null) {
            waiting.add(g); // the session is still recovering
        } else {
            g.replyTo().tell(state);
        }
        return this;
    }

    private Behavior<Command> onSessionChanged(SessionChanged c) {
        SessionState before = state;
        SessionState now = c.state();
        if (before != null && now.revision() <= before.revision()) {
            return this; // never go back (the first state also arrives as the subscription's answer)
        }
        state = now;
        if (before == null) {
            waiting.forEach(g -> g.replyTo().tell(now));
            waiting.clear();
            for (Map.Entry<String, ActorRef<RoomEvent>> o : outs.entrySet()) {
                Participant p = participants.get(o.getKey());
                o.getValue().tell(new RoomEvent.Welcome(p.id(), p.canEdit(), now, List.copyOf(participants.values())));
            }
            return this;
        }
        if (onlyStepped(before, now)) {
            int n = now.timeline().size() - 1;
            broadcast(new RoomEvent.Stepped(now, now.timeline().get(n), n));
        } else {
            broadcast(new RoomEvent.StateChanged(now));
        }
        if (now.status() == SessionStatus.FINISHED && before.status() != SessionStatus.FINISHED) {
            broadcast(new RoomEvent.Finished(now.revision()));
        } else if (now.status() == SessionStatus.FAILED && before.status() != SessionStatus.FAILED) {
            broadcast(new RoomEvent.Failed(now.revision(), now.failure()));
        }
        return this;
    }

    /** Whether {@code now} differs from {@code before} by one step and nothing a client must not miss. */
    static boolean onlyStepped(SessionState before, SessionState now) {
        return now.epoch() == before.epoch() && now.timeline().size() == before.timeline().size() + 1
                && now.status() == before.status() && now.changes().size() == before.changes().size()
                && now.points().keySet().equals(before.points().keySet())
                && Objects.equals(now.maskHash(), before.maskHash());
    }

    private void tell(String participantId, RoomEvent e) {
        ActorRef<RoomEvent> out = outs.get(participantId);
        if (out != null) {
            out.tell(e);
        }
    }

    private void broadcast(RoomEvent e) {
        outs.values().forEach(o -> o.tell(e));
    }

    private void broadcastExcept(String participantId, RoomEvent e) {
        outs.forEach((id, o) -> {
            if (!id.equals(participantId)) {
                o.tell(e);
            }
        });
    }
}
