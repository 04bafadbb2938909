package org.draglora.config;

import com.typesafe.config.Config;
import java.nio.file.Path;
import java.util.Objects;

/**
 * Settings of the HTTP server: {@code draglora.server} in HOCON.
 *
 * @param host interface to bind to, e.g. {@code 127.0.0.1} or {@code 0.0.0.0}
 * @param port TCP port, 0..65535; 0 lets the operating system pick a free one
 * @param dataDir directory for sessions, blobs and the journal; a relative path is resolved
 *     against the working directory
 * @param webDir a folder to serve the browser editor from instead of the class path (for working
 *     on the editor without rebuilding); empty = the {@code web-ui} module's files
 * @param allowedOrigins origins (e.g. {@code https://draglora.example}) whose pages may open
 *     WebSockets besides the server's own; browsers send the page's origin, so this stops other
 *     sites from driving a session with a visitor's link
 */
public record ServerSettings(String host, int port, Path dataDir, String webDir, java.util.List<String> allowedOrigins) {

    /** Settings that serve the editor from the class path and allow only same-origin WebSockets. */
    public ServerSettings(String host, int port, Path dataDir) {
        this(host, port, dataDir, "", java.util.List.of());
    }

    /** Validates every field, naming the key and the offending value. */
    public ServerSettings {
        Objects.requireNonNull(host, "draglora.server.host");
        Objects.requireNonNull(dataDir, "draglora.server.data-dir");
        Objects.requireNonNull(webDir, "draglora.server.web-dir");
        allowedOrigins = java.util.List.copyOf(allowedOrigins);
        for (String o : allowedOrigins) {
            if (!o.matches("https?://[^/\\s]+")) {
                throw new IllegalArgumentException("draglora.server.allowed-origins holds '" + o
                        + "': an origin is scheme://host[:port], without a path");
            }
        }
        if (host.isBlank()) {
            throw new IllegalArgumentException("draglora.server.host must not be blank, got '" + host + "'");
        }
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("draglora.server.port must be in 0..65535, got " + port);
        }
        if (dataDir.toString().isEmpty()) {
            throw new IllegalArgumentException("draglora.server.data-dir must not be empty");
        }
    }

    /** Reads {@code draglora.server} from the resolved root, so that errors name full keys. */
    static ServerSettings from(Config root) {
        return new ServerSettings(
                root.getString("draglora.server.host"),
                root.getInt("draglora.server.port"),
                Path.of(root.getString("draglora.server.data-dir")),
                root.getString("draglora.server.web-dir"),
                root.getStringList("draglora.server.allowed-origins"));
    }

    /** A copy bound to another interface. */
    public ServerSettings withHost(String newHost) {
        return new ServerSettings(newHost, port, dataDir, webDir, allowedOrigins);
    }

    /** A copy on another port. */
    public ServerSettings withPort(int newPort) {
        return new ServerSettings(host, newPort, dataDir, webDir, allowedOrigins);
    }

    /** A copy with another data directory. */
    public ServerSettings withDataDir(Path newDataDir) {
        return new ServerSettings(host, port, newDataDir, webDir, allowedOrigins);
    }
}
