package org.draglora.http;

import com.typesafe.config.Config;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.ServerBinding;
import org.apache.pekko.http.javadsl.server.Route;
import org.draglora.config.LimitSettings;
import org.draglora.config.ServerSettings;
import org.draglora.config.SessionSettings;
import org.draglora.engine.session.EditEngine;
import org.draglora.http.sessions.EditBackend;
import org.draglora.sessions.journal.Journal;

/**
 * A running draglora HTTP server: a typed actor system with the {@link ApiRoutes} bound on the
 * configured host and port. Unbinding is registered with {@code CoordinatedShutdown}, so SIGTERM,
 * Ctrl-C and {@link #close()} stop it in order.
 */
public final class HttpServer implements AutoCloseable {

    /** How long open requests may run on after an unbind. */
    private static final Duration UNBIND_DEADLINE = Duration.ofSeconds(3);

    private final ActorSystem<Void> system;
    private final ServerBinding binding;
    private final String host;

    private HttpServer(ActorSystem<Void> system, ServerBinding binding, String host) {
        this.system = system;
        this.binding = binding;
        this.host = host;
    }

    /**
     * Starts an actor system with {@code config} (Pekko reads its keys there) and binds the routes
     * on {@code settings.host()}:{@code settings.port()}; returns once bound.
     *
     * @throws IllegalStateException when the address cannot be bound (the system is stopped again)
     */
    public static HttpServer start(Config config, ServerSettings settings) {
        return start(config, settings, "");
    }

    /** As {@link #start(Config, ServerSettings)}, reporting {@code model} in {@code /api/version}. */
    public static HttpServer start(Config config, ServerSettings settings, String model) {
        return start(config, settings, model, null, null, null);
    }

    /**
     * The full server: with {@code engine} (not {@code null}) it also runs edit sessions, with
     * the journal configured from {@code config} (created when missing) and blobs and tokens under
     * the data directory; {@code /api/version} reports {@code model}.
     */
    public static HttpServer start(Config config, ServerSettings settings, String model, EditEngine engine,
            SessionSettings sessions, LimitSettings limits) {
        Objects.requireNonNull(config, "config");
        Objects.requireNonNull(settings, "settings");
        CompletableFuture<EditBackend> backend = new CompletableFuture<>();
        Config systemConfig = engine == null ? config : Journal.configure(config, settings.dataDir());
        ActorSystem<Void> system = ActorSystem.create(Behaviors.setup(ctx -> {
            if (engine != null) {
                backend.complete(EditBackend.spawn(ctx, engine, sessions, limits, settings.dataDir()));
            } else {
                backend.complete(null);
            }
            return Behaviors.empty();
        }), "draglora", systemConfig);
        Route routes;
        try {
            EditBackend b = backend.get(1, TimeUnit.MINUTES);
            if (b != null) {
                Journal.ensureSchema(system).toCompletableFuture().get(1, TimeUnit.MINUTES);
            }
            routes = new ApiRoutes(Version.current(), model, b, settings.webDir(), settings.allowedOrigins()).routes();
        } catch (ExecutionException | TimeoutException e) {
            stop(system);
            throw new IllegalStateException("cannot start the session backend: " + (e.getCause() != null ? e.getCause() : e),
                    e);
        } catch (InterruptedException e) {
            stop(system);
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while starting", e);
        }
        ServerBinding binding;
        try {
            binding = Http.get(system).newServerAt(settings.host(), settings.port()).bind(routes)
                    .toCompletableFuture().get();
        } catch (ExecutionException | CompletionException e) {
            stop(system);
            throw new IllegalStateException(bindFailure(settings, e.getCause()), e.getCause());
        } catch (InterruptedException e) {
            stop(system);
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while binding " + settings.host() + ":" + settings.port(), e);
        }
        binding.addToCoordinatedShutdown(UNBIND_DEADLINE, system);
        return new HttpServer(system, binding, settings.host());
    }

    /** The address actually bound (with the real port when 0 was asked for). */
    public InetSocketAddress address() {
        return binding.localAddress();
    }

    /** The base URL, e.g. {@code http://127.0.0.1:8080/}, with the configured host. */
    public String url() {
        String shownHost = host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host;
        return "http://" + shownHost + ":" + address().getPort() + "/";
    }

    /** Blocks until the actor system has terminated (after SIGTERM, Ctrl-C or {@link #close()}). */
    public void awaitTermination() {
        system.getWhenTerminated().toCompletableFuture().join();
    }

    /** Unbinds and stops the actor system through {@code CoordinatedShutdown}; waits for it. */
    @Override
    public void close() {
        stop(system);
    }

    private static void stop(ActorSystem<Void> system) {
        system.terminate();
        system.getWhenTerminated().toCompletableFuture().join();
    }

    /** One line naming the address and the deepest cause that has a message. */
    static String bindFailure(ServerSettings settings, Throwable cause) {
        String reason = cause.getClass().getSimpleName();
        for (Throwable t = cause; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t.getMessage() != null && !t.getMessage().isBlank()) {
                reason = t.getMessage();
            }
        }
        // Pekko's TcpListener prefixes the endpoint, e.g. "[/127.0.0.1:8080] Address already in use"
        reason = reason.replaceFirst("^\\[[^\\]]*\\]\\s*", "");
        return "cannot bind " + settings.host() + ":" + settings.port() + ": " + reason;
    }
}
