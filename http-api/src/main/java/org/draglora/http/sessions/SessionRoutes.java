package org.draglora.http.sessions;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.function.Function;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.http.javadsl.model.AttributeKeys;
import org.apache.pekko.http.javadsl.model.ContentType;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.MediaTypes;
import org.apache.pekko.http.javadsl.model.StatusCode;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.Uri;
import org.apache.pekko.http.javadsl.model.headers.ContentDisposition;
import org.apache.pekko.http.javadsl.model.headers.ContentDispositionTypes;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.PathMatchers;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.http.javadsl.unmarshalling.Unmarshaller;
import org.draglora.engine.io.ImageTensors;
import org.draglora.engine.io.RgbImage;
import org.draglora.engine.tools.EditMethod;
import org.draglora.http.sessions.SessionTokens.Capability;
import org.draglora.sessions.bench.SceneSessions;
import org.draglora.sessions.collab.SessionRoom;
import org.draglora.sessions.edit.SessionCommand;
import org.draglora.sessions.edit.SessionHistory;
import org.draglora.sessions.edit.SessionSpec;
import org.draglora.sessions.edit.SessionState;

/**
 * The session API under {@code /api/sessions} (docs/api.md): create, import, read, change and
 * download sessions, and open their WebSockets. Every change goes through the session's room, so
 * WebSocket clients see REST changes as they see each other's. Routes translate only: the
 * session actor decides what is allowed.
 */
public final class SessionRoutes extends AllDirectives {

    /** The largest upload (image or bundle). */
    public static final long MAX_UPLOAD_BYTES = 64L * 1024 * 1024;

    /** The largest image a session takes, in pixels (2048 x 2048). */
    static final long MAX_IMAGE_PIXELS = 2048L * 2048L;

    private static final ContentType PNG = ContentTypes.create(MediaTypes.IMAGE_PNG);

    private final EditBackend backend;
    private final Executor blocking;

    private final java.util.List<String> allowedOrigins;

    public SessionRoutes(EditBackend backend, java.util.List<String> allowedOrigins) {
        this.backend = backend;
        this.allowedOrigins = java.util.List.copyOf(allowedOrigins);
        this.blocking = backend.system().dispatchers().lookup(DispatcherSelector.blocking());
    }

    /** The routes below {@code /api/sessions}. */
    public Route routes() {
        return pathPrefix("sessions", () -> client(client -> rateLimited(client, () -> concat(
                pathEnd(() -> post(() -> create(client))),
                path("import", () -> post(() -> importBundle(client))),
                pathPrefix(PathMatchers.segment(), id -> session(id, client))))));
    }

    /** The client: the remote address of the connection (not a header a client could forge). */
    private Route client(Function<String, Route> inner) {
        return extractRequest(request -> inner.apply(request.getAttribute(AttributeKeys.remoteAddress)
                .flatMap(a -> a.getAddress().map(java.net.InetAddress::getHostAddress)).orElse("unknown")));
    }

    /** Changing requests count against the client's rate ({@code draglora.limits}); reads do not. */
    private Route rateLimited(String client, java.util.function.Supplier<Route> inner) {
        return extractMethod(method -> {
            String m = method.name();
            if (m.equals("GET") || m.equals("HEAD") || backend.limits().tryAcquire(client, "")) {
                return inner.get();
            }
            return complete(errorResponse(StatusCodes.TOO_MANY_REQUESTS, "too many requests from " + client + ": at most "
                    + backend.limits().settings().requestsPerSecond() + " per second (draglora.limits)")
                    .addHeader(org.apache.pekko.http.javadsl.model.headers.RetryAfter.create(1L)));
        });
    }

    // ---- creating ------------------------------------------------------------------------------

    private Route create(String client) {
        return parameterOptional("fit", fit -> parameterOptional("scene", scene -> parameterOptional("prompt", prompt -> parameterOptional("method",
                method -> parameterOptional("seed", seed -> parameterOptional("steps", steps -> parameterOptional(
                        "reclora_steps", rec -> {
                            String m = method.orElse("draglora");
                            EditMethod.parse(m); // an unknown method is a 400 before anything is stored
                            int k = intParam("steps", steps, 80, 1, 1000);
                            int r = intParam("reclora_steps", rec, 80, 0, 2000);
                            if (scene.isPresent()) {
                                long sceneSeed = longParam("scene", scene);
                                SessionSpec spec = SceneSessions.moveOne(backend.blobs(), sceneSeed, m, k, r);
                                if (prompt.isPresent()) {
                                    spec = spec.withPrompt(prompt.get());
                                }
                                return open(spec, client);
                            }
                            long s = seed.isPresent() ? longParam("seed", seed) : 0L;
                            return withSizeLimit(MAX_UPLOAD_BYTES, () -> extractRequestEntity(entity ->
                                    entity(Unmarshaller.entityToByteArray(), bytes -> {
                                        RgbImage image = decodeImage(bytes, entity.getContentType(), fit.orElse("refuse"));
                                        SessionSpec spec = new SessionSpec(backend.blobs().put(image.rgb()), image.width(),
                                                image.height(), null, prompt.orElse(""), m, s, java.util.List.of(), k, r);
                                        return open(spec, client);
                                    })));
                        })))))));
    }

