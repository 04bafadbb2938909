package org.draglora.http.sessions;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;
import javax.imageio.ImageIO;
import org.draglora.engine.io.DragBenchReader;
import org.draglora.engine.io.DragBenchWriter;
import org.draglora.engine.io.EditMask;
import org.draglora.engine.io.ImageTensors;
import org.draglora.engine.io.RgbImage;
import org.draglora.sessions.edit.SessionEvent;
import org.draglora.sessions.edit.SessionState;
import org.draglora.sessions.store.BlobStore;

/**
 * A session as one zip file (docs/api.md, "The session bundle"): the DragBench sample layout
 * ({@code original_image.png}, {@code meta_data.pkl}, {@code user_drag.png}), the result, and
 * {@code session.json} with every event of the session plus {@code blobs/HASH} for every image,
 * mask, frame and LoRA the events name, so that an import recreates the same session.
 */
final class SessionBundle {

    /** The format name in {@code session.json}. */
    static final String FORMAT = "draglora-session";

    /** The format version this code writes and reads. */
    static final int VERSION = 1;

    /** The largest bundle an import unpacks (all entries together). */
    static final long MAX_UNPACKED_BYTES = 512L * 1024 * 1024;

    /** Events as JSON: their record components, not derived {@code isX()} views such as {@code StepSummary.isDrag}. */
    private static final ObjectMapper JSON = JsonMapper.builder().disable(MapperFeature.AUTO_DETECT_IS_GETTERS).build();
    private static final TypeReference<List<SessionEvent>> EVENTS = new TypeReference<>() {};

    /** What an import read: the events, their blobs already in the store. */
    record Imported(List<SessionEvent> events) {}

    private SessionBundle() {}

    /** The bundle of session {@code id}, whose journal holds {@code events} (leading to {@code state}). */
    static byte[] export(String id, List<SessionEvent> events, SessionState state, BlobStore blobs) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
            int w = state.spec().width();
            int h = state.spec().height();
            RgbImage image = new RgbImage(w, h, blobs.require(state.spec().imageHash()));
            put(zip, DragBenchReader.IMAGE_FILE, ImageTensors.encodePng(image));
            List<org.draglora.engine.io.PointPair> points = new ArrayList<>();
            state.points().forEach((pid, p) -> {
                double[] start = Views.start(state, pid, p);
                points.add(new org.draglora.engine.io.PointPair(start[0], start[1], p.targetX(), p.targetY()));
            });
            EditMask mask = state.maskHash() == null ? EditMask.empty(w, h)
                    : EditMask.fromUint8(w, h, blobs.require(state.maskHash()));
            if (!points.isEmpty()) { // a DragBench sample has at least one point pair
                put(zip, DragBenchReader.META_FILE, DragBenchWriter.metaData(state.spec().prompt(), points, mask));
                put(zip, "user_drag.png", userDrag(image, points));
            }
            if (state.resultHash() != null) {
                put(zip, "result.png", ImageTensors.encodePng(new RgbImage(w, h, blobs.require(state.resultHash()))));
            }
            ObjectNode session = JSON.createObjectNode();
            session.put("format", FORMAT);
            session.put("version", VERSION);
            session.put("id", id);
            session.set("events", JSON.readTree(JSON.writerFor(EVENTS).writeValueAsBytes(events)));
            put(zip, "session.json", JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(session));
            for (String hash : SessionEvent.blobHashes(events)) {
                put(zip, "blobs/" + hash, blobs.require(hash));
            }
        }
        return bytes.toByteArray();
    }

    /**
     * Reads a bundle: puts its blobs into {@code blobs} (each must match its name's hash) and
     * returns its events.
     *
     * @throws IllegalArgumentException when the bytes are not a bundle this version reads
     */
    static Imported read(byte[] zipBytes, BlobStore blobs) throws IOException {
        JsonNode session = null;
        long unpacked = 0;
        try (ZipInputStream zip = new ZipInputStream(new ByteArrayInputStream(zipBytes))) {
            ZipEntry e;
            boolean any = false;
            while ((e = zip.getNextEntry()) != null) {
                any = true;
                byte[] data = readLimited(zip, MAX_UNPACKED_BYTES - unpacked);
                unpacked += data.length;
                String name = e.getName();
                if (name.equals("session.json")) {
                    session = JSON.readTree(data);
                } else if (name.startsWith("blobs/")) {
                    String hash = name.substring("blobs/".length());
                    String actual = blobs.put(data);
                    if (!actual.equals(hash)) {
                        throw new IllegalArgumentException("the bundle's " + name + " does not hash to its name");
                    }
                }
            }
            if (!any) {
                throw new IllegalArgumentException("the upload is not a zip file (a session bundle from bundle.zip)");
            }
        }
        if (session == null) {
            throw new IllegalArgumentException("the bundle has no session.json");
        }
        if (!FORMAT.equals(session.path("format").asText()) || session.path("version").asInt() != VERSION) {
            throw new IllegalArgumentException("session.json is not a " + FORMAT + " of version " + VERSION);
        }
        List<SessionEvent> events = JSON.readerFor(EVENTS).readValue(session.path("events"));
        return new Imported(events);
    }

    /** The image with each point drawn: handle red, target blue, an arrow between (DragBench's user_drag.png). */
    private static byte[] userDrag(RgbImage image, List<org.draglora.engine.io.PointPair> points) throws IOException {
        BufferedImage b = ImageTensors.toBufferedImage(image);
        Graphics2D g = b.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        float r = Math.max(1.5f, image.width() / 80f);
        g.setStroke(new BasicStroke(Math.max(1f, r / 2)));
        for (org.draglora.engine.io.PointPair p : points) {
            g.setColor(Color.WHITE);
            g.drawLine((int) Math.round(p.handleX()), (int) Math.round(p.handleY()), (int) Math.round(p.targetX()),
                    (int) Math.round(p.targetY()));
            g.setColor(Color.RED);
            g.fillOval((int) Math.round(p.handleX() - r), (int) Math.round(p.handleY() - r), (int) (2 * r), (int) (2 * r));
            g.setColor(Color.BLUE);
            g.fillOval((int) Math.round(p.targetX() - r), (int) Math.round(p.targetY() - r), (int) (2 * r), (int) (2 * r));
        }
        g.dispose();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(b, "png", out);
        return out.toByteArray();
    }

    private static void put(ZipOutputStream zip, String name, byte[] data) throws IOException {
        zip.putNextEntry(new ZipEntry(name));
        zip.write(data);
        zip.closeEntry();
    }

    private static byte[] readLimited(ZipInputStream zip, long limit) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buf = new byte[64 * 1024];
        int n;
        while ((n = zip.read(buf)) > 0) {
            out.write(buf, 0, n);
            if (out.size() > limit) {
                throw new IllegalArgumentException("the bundle unpacks to more than " + MAX_UNPACKED_BYTES / (1024 * 1024)
                        + " MiB");
            }
        }
        return out.toByteArray();
    }
}
