package org.draglora.engine.io;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Reads Drag100 samples, the benchmark introduced with GoodDrag (Zhang, Liu, Chen, Xu, "GoodDrag:
 * Towards Good Practices for Drag Editing with Diffusion Models", arXiv 2404.07206) and used by the
 * DragLoRA paper.
 *
 * <p>Format, verified from the GoodDrag repository (github zewei-Zhang/GoodDrag, commit
 * fc01bc13c0cdd9ba071108e6131125c8826875c5): its example samples {@code dataset/cat_2/} and
 * {@code dataset/furniture_0/}, its benchmark loader {@code bench_gooddrag.py:load_data}, its
 * metric script {@code evaluation/compute_DAI.py} and its UI's writer
 * {@code utils/ui_utils.py:save_image_mask_points}. A flat root holds one folder per sample
 * ({@code <root>/<sample>/}, names like {@code cat_2}; the loaders skip {@code .ipynb_checkpoints})
 * with:
 * <ul>
 *   <li>{@code original.jpg}: the source image (512x512 JPEG in the examples);</li>
 *   <li>{@code mask.png}: the editable region, written as {@code uint8(mask) * 255} (8-bit
 *       grayscale 0/255); the loader takes channel 0 of a 3-channel mask, then
 *       {@code pipeline.py:prepare_mask} applies {@code / 255} and {@code > 0} (read here with
 *       {@link MaskImage}'s rule);</li>
 *   <li>{@code points.json}: {@code {"points": [[x, y], ...]}}, handle and target points alternating
 *       in image pixels, exactly like DragBench's list;</li>
 *   <li>{@code image_with_points.jpg}: a visualisation (not read).</li>
 * </ul>
 * There is no prompt in the data: GoodDrag's benchmark runs with {@code prompt=''}, so
 * {@link #read(Path)} uses "" ({@link #read(Path, String)} takes another).
 *
 * <p>Assumed, not verified: that the full 100-sample archive (a Google Drive download linked from
 * the GoodDrag README, not reachable here) uses this same layout. The repository's metric script
 * iterates its {@code ./dataset} folder with exactly these file names, which supports it.
 * Every error is an {@link IOException} naming the sample folder or file.
 */
public final class Drag100Reader {

    /** The source image of a sample. */
    public static final String IMAGE_FILE = "original.jpg";
    /** The mask image. */
    public static final String MASK_FILE = "mask.png";
    /** The point list. */
    public static final String POINTS_FILE = "points.json";

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long MAX_JSON_BYTES = 16L << 20;

    private Drag100Reader() {}

    /** Reads one sample folder with the empty prompt GoodDrag's benchmark uses. */
    public static DragSample read(Path sampleDir) throws IOException {
        return read(sampleDir, "");
    }

    /** Reads one sample folder with the given prompt. */
    public static DragSample read(Path sampleDir, String prompt) throws IOException {
        if (prompt == null) {
            throw new IllegalArgumentException("prompt must not be null (use \"\" for none)");
        }
        SampleDirs.requireFiles(sampleDir, IMAGE_FILE, MASK_FILE, POINTS_FILE);
        RgbImage image = ImageTensors.read(sampleDir.resolve(IMAGE_FILE));
        EditMask mask = MaskImage.read(sampleDir.resolve(MASK_FILE), image.width(), image.height());
        Path pointsFile = sampleDir.resolve(POINTS_FILE);
        List<PointPair> pairs;
        try {
            pairs = PointPairs.fromAlternating(PointPairs.pointsFromValue(points(pointsFile), "\"points\""));
            if (pairs.isEmpty()) {
                throw new IllegalArgumentException("\"points\" is empty");
            }
            return new DragSample(image, mask, prompt, pairs);
        } catch (IllegalArgumentException e) {
            throw new IOException(pointsFile + ": " + e.getMessage(), e);
        }
    }

    /**
     * The sample folders directly under {@code root}, sorted. A sample folder holds
     * {@value #IMAGE_FILE}, {@value #MASK_FILE} and {@value #POINTS_FILE}; hidden entries and
     * anything else are skipped.
     */
    public static List<Path> list(Path root) throws IOException {
        return SampleDirs.list(root, dir -> SampleDirs.hasFiles(dir, IMAGE_FILE, MASK_FILE, POINTS_FILE), false);
    }

    private static Object points(Path file) throws IOException {
        if (Files.size(file) > MAX_JSON_BYTES) {
            throw new IOException(file + ": larger than " + MAX_JSON_BYTES + " bytes");
        }
        JsonNode root;
        try {
            root = JSON.readTree(file.toFile());
        } catch (JsonProcessingException e) {
            throw new IOException(file + ": not valid JSON (" + e.getOriginalMessage() + ")", e);
        }
        if (root == null || !root.isObject() || !root.has("points")) {
            throw new IllegalArgumentException("expected an object {\"points\": [[x, y], ...]}");
        }
        return JSON.convertValue(root.get("points"), Object.class);
    }
}
