package org.draglora.http;

import java.util.Objects;
import org.apache.pekko.http.javadsl.marshallers.jackson.Jackson;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * The HTTP routes: the JSON API under {@code /api} and the browser UI (the {@code web-ui} module's
 * class-path folder {@code web/}) at {@code /}. Routes only translate; they hold no business logic.
 */
public final class ApiRoutes extends AllDirectives {

    /** Class-path folder of the static browser UI. */
    static final String WEB_ROOT = "web";

    /** Body of {@code GET /api/health}. */
    public record Health(String status, String version) {}

    /** Body of {@code GET /api/version}: the build and the model the server uses. */
    public record VersionInfo(String name, String version, String model) {}

    private final String version;
    private final String model;

    /** Routes that report {@code version}. */
    public ApiRoutes(String version) {
        this(version, "");
    }

    /** Routes that report {@code version} and {@code model}. */
    public ApiRoutes(String version, String model) {
        this.version = Objects.requireNonNull(version, "version");
        this.model = Objects.requireNonNull(model, "model");
    }

    /** Every route of the server. */
    public Route routes() {
        return concat(
                pathPrefix("api", () -> concat(
                        path("health", () -> get(this::health)),
                        path("version", () -> get(this::version)))),
                pathSingleSlash(() -> get(() -> getFromResource(WEB_ROOT + "/index.html"))),
                get(() -> getFromResourceDirectory(WEB_ROOT)));
    }

    private Route health() {
        return complete(StatusCodes.OK, new Health("ok", version), Jackson.marshaller());
    }

    private Route version() {
        return complete(StatusCodes.OK, new VersionInfo("draglora", version, model), Jackson.marshaller());
    }
}
