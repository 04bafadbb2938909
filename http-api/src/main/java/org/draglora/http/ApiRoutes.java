package org.draglora.http;

import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import org.apache.pekko.http.javadsl.marshallers.jackson.Jackson;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntity;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.ExceptionHandler;
import org.apache.pekko.http.javadsl.server.RejectionHandler;
import org.apache.pekko.http.javadsl.server.Route;
import org.draglora.http.sessions.EditBackend;
import org.draglora.http.sessions.Metrics;
import org.draglora.http.sessions.SessionRoutes;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP routes: the JSON API under {@code /api} (health, version, the OpenAPI document and,
 * when a model is loaded, the sessions), Prometheus metrics at {@code /metrics}, and the browser
 * editor (the {@code web-ui} module's class-path folder {@code web/}, or a folder on disk) at
 * {@code /}. Routes only translate; they hold no business logic. API errors are JSON
 * {@code {"error": "..."}}.
 */
public final class ApiRoutes extends AllDirectives {

    /** Class-path folder of the static browser UI. */
    static final String WEB_ROOT = "web";

    /** Class-path resource of the OpenAPI document. */
    static final String OPENAPI = "org/draglora/http/openapi.json";

    private static final Logger LOG = LoggerFactory.getLogger(ApiRoutes.class);

    /** Body of {@code GET /api/health}. */
    public record Health(String status, String version) {}

    /** Body of {@code GET /api/version}: the build and the model the server uses. */
    public record VersionInfo(String name, String version, String model) {}

    private final String version;
    private final String model;
    private final EditBackend backend;
    private final String webDir;
    private final java.util.List<String> allowedOrigins;

    /** Routes that report {@code version}. */
    public ApiRoutes(String version) {
        this(version, "", null, "", java.util.List.of());
    }

    /**
     * Routes that report {@code version} and {@code model}, serve sessions from {@code backend}
     * ({@code null}: no sessions) and the editor from {@code webDir} (empty: the class path);
     * session WebSockets may be opened by the server's own pages and those of {@code allowedOrigins}.
     */
    public ApiRoutes(String version, String model, EditBackend backend, String webDir,
            java.util.List<String> allowedOrigins) {
        this.allowedOrigins = java.util.List.copyOf(allowedOrigins);
        this.version = Objects.requireNonNull(version, "version");
        this.model = Objects.requireNonNull(model, "model");
        this.backend = backend;
        this.webDir = Objects.requireNonNull(webDir, "webDir");
    }

    /** Every route of the server. */
    public Route routes() {
        return concat(
                pathPrefix("api", () -> handleExceptions(exceptions(), () -> handleRejections(rejections(), () -> concat(
                        path("health", () -> get(this::health)),
                        path("version", () -> get(this::version)),
                        path("openapi.json", () -> get(() -> getFromResource(OPENAPI, ContentTypes.APPLICATION_JSON))),
                        backend != null ? new SessionRoutes(backend, allowedOrigins).routes()
                                : pathPrefix("sessions", () -> complete(SessionRoutes.errorResponse(
                                        StatusCodes.SERVICE_UNAVAILABLE, "this server runs without a model")))
                )))),
                path("metrics", () -> get(this::metrics)),
                pathSingleSlash(() -> get(() -> webDir.isEmpty() ? getFromResource(WEB_ROOT + "/index.html")
                        : getFromFile(webDir + "/index.html"))),
                get(() -> webDir.isEmpty() ? getFromResourceDirectory(WEB_ROOT) : getFromDirectory(webDir)));
    }

    private Route health() {
        return complete(StatusCodes.OK, new Health("ok", version), Jackson.marshaller());
    }

    private Route version() {
        return complete(StatusCodes.OK, new VersionInfo("draglora", version, model), Jackson.marshaller());
    }

    private Route metrics() {
        if (backend == null) {
            return complete(StatusCodes.OK, "");
        }
        return onSuccess(Metrics.page(backend), page -> complete(HttpResponse.create().withEntity(
                ContentTypes.create(org.apache.pekko.http.javadsl.model.MediaTypes.TEXT_PLAIN,
                        org.apache.pekko.http.javadsl.model.HttpCharsets.UTF_8),
                page.getBytes(StandardCharsets.UTF_8))));
    }

    /** Exceptions as JSON errors: bad input is a 400, anything else a 500 that is logged. */
    private ExceptionHandler exceptions() {
        return ExceptionHandler.newBuilder().match(Throwable.class, t -> {
            Throwable cause = t;
            while ((cause instanceof CompletionException || cause instanceof ExecutionException) && cause.getCause() != null) {
                cause = cause.getCause();
            }
            if (cause instanceof EditBackend.TooMany) {
                return complete(SessionRoutes.errorResponse(StatusCodes.TOO_MANY_REQUESTS, cause.getMessage()));
            }
            if (cause instanceof IllegalArgumentException) { // BadRequest, unknown method, invalid spec
                return complete(SessionRoutes.errorResponse(StatusCodes.BAD_REQUEST, cause.getMessage()));
            }
            if (cause instanceof java.util.concurrent.TimeoutException) {
                return complete(SessionRoutes.errorResponse(StatusCodes.SERVICE_UNAVAILABLE,
                        "the session did not answer in time; try again"));
            }
            LOG.error("request failed", cause);
            return complete(SessionRoutes.errorResponse(StatusCodes.INTERNAL_SERVER_ERROR,
                    "internal error: " + cause));
        }).build();
    }

    /** Pekko's rejection answers (404, 405, 413...) with the text moved into a JSON error. */
    private static RejectionHandler rejections() {
        return RejectionHandler.defaultHandler().mapRejectionResponse(response -> {
            if (response.entity() instanceof HttpEntity.Strict strict
                    && !strict.getContentType().equals(ContentTypes.APPLICATION_JSON)) {
                return SessionRoutes.errorResponse(response.status(), strict.getData().utf8String());
            }
            return response;
        });
    }
}
