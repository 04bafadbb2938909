package org.draglora.sessions.collab;

import java.util.HashMap;
import java.util.Map;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.draglora.sessions.edit.SessionDeps;

/**
 * The rooms of one server: it starts a session's room (and with it the session actor, which
 * recovers from the journal) the first time anyone asks for it, and keeps it.
 */
public final class SessionRooms extends AbstractBehavior<SessionRooms.Command> {

    /** What the registry accepts. */
    public sealed interface Command {}

    /** The room of session {@code sessionId}, started if needed. */
    public record Get(String sessionId, ActorRef<ActorRef<SessionRoom.Command>> replyTo) implements Command {}

    /** How many rooms run. */
    public record Count(ActorRef<Integer> replyTo) implements Command {}

    private record Stopped(String sessionId) implements Command {}

    private final SessionDeps deps;
    private final Map<String, ActorRef<SessionRoom.Command>> rooms = new HashMap<>();

    /** The registry; every session it starts shares {@code deps}. */
    public static Behavior<Command> create(SessionDeps deps) {
        // a bad request must not take every room down with the registry
        return Behaviors.supervise(Behaviors.<Command>setup(ctx -> new SessionRooms(ctx, deps)))
                .onFailure(org.apache.pekko.actor.typed.SupervisorStrategy.resume());
    }

    private SessionRooms(ActorContext<Command> context, SessionDeps deps) {
        super(context);
        this.deps = deps;
    }

    @Override
    public Receive<Command> createReceive() {
        return newReceiveBuilder()
                .onMessage(Get.class, g -> {
                    g.replyTo().tell(rooms.computeIfAbsent(g.sessionId(), this::start));
                    return this;
                })
                .onMessage(Count.class, c -> {
                    c.replyTo().tell(rooms.size());
                    return this;
                })
                .onMessage(Stopped.class, s -> {
                    rooms.remove(s.sessionId());
                    return this;
                })
                .build();
    }

    private ActorRef<SessionRoom.Command> start(String sessionId) {
        if (!sessionId.matches("[A-Za-z0-9_-]{1,64}")) {
            throw new IllegalArgumentException("not a session id: " + sessionId);
        }
        ActorRef<SessionRoom.Command> room = getContext().spawn(SessionRoom.create(sessionId, deps), "room-" + sessionId);
        getContext().watchWith(room, new Stopped(sessionId));
        return room;
    }
}
