package org.draglora.engine.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Path;
import org.draglora.engine.weights.SafetensorsFile;

/**
 * The golden fixtures produced by the reference Python implementations (diffusers, transformers,
 * CLIP), copied from {@code ../shared/fixtures} into {@code src/test/resources/fixtures}; see the
 * README there for the calls that produced each tensor.
 */
public final class Fixtures {

    private Fixtures() {}

    /** The path of a fixture file or folder, for example {@code unet-tiny/config.json}. */
    public static Path path(String relative) {
        URL url = Fixtures.class.getResource("/fixtures/" + relative);
        if (url == null) {
            throw new IllegalArgumentException("no fixture " + relative);
        }
        try {
            return Path.of(url.toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Opens a fixture safetensors file; the caller closes it. */
    public static SafetensorsFile open(String relative) {
        try {
            return SafetensorsFile.open(path(relative));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
