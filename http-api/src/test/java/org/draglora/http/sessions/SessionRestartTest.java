package org.draglora.http.sessions;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.time.Duration;
import org.draglora.engine.model.EmbeddedModel;
import org.draglora.engine.model.ModelPath;
import org.draglora.engine.runtime.DeviceKind;
import org.draglora.engine.runtime.EngineRuntime;
import org.draglora.engine.session.EditEngine;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A server restart on the same data directory: sessions, their tokens and their journaled state
 * come back, and an edit continues. (One engine, one server at a time: the engine has one device
 * thread.)
 */
class SessionRestartTest {

    @TempDir
    Path data;

    @Test
    void sessionsAndTokensSurviveARestartOfTheServer() throws Exception {
        try (EditEngine engine = EditEngine.load(ModelPath.of(EmbeddedModel.require()),
                EngineRuntime.start(DeviceKind.CPU), data.resolve("cache"))) {
            restart(engine, data.resolve("server"));
        }
    }

    private void restart(EditEngine engine, Path dir) throws Exception {
        LiveServer first = LiveServer.start(engine, dir);
        LiveServer.Session s;
        JsonNode before;
        try {
            s = first.scene(24, 6, 1);
            assertEquals(201, first.postJson(s.path("/points"), "{\"handle\":[3,4],\"target\":[9,9]}").statusCode());
            before = first.awaitState(s, st -> st.get("status").asText().equals("ready"), Duration.ofMinutes(2));
        } finally {
            first.close();
        }
        try (LiveServer second = LiveServer.start(engine, dir)) {
            JsonNode after = LiveServer.json(second.get(s.path("")));
            assertEquals(before.get("revision").asInt(), after.get("revision").asInt());
            assertEquals(before.get("points"), after.get("points"));
            assertEquals(401, second.get("api/sessions/" + s.id() + "?token=" + s.edit() + "x").statusCode());
            assertEquals(200, second.send("POST", s.path("/start"), null, null).statusCode());
            second.awaitState(s, st -> st.get("status").asText().equals("finished"), Duration.ofMinutes(2));
        }
    }
}
