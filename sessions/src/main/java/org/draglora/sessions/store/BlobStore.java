package org.draglora.sessions.store;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * A content-addressed store on disk for what events must not carry: images, masks, previews, LoRA
 * and latent tensors. A blob's name is the SHA-256 of its bytes, so events refer to it by hash,
 * writing the same bytes twice stores them once, and a blob never changes after it is written.
 *
 * <p>Writes go to a temporary file that is moved into place, so a crash never leaves a partial blob
 * under a valid name; reads check the hash, so a corrupted file is reported, not returned. Blobs
 * live under {@code root/ab/abcdef...} (the first two hex digits fan out the directories). Safe for
 * concurrent use by several threads and processes.
 */
public final class BlobStore {

    private static final Pattern HASH = Pattern.compile("[0-9a-f]{64}");

    private final Path root;

    /** A store under {@code root}, created if missing. */
    public BlobStore(Path root) {
        this.root = root;
        try {
            Files.createDirectories(root);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the blob store " + root + ": " + e.getMessage(), e);
        }
    }

    /** Stores {@code bytes} and returns their hash (64 lowercase hex digits). */
    public String put(byte[] bytes) {
        String hash = hash(bytes);
        Path file = file(hash);
        if (Files.isRegularFile(file)) {
            return hash;
        }
        try {
            Files.createDirectories(file.getParent());
            Path tmp = Files.createTempFile(file.getParent(), hash.substring(0, 8), ".part");
            try {
                Files.write(tmp, bytes);
                try {
                    Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE);
                } catch (AtomicMoveNotSupportedException e) {
                    Files.move(tmp, file);
                }
            } catch (FileAlreadyExistsException e) {
                // another writer stored the same bytes first
            } finally {
                Files.deleteIfExists(tmp);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot store a blob of " + bytes.length + " bytes in " + root + ": "
                    + e.getMessage(), e);
        }
        return hash;
    }

    /** The blob's bytes, or empty when the store has no such blob. */
    public Optional<byte[]> get(String hash) {
        Path file = file(hash);
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read blob " + hash + ": " + e.getMessage(), e);
        }
        if (!hash(bytes).equals(hash)) {
            throw new IllegalStateException("blob " + hash + " is corrupted: " + file + " does not hash to its name");
        }
        return Optional.of(bytes);
    }

    /** The blob's bytes; fails with the hash when the store has no such blob. */
    public byte[] require(String hash) {
        return get(hash).orElseThrow(() -> new IllegalStateException("blob " + hash + " is missing from " + root));
    }

    /** Whether the store has the blob. */
    public boolean contains(String hash) {
        return Files.isRegularFile(file(hash));
    }

    /** The SHA-256 of {@code bytes} in lowercase hex. */
    public static String hash(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("this JVM has no SHA-256", e);
        }
    }

    private Path file(String hash) {
        if (!HASH.matcher(hash).matches()) {
            throw new IllegalArgumentException("not a blob hash (64 lowercase hex digits): '" + hash + "'");
        }
        return root.resolve(hash.substring(0, 2)).resolve(hash);
    }
}
