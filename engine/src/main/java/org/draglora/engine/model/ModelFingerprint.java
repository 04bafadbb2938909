package org.draglora.engine.model;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;

/**
 * A content fingerprint of a model path, cheap enough to take on every start: SHA-256 over each
 * weights and config file's name, size, first and last MiB (the first MiB holds a safetensors
 * file's whole header: every tensor name, shape and offset). Used as part of cache keys, so a
 * cached RecLoRA is never applied to other weights. The folder's drag settings
 * ({@link #DRAG_SETTINGS_FILE}) are not part of it: they do not change the weights, and what of
 * them a RecLoRA depends on (its LoRA targets) is in the RecLoRA settings of the cache key, so
 * tuning them keeps the cached RecLoRAs.
 */
public final class ModelFingerprint {

    private static final int CHUNK = 1 << 20;

    /** The per-model drag settings file (the edit package's {@code ModelDragDefaults.FILE}), left out. */
    public static final String DRAG_SETTINGS_FILE = "draglora.json";

    private ModelFingerprint() {}

    /** The hex fingerprint of {@code mp} (and of its config folder, for single files). */
    public static String of(ModelPath mp) throws IOException {
        MessageDigest sha = sha256();
        if (mp.kind() == ModelPath.Kind.SINGLE_FILE) {
            add(sha, mp.path(), mp.path().getFileName().toString());
            if (mp.configRoot() != null) {
                addTree(sha, mp.configRoot());
            }
        } else {
            addTree(sha, mp.path());
        }
        return HexFormat.of().formatHex(sha.digest());
    }

    private static void addTree(MessageDigest sha, Path root) throws IOException {
        List<Path> files;
        try (Stream<Path> walk = Files.walk(root)) {
            files = walk.filter(Files::isRegularFile)
                    .filter(p -> p.toString().endsWith(".safetensors") || p.toString().endsWith(".json")
                            || p.toString().endsWith(".txt"))
                    .filter(p -> !root.relativize(p).toString().equals(DRAG_SETTINGS_FILE))
                    .sorted().toList();
        }
        for (Path f : files) {
            add(sha, f, root.relativize(f).toString());
        }
    }

    private static void add(MessageDigest sha, Path file, String name) throws IOException {
        sha.update(name.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "r")) {
            long size = raf.length();
            sha.update(Long.toString(size).getBytes(java.nio.charset.StandardCharsets.UTF_8));
            byte[] head = new byte[(int) Math.min(CHUNK, size)];
            raf.readFully(head);
            sha.update(head);
            if (size > CHUNK) {
                byte[] tail = new byte[(int) Math.min(CHUNK, size - CHUNK)];
                raf.seek(size - tail.length);
                raf.readFully(tail);
                sha.update(tail);
            }
        }
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every Java runtime", e);
        }
    }
}
