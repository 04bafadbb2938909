package org.draglora.engine.io;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Reads DragBench samples (ALGORITHM.md §11.1): {@code <root>/<category>/<sample>/} with
 * {@code original_image.png} and {@code meta_data.pkl}, a pickle of
 * {@code {'prompt': str, 'points': [[x, y], ...], 'mask': ndarray}} as written by DragDiffusion's
 * {@code drag_bench_evaluation/labeling_tool.py} (and by the DragLoRA UI, §14.1).
 *
 * <p>Interpretation, as the reference loaders do it ({@code DL:run_dragbench_draglora.py:207-222}):
 * {@code points} alternate handle, target, ... in image pixels (an odd count is an error; numpy
 * scalars and an (N, 2) array are accepted too); {@code mask} is H x W, uint8 {0, 1} or a float32
 * zero array, and a pixel is editable where {@code mask / 255 > 0}, i.e. where it is greater than 0.
 * The mask must have the image's size and every point must lie on the image. {@code user_drag.png}
 * (a visualisation) is not read. Every error is an {@link IOException} naming the sample folder or file.
 */
public final class DragBenchReader {

    /** The source image of a sample. */
    public static final String IMAGE_FILE = "original_image.png";
    /** The pickle with prompt, points and mask. */
    public static final String META_FILE = "meta_data.pkl";

    private DragBenchReader() {}

    /** Reads one sample folder. */
    public static DragSample read(Path sampleDir) throws IOException {
        SampleDirs.requireFiles(sampleDir, IMAGE_FILE, META_FILE);
        RgbImage image = ImageTensors.read(sampleDir.resolve(IMAGE_FILE));
        Path metaFile = sampleDir.resolve(META_FILE);
        Object meta = PickleReader.read(metaFile);
        try {
            if (!(meta instanceof Map)) {
                throw new IllegalArgumentException("holds a " + PickleText.typeName(meta) + ", not a dict");
            }
            Map<?, ?> dict = (Map<?, ?>) meta;
            Object prompt = require(dict, "prompt");
            if (!(prompt instanceof String)) {
                throw new IllegalArgumentException("'prompt' is a " + PickleText.typeName(prompt) + ", not a str");
            }
            List<PointPair> pairs = PointPairs.fromAlternating(PointPairs.pointsFromValue(require(dict, "points"),
                    "'points'"));
            if (pairs.isEmpty()) {
                throw new IllegalArgumentException("'points' is empty");
            }
            Object maskValue = require(dict, "mask");
            if (!(maskValue instanceof NdArray)) {
                throw new IllegalArgumentException("'mask' is a " + PickleText.typeName(maskValue)
                        + ", not a numpy array");
            }
            EditMask mask = EditMask.fromNdArray((NdArray) maskValue);
            return new DragSample(image, mask, (String) prompt, pairs);
        } catch (IllegalArgumentException e) {
            throw new IOException(metaFile + ": " + e.getMessage(), e);
        }
    }

    /**
     * The sample folders under a benchmark root, sorted: {@code <root>/<category>/<sample>/} (and
     * samples directly under {@code root}, as in the flat DragBench-SR layout). A sample folder is
     * one holding both {@value #IMAGE_FILE} and {@value #META_FILE}; hidden entries such as
     * {@code .DS_Store} and anything else are skipped.
     */
    public static List<Path> list(Path root) throws IOException {
        return SampleDirs.list(root, dir -> SampleDirs.hasFiles(dir, IMAGE_FILE, META_FILE), true);
    }

    private static Object require(Map<?, ?> dict, String key) {
        if (!dict.containsKey(key)) {
            throw new IllegalArgumentException("no '" + key + "' entry (keys: " + dict.keySet() + ")");
        }
        return dict.get(key);
    }
}
