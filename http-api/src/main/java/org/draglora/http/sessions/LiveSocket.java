package org.draglora.http.sessions;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.Done;
import org.apache.pekko.NotUsed;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.http.javadsl.model.ws.Message;
import org.apache.pekko.http.javadsl.model.ws.TextMessage;
import org.apache.pekko.stream.Materializer;
import org.apache.pekko.stream.OverflowStrategy;
import org.apache.pekko.stream.javadsl.Flow;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.stream.typed.javadsl.ActorSource;
import org.draglora.sessions.collab.RoomEvent;
import org.draglora.sessions.collab.SessionRoom;
import org.draglora.sessions.edit.SessionState;

/**
 * One client's WebSocket on one session (docs/api.md, "The WebSocket"): JSON commands in, the
 * room's events out. The client joins the room when the socket opens and leaves when it closes.
 * Outgoing events pass through {@link Coalescing}, so a slow reader gets the latest step and
 * cursors but never loses a state change, an edit, the result or an error.
 */
final class LiveSocket {

    /** Events the room may hand over before the stream takes them (it takes them at once: coalescing follows). */
    private static final int HANDOVER_BUFFER = 1024;

    /** The largest text message a client may send (a base64 mask PNG of a large image fits). */
    private static final int MAX_MESSAGE_CHARS = 16 * 1024 * 1024;

    /** Commands that set the session running, within the client's running-sessions limit. */
    private static final java.util.Set<String> RUNS = java.util.Set.of("start", "resume", "restart", "set_prompt");

    private LiveSocket() {}

    /**
     * The socket's flow for a client named {@code name}, an editor when it holds {@code editToken}
     * ({@code null}: a viewer; an editor's welcome also carries the view token to share).
     */
    static Flow<Message, Message, NotUsed> flow(EditBackend backend, ActorRef<SessionRoom.Command> room, String sessionId,
            String editToken, String name, String client) {
        boolean canEdit = editToken != null;
        String participant = backend.nextParticipantId();
        Views views = new Views(sessionId, backend.frames());
        Materializer mat = Materializer.matFromSystem(backend.system());
        Sink<Message, NotUsed> in = Flow.<Message>create()
                .mapAsync(1, m -> text(m, mat))
                .mapAsync(1, t -> t.isPresent() ? handle(backend, room, sessionId, participant, canEdit, client, t.get())
                        : CompletableFuture.completedFuture(Done.getInstance()))
                .to(Sink.ignore());
        Source<Message, NotUsed> out = ActorSource.<RoomEvent>actorRef(e -> false, e -> Optional.empty(), HANDOVER_BUFFER,
                        OverflowStrategy.fail())
                .mapMaterializedValue(ref -> {
                    room.tell(new SessionRoom.Join(participant, name, canEdit, ref));
                    backend.openSockets.incrementAndGet();
                    return NotUsed.getInstance();
                })
                .conflateWithSeed(Coalescing::start, Coalescing::add)
                .mapConcat(list -> list)
                .map(e -> (Message) TextMessage.create((e instanceof RoomEvent.Welcome
                        ? SessionRoutes.withViewToken(views.message(e), editToken) : views.message(e)).toString()))
                .watchTermination((notUsed, done) -> {
                    done.whenComplete((d, t) -> backend.openSockets.decrementAndGet());
                    return notUsed;
                });
        return Flow.fromSinkAndSourceCoupled(in, out);
    }

    /** The text of {@code m}; binary messages are drained and ignored. */
    private static CompletionStage<Optional<String>> text(Message m, Materializer mat) {
        if (!m.isText()) {
            return m.asBinaryMessage().getStreamedData().runWith(Sink.ignore(), mat).thenApply(d -> Optional.empty());
        }
        TextMessage t = m.asTextMessage();
        if (t.isStrict()) {
            return CompletableFuture.completedFuture(Optional.of(t.getStrictText()));
        }
        return t.getStreamedText().limitWeighted(MAX_MESSAGE_CHARS, s -> (long) s.length())
                .runFold(new StringBuilder(), StringBuilder::append, mat).thenApply(b -> Optional.of(b.toString()));
    }

    /** Reads one client message and passes it on; anything unreadable is answered with an error. */
    private static CompletionStage<Done> handle(EditBackend backend, ActorRef<SessionRoom.Command> room,
            String sessionId, String participant, boolean canEdit, String client, String text) {
        String request = null;
        try {
            JsonNode m = Views.JSON.readTree(text);
            if (m == null || !m.isObject() || !m.path("type").isTextual()) {
                throw new EditRequests.BadRequest("a message is a JSON object with a 'type'");
            }
            request = m.path("request").isValueNode() && !m.path("request").isNull() ? m.path("request").asText() : null;
            String type = m.path("type").asText();
            if (type.equals("cursor")) {
                if (backend.limits().tryAcquire(client, "cursor")) { // beyond the rate, pointer moves are dropped
                    room.tell(new SessionRoom.MoveCursor(participant, m.path("x").asDouble(Double.NaN),
                            m.path("y").asDouble(Double.NaN)));
                }
                return CompletableFuture.completedFuture(Done.getInstance());
            }
            if (!canEdit) {
                throw new EditRequests.BadRequest("this link can only view the session");
            }
            if (!backend.limits().tryAcquire(client, "")) {
                throw new EditRequests.BadRequest("too many requests: at most "
                        + backend.limits().settings().requestsPerSecond() + " per second (draglora.limits); slow down");
            }
            String req = request;
            CompletionStage<Void> admitted = RUNS.contains(type) ? backend.admitRun(client, sessionId)
                    .thenRun(() -> backend.limits().own(client, sessionId))
                    : CompletableFuture.completedFuture(null);
            CompletionStage<SessionState> state = admitted.thenCompose(ok -> backend.state(room));
            return state.thenApply(s -> {
                try {
                    EditRequests.Parsed p = EditRequests.parse(type, m, s, backend.blobs());
                    room.tell(new SessionRoom.Edit(participant, p.action(), p.point(), req, p.command(), null));
                } catch (RuntimeException e) {
                    reject(room, participant, req, e);
                }
                return Done.getInstance();
            }).exceptionally(t -> {
                reject(room, participant, req, t);
                return Done.getInstance();
            });
        } catch (Exception e) {
            reject(room, participant, request, e);
            return CompletableFuture.completedFuture(Done.getInstance());
        }
    }

    private static void reject(ActorRef<SessionRoom.Command> room, String participant, String request, Throwable t) {
        while (t instanceof java.util.concurrent.CompletionException && t.getCause() != null) {
            t = t.getCause();
        }
        String message = t instanceof com.fasterxml.jackson.core.JsonProcessingException
                ? "the message is not JSON" : t.getMessage();
        room.tell(new SessionRoom.Notify(participant, new RoomEvent.Rejected(request, message)));
    }
}
