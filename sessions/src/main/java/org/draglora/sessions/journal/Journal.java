package org.draglora.sessions.journal;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.persistence.jdbc.testkit.javadsl.SchemaUtils;

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
        if (!system.settings().config().getBoolean("draglora.journal.create-schema")) {
            return CompletableFuture.completedFuture(Done.getInstance());
        }
        return SchemaUtils.createIfNotExists(system);
    }

    /**
     * {@code base} with the default H2 journal moved into {@code dataDir} (a configured
     * PostgreSQL or other database stays as it is).
     */
    public static Config inDataDir(Config base, Path dataDir) {
        String url = base.getString("draglora.journal.url");
        if (!url.startsWith("jdbc:h2:file:")) {
            return base;
        }
        String moved = "jdbc:h2:file:" + dataDir.resolve("journal").toAbsolutePath() + ";DB_CLOSE_ON_EXIT=FALSE";
        return ConfigFactory.parseMap(java.util.Map.of("draglora.journal.url", moved,
                "pekko-persistence-jdbc.shared-databases.slick.db.url", moved)).withFallback(base);
    }

    /** Which database the journal uses, for logs: the JDBC URL without credentials. */
    public static String describe(ActorSystem<?> system) {
        return system.settings().config().getString("draglora.journal.url");
    }
}
