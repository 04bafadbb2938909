package org.draglora.http.sessions;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import org.draglora.sessions.collab.Participant;
import org.draglora.sessions.collab.RoomEvent;
import org.draglora.sessions.edit.Change;
import org.draglora.sessions.edit.PointPair;
import org.draglora.sessions.edit.SessionState;
import org.draglora.sessions.edit.StepSummary;
import org.draglora.sessions.edit.TimedChange;

/**
 * The JSON the API and the WebSocket speak (docs/api.md): sessions, steps, timelines and room
 * events. Pure translation of the session's own records.
 */
public final class Views {

    /** The mapper every view is built with. */
    public static final ObjectMapper JSON = new ObjectMapper();

    private final String sessionId;
    private final Frames frames;

    /** Views of session {@code sessionId}; previews come from {@code frames}. */
    public Views(String sessionId, Frames frames) {
        this.sessionId = sessionId;
        this.frames = frames;
    }

    /** The {@code State} object. */
    public ObjectNode state(SessionState s) {
        ObjectNode o = JSON.createObjectNode();
        o.put("id", sessionId);
        o.put("revision", s.revision());
        o.put("status", s.status().name().toLowerCase());
        o.put("started", s.startRequested());
        if (s.spec() != null) {
            o.put("width", s.spec().width());
            o.put("height", s.spec().height());
            o.put("prompt", s.spec().prompt());
            o.put("method", s.spec().method());
            o.put("seed", s.spec().seed());
            o.put("maxSteps", s.spec().maxSteps());
            o.put("recLoraSteps", s.spec().recLoraSteps());
        }
        o.put("epoch", s.epoch());
        o.put("phase", s.enginePhase());
        o.put("mode", s.mode());
        o.put("dragSteps", s.dragSteps());
        o.put("steps", s.timeline().size());
        ArrayNode points = o.putArray("points");
        s.points().forEach((id, p) -> {
            ObjectNode n = points.addObject();
            n.put("id", id);
            n.set("handle", xy(p.handleX(), p.handleY()));
            n.set("target", xy(p.targetX(), p.targetY()));
            double[] start = start(s, id, p);
            n.set("start", xy(start[0], start[1]));
        });
        o.put("mask", s.maskHash());
        o.put("result", s.resultHash() != null);
        o.put("failure", s.failure());
        o.put("canUndo", !s.undo().isEmpty());
        o.put("canRedo", !s.redo().isEmpty());
        int n = s.timeline().size() - 1;
        if (n >= 0) {
            o.set("lastStep", step(s.timeline().get(n), n));
        } else {
            o.putNull("lastStep");
        }
        return o;
    }

    /** Where point {@code id}'s handle was when it was last placed (its last add or move, else the spec). */
    static double[] start(SessionState s, int id, PointPair now) {
        List<TimedChange> changes = s.changes();
        for (int i = changes.size() - 1; i >= 0; i--) {
            Change c = changes.get(i).change();
            if (c instanceof Change.AddPoint a && a.id() == id) {
                return new double[] {a.pair().handleX(), a.pair().handleY()};
            }
            if (c instanceof Change.MovePoint m && m.id() == id) {
                return new double[] {m.pair().handleX(), m.pair().handleY()};
            }
        }
        if (s.spec() != null && id < s.spec().points().size()) {
            PointPair p = s.spec().points().get(id);
            return new double[] {p.handleX(), p.handleY()};
        }
        return new double[] {now.handleX(), now.handleY()};
    }

    /** The {@code Step} object of timeline step {@code n}. */
    public ObjectNode step(StepSummary st, int n) {
        ObjectNode o = JSON.createObjectNode();
        o.put("n", n);
        o.put("phase", st.phase());
        o.put("index", st.index());
        o.put("total", st.total());
        o.put("mode", st.mode());
        o.put("event", st.event());
        ArrayNode points = o.putArray("points");
        for (StepSummary.PointState p : st.points()) {
            ObjectNode pn = points.addObject();
            pn.put("id", p.id());
            pn.set("handle", xy(p.handleX(), p.handleY()));
            pn.set("target", xy(p.targetX(), p.targetY()));
            number(pn, "minD", p.minD());
            number(pn, "distance", p.distance());
        }
        number(o, "loss", st.loss());
        number(o, "dragLoss", st.dragLoss());
        o.put("forward", st.forwardPasses());
        o.put("backward", st.backwardPasses());
        o.put("ms", Math.round(st.deviceNanos() / 1e4) / 100.0);
        o.put("frame", st.previewHash() != null);
        return o;
    }

