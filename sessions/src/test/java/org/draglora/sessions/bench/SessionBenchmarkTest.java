package org.draglora.sessions.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import java.nio.file.Path;
import java.util.List;
import org.draglora.engine.model.EmbeddedModel;
import org.draglora.engine.model.ModelPath;
import org.draglora.engine.runtime.DeviceKind;
import org.draglora.engine.runtime.EngineRuntime;
import org.draglora.engine.session.EditEngine;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code bench sessions} on a short budget: every session drags, the table has one row per N. */
class SessionBenchmarkTest {

    @Test
    void measuresEveryRequestedSessionCount(@TempDir Path dir) throws Exception {
        try (EditEngine engine = EditEngine.load(ModelPath.of(EmbeddedModel.require()),
                EngineRuntime.start(DeviceKind.CPU), dir.resolve("cache"))) {
            SessionBenchmark.Result r = SessionBenchmark.run(engine, ConfigFactory.load(), dir,
                    new SessionBenchmark.Options(List.of(1, 2), 2, 2, 21,
                            org.draglora.config.Settings.load().sessions()), line -> { });
            assertEquals(2, r.rows().size());
            assertEquals(1, r.rows().get(0).sessions());
            assertEquals(2, r.rows().get(1).sessions());
            for (SessionBenchmark.Row row : r.rows()) {
                assertTrue(row.dragSteps() >= row.sessions(), "every session dragged: " + row);
                assertTrue(row.stepsPerSecond() > 0 && row.p50Ms() > 0 && row.p99Ms() >= row.p50Ms(), row.toString());
            }
            assertTrue(r.directMsPerStep() > 0 && Double.isFinite(r.overheadMsPerStep()));
            assertTrue(r.markdown().startsWith("| sessions | drag steps |"), r.markdown());
        }
    }
}
