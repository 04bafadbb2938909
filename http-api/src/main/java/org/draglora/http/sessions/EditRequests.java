package org.draglora.http.sessions;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.util.Base64;
import java.util.function.Function;
import org.apache.pekko.actor.typed.ActorRef;
import org.draglora.engine.io.EditMask;
import org.draglora.engine.io.MaskImage;
import org.draglora.sessions.edit.PointPair;
import org.draglora.sessions.edit.SessionCommand;
import org.draglora.sessions.edit.SessionState;
import org.draglora.sessions.edit.SpecRequests;
import org.draglora.sessions.store.BlobStore;

/**
 * Reads a client's change request (a WebSocket message, or a REST call turned into the same JSON)
 * into the session command it stands for, checking what can be checked before the session sees
 * it: the JSON's shape, points inside the image, the mask's size. The session checks the rest
 * (its status, unknown point ids, the last point while dragging).
 */
final class EditRequests {

    /** A change request that cannot be read; the message says why. */
    static final class BadRequest extends IllegalArgumentException {
        BadRequest(String message) {
            super(message);
        }
    }

    /**
     * A readable request.
     *
     * @param action its name ("add_point", ...)
     * @param point the point it concerns, when one
     * @param command the session command, built around a reply address
     */
    record Parsed(String action, Integer point, Function<ActorRef<SessionCommand.Reply>, SessionCommand> command) {}

    /** The largest mask PNG a client may send, in pixels (larger than any image the server accepts). */
    private static final long MAX_MASK_PIXELS = 4096L * 4096L;

    private EditRequests() {}

    /**
     * The command of message {@code m} of type {@code type} for the session in {@code state}.
     *
     * @throws BadRequest when the message is malformed or its points or mask do not fit the image
     */
    static Parsed parse(String type, JsonNode m, SessionState state, BlobStore blobs) {
        switch (type) {
            case "add_point": {
                PointPair p = pair(m, state);
                return new Parsed(type, null, r -> new SessionCommand.AddPoint(p, r));
            }
            case "move_point": {
                int id = pointId(m);
                PointPair p = pair(m, state);
                return new Parsed(type, id, r -> new SessionCommand.MovePoint(id, p, r));
            }
            case "remove_point": {
                int id = pointId(m);
                return new Parsed(type, id, r -> new SessionCommand.RemovePoint(id, r));
            }
            case "set_mask": {
                JsonNode png = m.path("png");
                if (png.isMissingNode() || png.isNull()) {
                    return new Parsed(type, null, r -> new SessionCommand.SetMask(null, r));
                }
                if (!png.isTextual()) {
                    throw new BadRequest("'png' must be a base64 PNG string or null");
                }
                byte[] bytes;
                try {
                    bytes = Base64.getDecoder().decode(png.asText());
                } catch (IllegalArgumentException e) {
                    throw new BadRequest("'png' is not base64: " + e.getMessage());
                }
                String hash = storeMask(bytes, state, blobs);
                return new Parsed(type, null, r -> new SessionCommand.SetMask(hash, r));
            }
            case "set_prompt": {
                JsonNode prompt = m.path("prompt");
                if (!prompt.isTextual()) {
                    throw new BadRequest("'prompt' must be a string");
                }
                String text = prompt.asText();
                return new Parsed(type, null, r -> new SessionCommand.SetPrompt(text, r));
            }
            case "start":
                return new Parsed(type, null, SessionCommand.Start::new);
            case "pause":
                return new Parsed(type, null, SessionCommand.Pause::new);
            case "resume":
                return new Parsed(type, null, SessionCommand.Resume::new);
            case "cancel":
                return new Parsed(type, null, SessionCommand.Cancel::new);
            case "restart":
                return new Parsed(type, null, SessionCommand.Restart::new);
            case "undo":
                return new Parsed(type, null, SessionCommand.Undo::new);
            case "redo":
                return new Parsed(type, null, SessionCommand.Redo::new);
            default:
                throw new BadRequest("unknown message type '" + type + "'");
        }
    }

    /**
     * Decodes a mask PNG, checks it has the image's size and stores it (one byte per pixel);
     * returns its hash.
     */
    static String storeMask(byte[] png, SessionState state, BlobStore blobs) {
        requireImage(state);
        EditMask mask;
        try {
            mask = MaskImage.decode(png, "the mask", MAX_MASK_PIXELS);
        } catch (IOException e) {
            throw new BadRequest(e.getMessage());
        }
        if (mask.width() != state.spec().width() || mask.height() != state.spec().height()) {
            throw new BadRequest("the mask is " + mask.sizeText() + " but the image is " + state.spec().width() + "x"
                    + state.spec().height());
        }
        return SpecRequests.storeMask(blobs, mask.editable());
    }

    private static PointPair pair(JsonNode m, SessionState state) {
        requireImage(state);
        double[] h = xy(m, "handle");
        double[] t = xy(m, "target");
        PointPair p = new PointPair(h[0], h[1], t[0], t[1]);
        int w = state.spec().width();
        int hh = state.spec().height();
        if (!p.inside(w, hh)) {
            throw new BadRequest("the point (" + h[0] + ", " + h[1] + ") -> (" + t[0] + ", " + t[1]
                    + ") lies outside the " + w + "x" + hh + " image (x in 0.." + (w - 1) + ", y in 0.." + (hh - 1) + ")");
        }
        return p;
    }

    private static double[] xy(JsonNode m, String key) {
        JsonNode a = m.path(key);
        if (!a.isArray() || a.size() != 2 || !a.get(0).isNumber() || !a.get(1).isNumber()) {
            throw new BadRequest("'" + key + "' must be [x, y] in image pixels");
        }
        double x = a.get(0).asDouble();
        double y = a.get(1).asDouble();
        if (!Double.isFinite(x) || !Double.isFinite(y)) {
            throw new BadRequest("'" + key + "' must be finite");
        }
        return new double[] {x, y};
    }

    private static int pointId(JsonNode m) {
        JsonNode id = m.path("id");
        if (!id.isInt()) {
            throw new BadRequest("'id' must be a point id (an integer)");
        }
        return id.asInt();
    }

    private static void requireImage(SessionState state) {
        if (state.spec() == null) {
            throw new BadRequest("the session has no image yet");
        }
    }
}
