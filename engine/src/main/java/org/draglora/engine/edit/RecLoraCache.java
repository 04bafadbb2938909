package org.draglora.engine.edit;

import ai.djl.ndarray.NDManager;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Optional;
import org.draglora.engine.lora.LoraIo;
import org.draglora.engine.lora.LoraSet;
import org.draglora.engine.unet.UNet2DConditionModel;

/**
 * RecLoRA weights on disk, keyed by a content hash of everything that determines them: the model's
 * fingerprint, the image (size and pixels), the prompt, the RecLoRA settings and the seed. A second
 * edit of the same image with the same model skips the fitting. Files are PEFT safetensors,
 * written atomically.
 */
public final class RecLoraCache {

    private final Path dir;

    public RecLoraCache(Path dir) {
        this.dir = dir;
    }

    /** The cache key of one fitting. */
    public static String key(String modelFingerprint, byte[] rgb, int width, int height, String prompt,
            RecLoraSettings settings, long seed) {
        MessageDigest sha;
        try {
            sha = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        sha.update(("reclora-v1|" + modelFingerprint + "|" + width + "x" + height + "|" + settings.cacheDescription() + "|"
                + seed + "|")
                .getBytes(StandardCharsets.UTF_8));
        sha.update(ByteBuffer.allocate(4).putInt(prompt.length()).array());
        sha.update(prompt.getBytes(StandardCharsets.UTF_8));
        sha.update(rgb);
        return HexFormat.of().formatHex(sha.digest());
    }

    /** Where the LoRA of {@code key} lives. */
    public Path file(String key) {
        return dir.resolve("reclora-" + key + ".safetensors");
    }

    /** The cached LoRA, if any, loaded for {@code unet} into {@code manager}. */
    public Optional<LoraSet> load(String key, UNet2DConditionModel unet, NDManager manager) throws IOException {
        Path f = file(key);
        return Files.isRegularFile(f) ? Optional.of(LoraIo.load(f, unet, manager)) : Optional.empty();
    }

    /** Stores a fitted LoRA. */
    public void store(String key, LoraSet lora) throws IOException {
        Files.createDirectories(dir);
        LoraIo.save(lora, file(key), LoraIo.Naming.PEFT);
    }
}
