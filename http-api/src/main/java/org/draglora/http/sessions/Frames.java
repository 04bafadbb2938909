package org.draglora.http.sessions;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Base64;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.draglora.engine.io.ImageTensors;
import org.draglora.engine.io.RgbImage;
import org.draglora.sessions.store.BlobStore;

/**
 * Images of a session as PNG: the input, results and the preview frames of the timeline, which the
 * blob store keeps as raw RGB bytes. A preview is the latent decoded cheaply, so it is smaller than
 * the image by the VAE's factor (8 for SD 1.5, 4 for the embedded model), except the last frame,
 * which is the result itself; its size follows from its byte count and the image's aspect.
 */
public final class Frames {

    /** Recent previews as data URLs: every client of a session gets the same frame, encoded once. */
    private static final int CACHED_DATA_URLS = 64;

    private final BlobStore blobs;
    private final Map<String, String> dataUrls = Collections.synchronizedMap(
            new LinkedHashMap<String, String>(CACHED_DATA_URLS, 0.75f, true) {
                @Override
                protected boolean removeEldestEntry(Map.Entry<String, String> eldest) {
                    return size() > CACHED_DATA_URLS;
                }
            });

    public Frames(BlobStore blobs) {
        this.blobs = blobs;
    }

    /** The RGB blob {@code hash} of an image of {@code width x height} (or a preview of it) as PNG. */
    public Optional<byte[]> png(String hash, int width, int height) {
        if (hash == null) {
            return Optional.empty();
        }
        return blobs.get(hash).map(rgb -> encode(rgb, width, height));
    }

    /** As {@link #png} as a {@code data:image/png;base64,...} URL, or {@code null}. */
    public String dataUrl(String hash, int width, int height) {
        if (hash == null) {
            return null;
        }
        String cached = dataUrls.get(hash);
        if (cached != null) {
            return cached;
        }
        String url = png(hash, width, height).map(b -> "data:image/png;base64," + Base64.getEncoder().encodeToString(b))
                .orElse(null);
        if (url != null) {
            dataUrls.put(hash, url); // a hash names its content: the entry never goes stale
        }
        return url;
    }

    /** The mask blob {@code hash} (one byte per pixel, non-zero = editable) as a white-on-black PNG. */
    public Optional<byte[]> maskPng(String hash, int width, int height) {
        if (hash == null) {
            return Optional.empty();
        }
        return blobs.get(hash).map(m -> {
            byte[] rgb = new byte[m.length * 3];
            for (int i = 0; i < m.length; i++) {
                byte v = m[i] != 0 ? (byte) 255 : 0;
                rgb[3 * i] = v;
                rgb[3 * i + 1] = v;
                rgb[3 * i + 2] = v;
            }
            return encode(rgb, width, height);
        });
    }

    private static byte[] encode(byte[] rgb, int width, int height) {
        int pixels = rgb.length / 3;
        int w = width;
        int h = height;
        if (pixels != width * height) {
            // a latent preview: both sides divided by the same factor
            double factor = Math.sqrt((double) width * height / pixels);
            w = (int) Math.round(width / factor);
            h = (int) Math.round(height / factor);
            if (w * h != pixels) {
                throw new IllegalStateException("a frame of " + pixels + " pixels does not fit a " + width + "x" + height
                        + " image");
            }
        }
        try {
            return ImageTensors.encodePng(new RgbImage(w, h, rgb));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
