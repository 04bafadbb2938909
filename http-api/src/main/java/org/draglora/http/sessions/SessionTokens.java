package org.draglora.http.sessions;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * The sessions this server knows and their capability tokens. Each session has a random edit
 * token (change everything) and a view token derived from it (read only); only their SHA-256
 * hashes are stored, one
 * small JSON file per session under {@code <data-dir>/sessions/}, written atomically, so they
 * survive restarts and a stolen data directory does not give the tokens away.
 */
public final class SessionTokens {

    /** What a token allows. */
    public enum Capability { EDIT, VIEW }

    /** A new session's id and tokens (the only time the tokens exist in clear). */
    public record Issued(String id, String editToken, String viewToken) {}

    private static final Pattern ID = Pattern.compile("[a-z0-9]{16}");
    private static final String ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789";

    private final Path dir;
    private final SecureRandom random = new SecureRandom();
    private final ObjectMapper json = new ObjectMapper();
    /** The records read or written so far: they never change, so a request reads no file twice. */
    private final Map<String, ObjectNode> records = new ConcurrentHashMap<>();

    /** Tokens stored under {@code dir} (created if missing). */
    public SessionTokens(Path dir) {
        this.dir = dir;
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + dir, e);
        }
    }

    /** Registers a new session with fresh random tokens. */
    public synchronized Issued issue() {
        String id;
        do {
            id = randomString(16);
        } while (Files.exists(file(id)));
        String edit = randomString(32);
        Issued issued = new Issued(id, edit, viewTokenFor(edit));
        ObjectNode node = json.createObjectNode();
        node.put("id", id);
        node.put("edit", sha256(issued.editToken()));
        node.put("view", sha256(issued.viewToken()));
        node.put("created", Instant.now().toString());
        try {
            Path tmp = Files.createTempFile(dir, id, ".tmp");
            Files.write(tmp, json.writeValueAsBytes(node));
            Files.move(tmp, file(id), StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot register session " + id + " in " + dir, e);
        }
        records.put(id, node);
        return issued;
    }

    /** Forgets session {@code id} (one whose opening failed). */
    public synchronized void forget(String id) {
        records.remove(id);
        try {
            Files.deleteIfExists(file(id));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot remove session " + id + " from " + dir, e);
        }
    }

    /** Whether session {@code id} exists. */
    public boolean exists(String id) {
        return id != null && ID.matcher(id).matches() && (records.containsKey(id) || Files.isRegularFile(file(id)));
    }

    /** What {@code token} allows on session {@code id}; empty when nothing (unknown session or token). */
    public Optional<Capability> check(String id, String token) {
        if (token == null || !exists(id)) {
            return Optional.empty();
        }
        ObjectNode node = records.computeIfAbsent(id, this::read);
        byte[] given = sha256(token).getBytes(StandardCharsets.US_ASCII);
        // constant-time comparisons: the answer must not leak how much of a token matched
        if (MessageDigest.isEqual(given, node.path("edit").asText().getBytes(StandardCharsets.US_ASCII))) {
            return Optional.of(Capability.EDIT);
        }
        if (MessageDigest.isEqual(given, node.path("view").asText().getBytes(StandardCharsets.US_ASCII))) {
            return Optional.of(Capability.VIEW);
        }
        return Optional.empty();
    }

    private ObjectNode read(String id) {
        try {
            return (ObjectNode) json.readTree(file(id).toFile());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the tokens of session " + id, e);
        }
    }

    /**
     * The view token that belongs to {@code editToken}: derived from it (a hash), so whoever may
     * edit can always hand out the view link, while the view token reveals nothing of the edit token.
     */
    public static String viewTokenFor(String editToken) {
        return sha256("draglora-view-token:" + editToken).substring(0, 32);
    }

    private Path file(String id) {
        return dir.resolve(id + ".json");
    }

    private String randomString(int length) {
        StringBuilder b = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            b.append(ALPHABET.charAt(random.nextInt(ALPHABET.length())));
        }
        return b.toString();
    }

    private static String sha256(String s) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