    /**
     * Decodes an upload. Sides that are not multiples of 8 (the VAE's need) are refused with the
     * crop and pad that would fit, unless {@code fit} is {@code crop} (drop at most 7 columns on
     * the right and rows at the bottom) or {@code pad} (repeat the last column and row).
     */
    private RgbImage decodeImage(byte[] bytes, ContentType type, String fit) {
        if (!fit.equals("refuse") && !fit.equals("crop") && !fit.equals("pad")) {
            throw new EditRequests.BadRequest("'fit' must be refuse, crop or pad, got '" + fit + "'");
        }
        if (bytes.length == 0) {
            throw new EditRequests.BadRequest("send the image (PNG or JPEG) as the request body, or ask for ?scene=SEED");
        }
        RgbImage image;
        try {
            image = ImageTensors.decode(bytes, "the upload", MAX_IMAGE_PIXELS);
        } catch (IOException e) {
            throw new EditRequests.BadRequest(e.getMessage() + " (" + type.mediaType() + ")");
        }
        try {
            if (fit.equals("crop")) {
                image = ImageTensors.cropToMultipleOf8(image);
            } else if (fit.equals("pad")) {
                image = ImageTensors.padToMultipleOf8(image);
            }
            ImageTensors.requireMultipleOf8(image);
        } catch (IllegalArgumentException e) {
            throw new EditRequests.BadRequest(e.getMessage() + (fit.equals("refuse")
                    ? " (or upload with ?fit=crop or ?fit=pad)" : ""));
        }
        int max = backend.engine().maxImageSide();
        if (image.width() > max || image.height() > max) {
            throw new EditRequests.BadRequest("the image is " + image.sizeText() + " but this server's model edits images"
                    + " of at most " + max + "x" + max + " (twice its native " + max / 2 + "x" + max / 2
                    + "); scale it down, or run the server with Stable Diffusion 1.5 weights (--model)");
        }
        return image;
    }

    /** Registers a session, opens it with {@code spec} (it starts preparing) and answers {@code Created}. */
    private Route open(SessionSpec spec, String client) {
        return register(client, r -> new SessionCommand.Open(spec, r), "open");
    }

    private Route importBundle(String client) {
        return withSizeLimit(MAX_UPLOAD_BYTES, () -> entity(Unmarshaller.entityToByteArray(), bytes -> {
            SessionBundle.Imported imported;
            try {
                imported = SessionBundle.read(bytes, backend.blobs());
            } catch (IOException | RuntimeException e) {
                throw new EditRequests.BadRequest("not a session bundle: " + e.getMessage());
            }
            return register(client, r -> new SessionCommand.Import(imported.events(), r), "import");
        }));
    }

    /**
     * A new session for {@code client}, within its running-sessions limit: registers it (tokens),
     * sends it {@code command} (its first event: open or import) and answers {@code Created}.
     */
    private Route register(String client, Function<ActorRef<SessionCommand.Reply>, SessionCommand> command,
            String action) {
        return onSuccess(backend.admitRun(client, null), ok -> {
            SessionTokens.Issued issued = backend.tokens().issue();
            backend.sessionsCreated.incrementAndGet();
            backend.limits().own(client, issued.id());
            return created(issued, command, action);
        });
    }

    private Route created(SessionTokens.Issued issued,
            Function<ActorRef<SessionCommand.Reply>, SessionCommand> command, String action) {
        CompletionStage<SessionState> opened = backend.room(issued.id()).thenCompose(room ->
                edit(room, action, null, command).thenCompose(reply -> {
                    if (reply instanceof SessionCommand.Refused r) {
                        backend.tokens().forget(issued.id());
                        throw new EditRequests.BadRequest(r.reason());
                    }
                    return state(room);
                }));
        return extractUri(uri -> onSuccess(opened, s -> {
            ObjectNode o = Views.JSON.createObjectNode();
            o.put("id", issued.id());
            o.put("editToken", issued.editToken());
            o.put("viewToken", issued.viewToken());
            String base = base(uri);
            o.put("editUrl", base + "?session=" + issued.id() + "&token=" + issued.editToken());
            o.put("viewUrl", base + "?session=" + issued.id() + "&token=" + issued.viewToken());
            o.set("state", new Views(issued.id(), backend.frames()).state(s));
            return json(StatusCodes.CREATED, o);
        }));
    }