    /** The {@code Timeline} object. */
    public ObjectNode timeline(SessionState s) {
        ObjectNode o = JSON.createObjectNode();
        o.put("revision", s.revision());
        o.put("epoch", s.epoch());
        ArrayNode steps = o.putArray("steps");
        for (int i = 0; i < s.timeline().size(); i++) {
            steps.add(step(s.timeline().get(i), i));
        }
        ArrayNode changes = o.putArray("changes");
        for (TimedChange tc : s.changes()) {
            ObjectNode c = changes.addObject();
            c.put("atDragStep", tc.atDragStep());
            Change ch = tc.change();
            if (ch instanceof Change.AddPoint a) {
                pointChange(c, "add_point", a.id(), a.pair());
            } else if (ch instanceof Change.MovePoint m) {
                pointChange(c, "move_point", m.id(), m.pair());
            } else if (ch instanceof Change.RemovePoint r) {
                c.put("type", "remove_point");
                c.put("point", r.id());
            } else if (ch instanceof Change.SetMask m) {
                c.put("type", "set_mask");
                c.put("mask", m.maskHash());
            }
        }
        return o;
    }

    /** The WebSocket message of room event {@code e} (docs/api.md, "The WebSocket"). */
    public ObjectNode message(RoomEvent e) {
        ObjectNode o = JSON.createObjectNode();
        if (e instanceof RoomEvent.Welcome w) {
            o.put("type", "welcome");
            o.put("participant", w.participantId());
            o.put("canEdit", w.canEdit());
            o.set("state", state(w.state()));
            o.set("participants", participants(w.participants()));
        } else if (e instanceof RoomEvent.StateChanged c) {
            o.put("type", "state");
            o.set("state", state(c.state()));
        } else if (e instanceof RoomEvent.Stepped st) {
            SessionState s = st.state();
            o.put("type", "step");
            o.put("revision", s.revision());
            o.put("status", s.status().name().toLowerCase());
            o.put("dragSteps", s.dragSteps());
            o.put("mode", s.mode());
            o.put("phase", s.enginePhase());
            o.set("step", step(st.step(), st.n()));
            o.put("preview", frames.dataUrl(st.step().previewHash(), s.spec().width(), s.spec().height()));
        } else if (e instanceof RoomEvent.Edited ed) {
            o.put("type", "edit");
            ObjectNode by = o.putObject("by");
            by.put("id", ed.by().id());
            by.put("name", ed.by().name());
            o.put("action", ed.action());
            if (ed.point() != null) {
                o.put("point", ed.point());
            } else {
                o.putNull("point");
            }
            o.put("revision", ed.revision());
        } else if (e instanceof RoomEvent.ParticipantsChanged p) {
            o.put("type", "participants");
            o.set("participants", participants(p.participants()));
        } else if (e instanceof RoomEvent.CursorMoved c) {
            o.put("type", "cursor");
            o.put("participant", c.participantId());
            o.put("x", c.x());
            o.put("y", c.y());
        } else if (e instanceof RoomEvent.Finished f) {
            o.put("type", "finished");
            o.put("revision", f.revision());
            o.put("result", "/api/sessions/" + sessionId + "/result.png");
        } else if (e instanceof RoomEvent.Failed f) {
            o.put("type", "failed");
            o.put("revision", f.revision());
            o.put("message", f.message());
        } else if (e instanceof RoomEvent.Acked a) {
            o.put("type", "ack");
            o.put("request", a.request());
            o.put("revision", a.revision());
            if (a.point() != null) {
                o.put("point", a.point());
            } else {
                o.putNull("point");
            }
        } else if (e instanceof RoomEvent.Rejected r) {
            o.put("type", "error");
            o.put("request", r.request());
            o.put("message", r.message());
        } else {
            throw new IllegalArgumentException("unknown room event " + e);
        }
        return o;
    }

    /** The participants array. */
    public static ArrayNode participants(List<Participant> list) {
        ArrayNode a = JSON.createArrayNode();
        for (Participant p : list) {
            ObjectNode n = a.addObject();
            n.put("id", p.id());
            n.put("name", p.name());
            n.put("colour", p.colour());
            n.put("canEdit", p.canEdit());
            if (p.cursorX() != null) {
                n.set("cursor", xy(p.cursorX(), p.cursorY()));
            } else {
                n.putNull("cursor");
            }
        }
        return a;
    }

    private static void pointChange(ObjectNode c, String type, int id, PointPair p) {
        c.put("type", type);
        c.put("point", id);
        c.set("handle", xy(p.handleX(), p.handleY()));
        c.set("target", xy(p.targetX(), p.targetY()));
    }

    static ArrayNode xy(double x, double y) {
        ArrayNode a = JSON.createArrayNode();
        a.add(x);
        a.add(y);
        return a;
    }

    /** A finite number, or JSON null for NaN (JSON has no NaN). */
    private static void number(ObjectNode o, String key, double v) {
        if (Double.isFinite(v)) {
            o.put(key, v);
        } else {
            o.putNull(key);
        }
    }
}
