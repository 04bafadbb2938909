package org.draglora.http.sessions;

import static org.draglora.http.sessions.WsClient.seconds;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The live WebSocket protocol against a real server: collaboration, capabilities, progress, errors, restarts. */
class LiveSocketTest extends LiveServerTest {

    private static String ws(LiveServer srv, LiveServer.Session s, boolean edit, String name) {
        return srv.base.replace("http://", "ws://") + s.path("/ws", edit) + "&name=" + name;
    }

    @Test
    void twoEditorsSeeEachOthersPointsCursorsAndPresence() throws Exception {
        LiveServer.Session s = server.scene(21, 10, 2);
        try (WsClient ann = new WsClient(ws(server, s, true, "Ann"));
                WsClient bob = new WsClient(ws(server, s, true, "Bob"))) {
            JsonNode welcome = ann.await("welcome", seconds(10));
            assertTrue(welcome.get("canEdit").asBoolean());
            assertEquals(s.id(), welcome.at("/state/id").asText());
            bob.await("welcome", seconds(10));
            ann.await(m -> m.path("type").asText().equals("participants") && m.get("participants").size() == 2,
                    seconds(10));

            ann.send("{\"type\":\"add_point\",\"request\":\"r1\",\"handle\":[5,6],\"target\":[20,30]}");
            JsonNode ack = ann.await(m -> m.path("type").asText().equals("ack") && m.path("request").asText().equals("r1"),
                    seconds(10));
            int point = ack.get("point").asInt();
            JsonNode edit = bob.await(m -> m.path("type").asText().equals("edit"), seconds(10));
            assertEquals("Ann", edit.at("/by/name").asText());
            assertEquals("add_point", edit.get("action").asText());
            assertEquals(point, edit.get("point").asInt());
            JsonNode bobState = bob.await(m -> m.path("type").asText().equals("state")
                    && m.at("/state/revision").asInt() >= ack.get("revision").asInt(), seconds(10));
            assertTrue(hasPoint(bobState.get("state"), point, 20, 30));

            bob.send("{\"type\":\"move_point\",\"request\":\"b1\",\"id\":" + point + ",\"handle\":[5,6],\"target\":[40,41]}");
            JsonNode annSees = ann.await(m -> m.path("type").asText().equals("state")
                    && hasPoint(m.get("state"), point, 40, 41), seconds(10));
            assertTrue(annSees.at("/state/revision").asInt() > ack.get("revision").asInt());

            bob.send("{\"type\":\"cursor\",\"x\":12.5,\"y\":7}");
            JsonNode cursor = ann.await("cursor", seconds(10));
            assertEquals(12.5, cursor.get("x").asDouble());
            assertNotEquals(welcome.get("participant").asText(), cursor.get("participant").asText());
        }
    }

    @Test
    void viewersWatchButCannotChangeAndBadMessagesAreAnswered() throws Exception {
        LiveServer.Session s = server.scene(22, 10, 2);
        try (WsClient viewer = new WsClient(ws(server, s, false, "Vic"))) {
            JsonNode welcome = viewer.await("welcome", seconds(10));
            assertFalse(welcome.get("canEdit").asBoolean());
            viewer.send("{\"type\":\"start\",\"request\":\"v1\"}");
            JsonNode refused = viewer.await("error", seconds(10));
            assertEquals("v1", refused.get("request").asText());
            assertTrue(refused.get("message").asText().contains("view"));
            viewer.send("{{ not json");
            viewer.await(m -> m.path("type").asText().equals("error") && m.get("message").asText().contains("JSON"),
                    seconds(10));
        }
        try (WsClient editor = new WsClient(ws(server, s, true, "Eve"))) {
            editor.await("welcome", seconds(10));
            editor.send("{\"type\":\"warp\",\"request\":\"e1\"}");
            editor.await(m -> m.path("request").asText().equals("e1") && m.get("message").asText().contains("warp"),
                    seconds(10));
            editor.send("{\"type\":\"add_point\",\"request\":\"e2\",\"handle\":[5,600],\"target\":[1,1]}");
            editor.await(m -> m.path("request").asText().equals("e2") && m.get("message").asText().contains("outside"),
                    seconds(10));
            editor.send("{\"type\":\"resume\",\"request\":\"e3\"}");
            editor.await(m -> m.path("request").asText().equals("e3") && m.get("type").asText().equals("error"),
                    seconds(10));
        }
    }

    @Test
    void progressStreamsWhileAPointMovesMidRunAndTheResultIsAnnounced() throws Exception {
        LiveServer.Session s = server.scene(23, 40, 2);
        try (WsClient c = new WsClient(ws(server, s, true, "Runner"))) {
            c.await("welcome", seconds(10));
            c.send("{\"type\":\"start\",\"request\":\"go\"}");
            c.await(m -> m.path("request").asText().equals("go") && m.get("type").asText().equals("ack"), seconds(10));
            JsonNode drag = c.await(m -> m.path("type").asText().equals("step")
                    && m.at("/step/phase").asText().equals("DRAG") && m.get("dragSteps").asInt() >= 2, seconds(120));
            assertTrue(drag.get("preview").asText().startsWith("data:image/png;base64,"));
            assertTrue(drag.at("/step/points/0/distance").isNumber());
            c.send("{\"type\":\"move_point\",\"request\":\"mv\",\"id\":0,\"handle\":"
                    + drag.at("/step/points/0/handle") + ",\"target\":[32,32]}");
            JsonNode moved = c.await(m -> m.path("request").asText().equals("mv"), seconds(10));
            JsonNode finished = c.await("finished", seconds(180));
            List<JsonNode> all = c.all();
            int dragStepsBefore = drag.get("dragSteps").asInt();
            int stepsAfter = 0;
            JsonNode pulled = null;
            for (JsonNode m : all) {
                if (m.path("type").asText().equals("step") && m.get("revision").asInt() > moved.path("revision").asInt(0)
                        && m.at("/step/phase").asText().equals("DRAG")) {
                    stepsAfter++;
                    if (pulled == null && m.at("/step/points/0/target/0").asDouble() == 32.0) {
                        pulled = m;
                    }
                }
            }
            if (moved.get("type").asText().equals("ack")) {
                // the step in flight when the move arrived still had the old target; the next ones pull to the new one
                assertTrue(stepsAfter == 0 || pulled != null, "drag steps after the move pull towards the new target");
                assertTrue(pulled == null || pulled.get("dragSteps").asInt() <= dragStepsBefore + 3,
                        "the move applied within a step or two: " + pulled);
            } else {
                // the drag ended before the move arrived: the refusal says so
                assertTrue(moved.get("message").asText().contains("ended"), moved.toString());
            }
            assertTrue(finished.get("result").asText().endsWith("/result.png"));
            int last = -1;
            for (JsonNode m : all) {
                if (m.has("revision") && (m.get("type").asText().equals("step"))) {
                    assertTrue(m.get("revision").asInt() > last, "steps arrive in revision order");
                    last = m.get("revision").asInt();
                }
            }
        }
    }

    private static boolean hasPoint(JsonNode state, int id, double tx, double ty) {
        for (JsonNode p : state.get("points")) {
            if (p.get("id").asInt() == id && p.at("/target/0").asDouble() == tx && p.at("/target/1").asDouble() == ty) {
                return true;
            }
        }
        return false;
    }
}