    /** The server's base URL as the client reached it, e.g. {@code http://127.0.0.1:8080/}. */
    private static String base(Uri uri) {
        return uri.scheme() + "://" + uri.getHost().address() + (uri.getPort() > 0 ? ":" + uri.getPort() : "") + "/";
    }

    // ---- one session ---------------------------------------------------------------------------

    /** {@code o} with the view token added for a client that holds {@code editToken} (else unchanged). */
    static ObjectNode withViewToken(ObjectNode o, String editToken) {
        if (editToken != null) {
            o.put("viewToken", SessionTokens.viewTokenFor(editToken));
        }
        return o;
    }

    private Route session(String id, String client) {
        return access(id, (capability, token) -> onSuccess(backend.room(id), room -> {
            Views views = new Views(id, backend.frames());
            boolean canEdit = capability == Capability.EDIT;
            return concat(
                    pathEnd(() -> get(() -> onSuccess(state(room), s -> json(StatusCodes.OK,
                            withViewToken(views.state(s), canEdit ? token : null))))),
                    path("ws", () -> sameOrigin(() -> parameterOptional("name", name -> handleWebSocketMessages(
                            LiveSocket.flow(backend, room, id, canEdit ? token : null, name.orElse(""), client))))),
                    path("timeline", () -> get(() -> onSuccess(state(room), s -> json(StatusCodes.OK, views.timeline(s))))),
                    path("image.png", () -> get(() -> onSuccess(state(room), s -> png(
                            backend.frames().png(s.spec().imageHash(), s.spec().width(), s.spec().height()),
                            "the session has no image")))),
                    path("result.png", () -> get(() -> onSuccess(state(room), s -> s.resultHash() == null
                            ? error(StatusCodes.CONFLICT, "the edit is " + s.status().name().toLowerCase()
                                    + "; the result exists once it has finished")
                            : png(backend.frames().png(s.resultHash(), s.spec().width(), s.spec().height()),
                                    "the result is missing from the blob store")))),
                    path("lora.safetensors", () -> get(() -> onSuccess(state(room), s -> lora(id, s)))),
                    path("bundle.zip", () -> get(() -> bundle(id, room))),
                    pathPrefix("frames", () -> path(PathMatchers.segment(), name -> get(() ->
                            onSuccess(state(room), s -> frame(s, name))))),
                    path("mask.png", () -> get(() -> onSuccess(state(room), s -> png(
                            backend.frames().maskPng(s.maskHash(), s.spec().width(), s.spec().height()),
                            "the session has no mask")))),
                    path("mask", () -> editOnly(canEdit, () -> concat(
                            put(() -> withSizeLimit(MAX_UPLOAD_BYTES, () -> entity(Unmarshaller.entityToByteArray(),
                                    bytes -> onSuccess(state(room), s -> {
                                        String hash = EditRequests.storeMask(bytes, s, backend.blobs());
                                        return ack(room, "set_mask", null, r -> new SessionCommand.SetMask(hash, r),
                                                StatusCodes.OK);
                                    })))),
                            delete(() -> ack(room, "set_mask", null, r -> new SessionCommand.SetMask(null, r),
                                    StatusCodes.OK))))),
                    path("prompt", () -> put(() -> editOnly(canEdit, () -> admitted(id, client,
                            () -> jsonCommand(room, "set_prompt", null, StatusCodes.OK))))),
                    pathPrefix("points", () -> editOnly(canEdit, () -> concat(
                            pathEnd(() -> post(() -> jsonCommand(room, "add_point", null, StatusCodes.CREATED))),
                            path(PathMatchers.integerSegment(), pid -> concat(
                                    put(() -> jsonCommand(room, "move_point", pid, StatusCodes.OK)),
                                    delete(() -> command(room, "remove_point", pid, Views.JSON.createObjectNode(),
                                            StatusCodes.OK))))))),
                    path(PathMatchers.segment(), action -> post(() -> editOnly(canEdit, () -> switch (action) {
                        case "start", "resume", "restart" -> admitted(id, client,
                                () -> command(room, action, null, Views.JSON.createObjectNode(), StatusCodes.OK));
                        case "pause", "cancel", "undo", "redo" ->
                                command(room, action, null, Views.JSON.createObjectNode(), StatusCodes.OK);
                        default -> error(StatusCodes.NOT_FOUND, "no action '" + action + "'");
                    }))));
        }));
    }

