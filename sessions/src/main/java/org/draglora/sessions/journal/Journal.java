package org.draglora.sessions.journal;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.persistence.jdbc.testkit.javadsl.SchemaUtils;
import org.draglora.config.Settings;
import org.draglora.sessions.CborSerializable;

/**
 * The session journal: pekko-persistence-jdbc on the database {@code draglora.journal} names (an
 * H2 file by default, PostgreSQL by configuration).
 */
public final class Journal {

    private Journal() {}

    /**
     * Creates the journal and snapshot tables when they are missing and
     * {@code draglora.journal.create-schema} is on (the plugin's own DDL for the configured
     * database).
     */
    public static CompletionStage<Done> ensureSchema(ActorSystem<?> system) {
        if (!Settings.load(system.settings().config()).sessions().createSchema()) {
            return CompletableFuture.completedFuture(Done.getInstance());
        }
        return SchemaUtils.createIfNotExists(system);
    }

    /**
     * {@code base} with the journal wired in: pekko-persistence-jdbc as journal and snapshot store
     * on one shared Slick database built from {@code draglora.journal}, and the Jackson CBOR binding
     * of events. Every actor system that runs sessions is created with this configuration. (Set in
     * code, not in a reference.conf, because pekko-persistence-jdbc's own reference.conf can come
     * first on the class path and would win.)
     */
    public static Config configure(Config base) {
        Config j = base.getConfig("draglora.journal");
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("pekko.persistence.journal.plugin", "jdbc-journal");
        m.put("pekko.persistence.snapshot-store.plugin", "jdbc-snapshot-store");
        m.put("jdbc-journal.use-shared-db", "slick");
        m.put("jdbc-snapshot-store.use-shared-db", "slick");
        m.put("jdbc-read-journal.use-shared-db", "slick");
        String db = "pekko-persistence-jdbc.shared-databases.slick.";
        m.put(db + "profile", j.getString("profile"));
        m.put(db + "db.url", j.getString("url"));
        m.put(db + "db.user", j.getString("user"));
        m.put(db + "db.password", j.getString("password"));
        m.put(db + "db.driver", j.getString("driver"));
        m.put(db + "db.numThreads", 2);
        m.put(db + "db.maxConnections", 2);
        m.put(db + "db.minConnections", 1);
        Config wiring = ConfigFactory.parseMap(m).withFallback(ConfigFactory.parseString(
                "pekko.actor.serialization-bindings { \"" + CborSerializable.class.getName() + "\" = jackson-cbor }"));
        return wiring.withFallback(base);
    }

    /**
     * {@link #configure} of {@code base} with the default H2 journal moved into {@code dataDir} (a
     * configured PostgreSQL or other database stays as it is).
     */
    public static Config configure(Config base, Path dataDir) {
        String url = base.getString("draglora.journal.url");
        if (!url.startsWith("jdbc:h2:file:")) {
            return configure(base);
        }
        int options = url.indexOf(';');
        String moved = "jdbc:h2:file:" + dataDir.resolve("journal").toAbsolutePath()
                + (options >= 0 ? url.substring(options) : ""); // the configured options stay
        return configure(ConfigFactory.parseMap(Map.of("draglora.journal.url", moved)).withFallback(base));
    }

    /** Which database the journal uses, for logs: the JDBC URL without credentials. */
    public static String describe(ActorSystem<?> system) {
        return system.settings().config().getString("draglora.journal.url");
    }
}
