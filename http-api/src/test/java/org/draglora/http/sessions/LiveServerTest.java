package org.draglora.http.sessions;

import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

/**
 * Base of the test classes that share one real server (embedded model, H2 journal, a free port)
 * across their tests: started once before them in a temporary data folder, stopped (engine
 * included) after them.
 */
abstract class LiveServerTest {

    @TempDir
    static Path data;

    static LiveServer server;

    @BeforeAll
    static void startServer() throws Exception {
        server = LiveServer.start(data);
    }

    @AfterAll
    static void stopServer() {
        if (server != null) {
            server.close();
            server.engine.close();
        }
    }
}