    /** Runs {@code inner} (an action that sets a session running) within the client's running-sessions limit. */
    private Route admitted(String id, String client, java.util.function.Supplier<Route> inner) {
        return onSuccess(backend.admitRun(client, id), ok -> {
            backend.limits().own(client, id);
            return inner.get();
        });
    }

    /** Checks the token of {@code id}: 404 for an unknown session, 401 without a valid token. */
    private Route access(String id, java.util.function.BiFunction<Capability, String, Route> inner) {
        return optionalHeaderValueByName("Authorization", header -> parameterOptional("token", query -> {
            if (!backend.tokens().exists(id)) {
                return error(StatusCodes.NOT_FOUND, "no session " + id);
            }
            Optional<String> token = header.filter(h -> h.startsWith("Bearer ")).map(h -> h.substring(7).trim())
                    .or(() -> query);
            if (token.isEmpty()) {
                return error(StatusCodes.UNAUTHORIZED, "this session needs a token (Authorization: Bearer TOKEN or ?token=)");
            }
            Optional<Capability> c = backend.tokens().check(id, token.get());
            if (c.isEmpty()) {
                return error(StatusCodes.UNAUTHORIZED, "the token does not open session " + id);
            }
            return inner.apply(c.get(), token.get());
        }));
    }

    /**
     * Refuses a WebSocket opened by a page of another site: browsers send the page's
     * {@code Origin}, which must be this server (the host the request was sent to) or an allowed origin.
     * Clients that are not browsers send none and pass.
     */
    private Route sameOrigin(java.util.function.Supplier<Route> inner) {
        // Pekko moves the Host header into the request URI's authority
        return optionalHeaderValueByName("Origin", origin -> extractUri(uri -> {
            if (origin.isEmpty() || allowedOrigins.contains(origin.get())) {
                return inner.get();
            }
            String o = origin.get();
            String originHost = o.replaceFirst("^https?://", "");
            String host = uri.getHost().address() + (uri.getPort() > 0 ? ":" + uri.getPort() : "");
            if (originHost.equalsIgnoreCase(host)) {
                return inner.get();
            }
            return error(StatusCodes.FORBIDDEN, "WebSockets from pages of " + o + " are not allowed (add it to"
                    + " draglora.server.allowed-origins)");
        }));
    }

    private Route editOnly(boolean canEdit, java.util.function.Supplier<Route> inner) {
        return canEdit ? inner.get() : error(StatusCodes.FORBIDDEN, "this token can only view the session");
    }

    // ---- commands ------------------------------------------------------------------------------

    /** A command whose JSON body is read by {@link EditRequests}. */
    private Route jsonCommand(ActorRef<SessionRoom.Command> room, String type, Integer pointId, StatusCode ok) {
        return entity(Unmarshaller.entityToString(), body -> {
            JsonNode m;
            try {
                m = body.isBlank() ? Views.JSON.createObjectNode() : Views.JSON.readTree(body);
            } catch (IOException e) {
                throw new EditRequests.BadRequest("the body is not JSON: " + e.getMessage());
            }
            if (!m.isObject()) {
                throw new EditRequests.BadRequest("the body must be a JSON object");
            }
            return command(room, type, pointId, (ObjectNode) m, ok);
        });
    }

    private Route command(ActorRef<SessionRoom.Command> room, String type, Integer pointId, ObjectNode m, StatusCode ok) {
        if (pointId != null) {
            m.put("id", pointId);
        }
        return onSuccess(state(room), s -> {
            EditRequests.Parsed p = EditRequests.parse(type, m, s, backend.blobs());
            return ack(room, p.action(), p.point(), p.command(), ok);
        });
    }

    private Route ack(ActorRef<SessionRoom.Command> room, String action, Integer point,
            Function<ActorRef<SessionCommand.Reply>, SessionCommand> command, StatusCode ok) {
        return onSuccess(edit(room, action, point, command), reply -> {
            if (reply instanceof SessionCommand.Accepted a) {
                ObjectNode o = Views.JSON.createObjectNode();
                o.put("revision", a.revision());
                if (a.pointId() != null) {
                    o.put("point", a.pointId());
                }
                return json(ok, o);
            }
            return error(StatusCodes.CONFLICT, ((SessionCommand.Refused) reply).reason());
        });
    }

