package org.draglora.sessions.edit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Path;
import java.util.UUID;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.draglora.engine.session.EditEngine;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The session journal on PostgreSQL: a session runs to the end, a new actor system recovers it
 * from the database, and its history re-executes to the same result. Runs where
 * DRAGLORA_TEST_POSTGRES_URL names a database (CI starts Debian's PostgreSQL with
 * .ci/start-postgres); skipped elsewhere.
 */
class JournalPostgresTest {

    @Test
    void sessionsPersistAndRecoverOnPostgres(@TempDir Path dir) throws Exception {
        String url = System.getenv("DRAGLORA_TEST_POSTGRES_URL");
        assumeTrue(url != null && !url.isBlank(), "DRAGLORA_TEST_POSTGRES_URL is not set");
        String journal = String.join("\n",
                "draglora.journal.url = \"" + url + "\"",
                "draglora.journal.profile = \"slick.jdbc.PostgresProfile$\"",
                "draglora.journal.driver = \"org.postgresql.Driver\"",
                "draglora.journal.user = \"" + System.getenv().getOrDefault("DRAGLORA_TEST_POSTGRES_USER", "") + "\"",
                "draglora.journal.password = \"" + System.getenv().getOrDefault("DRAGLORA_TEST_POSTGRES_PASSWORD", "")
                        + "\"");
        String id = "pg-" + UUID.randomUUID();
        try (EditEngine engine = SessionFixture.loadEngine(dir.resolve("reclora-cache"))) {
            SessionState finished;
            try (SessionFixture f = new SessionFixture(dir, engine, journal)) {
                ActorRef<SessionCommand> s = f.spawn(id);
                TestProbe<SessionState> probe = f.kit.createTestProbe();
                s.tell(new SessionCommand.Subscribe(probe.ref()));
                f.accept(s, r -> new SessionCommand.Open(f.spec(17, 4), r));
                f.accept(s, r -> new SessionCommand.AddPoint(new PointPair(10, 10, 14, 12), r));
                f.accept(s, SessionCommand.Start::new);
                finished = f.await(probe, st -> st.status() == SessionStatus.FINISHED);
            }
            try (SessionFixture f = new SessionFixture(dir, engine, journal)) {
                SessionState recovered = SessionHistory.load(f.kit.system(), id, SessionFixture.WAIT).orElseThrow();
                assertEquals(finished, recovered, "the journal on PostgreSQL rebuilds the same state");
                assertArrayEquals(f.blobs.require(recovered.resultHash()), f.replay(recovered));
            }
        }
    }
}