    private CompletionStage<SessionCommand.Reply> edit(ActorRef<SessionRoom.Command> room, String action, Integer point,
            Function<ActorRef<SessionCommand.Reply>, SessionCommand> command) {
        return AskPattern.ask(room, r -> new SessionRoom.Edit(null, action, point, null, command, r),
                EditBackend.ASK_TIMEOUT, backend.system().scheduler());
    }

    private CompletionStage<SessionState> state(ActorRef<SessionRoom.Command> room) {
        return backend.state(room);
    }

    // ---- downloads -----------------------------------------------------------------------------

    private Route frame(SessionState s, String name) {
        if (!name.matches("\\d{1,7}\\.png")) {
            return error(StatusCodes.NOT_FOUND, "frames are named N.png, N a timeline step");
        }
        int n = Integer.parseInt(name.substring(0, name.length() - 4));
        if (n >= s.timeline().size()) {
            return error(StatusCodes.NOT_FOUND, "the timeline has " + s.timeline().size() + " steps");
        }
        return png(backend.frames().png(s.timeline().get(n).previewHash(), s.spec().width(), s.spec().height()),
                "step " + n + " has no preview frame");
    }

    private Route lora(String id, SessionState s) {
        if (s.loraHash() == null) {
            return error(StatusCodes.CONFLICT, s.resultHash() == null
                    ? "the edit is " + s.status().name().toLowerCase() + "; its LoRA exists once it has finished"
                    : "this edit kept no LoRA");
        }
        Optional<byte[]> bytes = backend.blobs().get(s.loraHash());
        if (bytes.isEmpty()) {
            return error(StatusCodes.NOT_FOUND, "the LoRA is missing from the blob store");
        }
        return attachment(HttpResponse.create().withEntity(ContentTypes.APPLICATION_OCTET_STREAM, bytes.get()),
                "draglora-" + id + "-lora.safetensors");
    }

    private Route bundle(String id, ActorRef<SessionRoom.Command> room) {
        CompletionStage<byte[]> zip = state(room).thenApplyAsync(s -> {
            if (s.spec() == null) {
                throw new EditRequests.BadRequest("the session has no image yet");
            }
            try {
                return SessionBundle.export(id, SessionHistory.events(backend.system(), id, EditBackend.ASK_TIMEOUT), s,
                        backend.blobs());
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }, blocking);
        return onSuccess(zip, bytes -> attachment(HttpResponse.create().withEntity(
                ContentTypes.create(MediaTypes.APPLICATION_ZIP), bytes), "draglora-" + id + ".zip"));
    }

    private Route attachment(HttpResponse response, String filename) {
        return complete(response.addHeader(ContentDisposition.create(ContentDispositionTypes.ATTACHMENT,
                Map.of("filename", filename))));
    }

    private Route png(Optional<byte[]> bytes, String missing) {
        return bytes.<Route>map(b -> complete(HttpResponse.create().withEntity(HttpEntities.create(PNG, b))))
                .orElseGet(() -> error(StatusCodes.NOT_FOUND, missing));
    }

    // ---- helpers -------------------------------------------------------------------------------

    private static int intParam(String name, Optional<String> value, int fallback, int min, int max) {
        if (value.isEmpty()) {
            return fallback;
        }
        try {
            int v = Integer.parseInt(value.get().trim());
            if (v < min || v > max) {
                throw new EditRequests.BadRequest("'" + name + "' must be in " + min + ".." + max + ", got " + v);
            }
            return v;
        } catch (NumberFormatException e) {
            throw new EditRequests.BadRequest("'" + name + "' must be an integer, got '" + value.get() + "'");
        }
    }

    private static long longParam(String name, Optional<String> value) {
        try {
            return Long.parseLong(value.orElseThrow().trim());
        } catch (NumberFormatException e) {
            throw new EditRequests.BadRequest("'" + name + "' must be an integer, got '" + value.get() + "'");
        }
    }

    /** A JSON answer. */
    public static Route jsonRoute(AllDirectives d, StatusCode status, JsonNode body) {
        return d.complete(HttpResponse.create().withStatus(status).withEntity(ContentTypes.APPLICATION_JSON,
                body.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8)));
    }

    private Route json(StatusCode status, JsonNode body) {
        return jsonRoute(this, status, body);
    }

    /** The API's error answer: {@code {"error": message}}. */
    public static HttpResponse errorResponse(StatusCode status, String message) {
        ObjectNode o = Views.JSON.createObjectNode();
        o.put("error", message);
        return HttpResponse.create().withStatus(status).withEntity(ContentTypes.APPLICATION_JSON,
                o.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    private Route error(StatusCode status, String message) {
        return complete(errorResponse(status, message));
    }
}
