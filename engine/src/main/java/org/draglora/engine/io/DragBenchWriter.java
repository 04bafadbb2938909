package org.draglora.engine.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes DragBench samples (ALGORITHM.md §11.1) that {@link DragBenchReader} and the reference
 * loaders read back: a folder with {@code original_image.png} and {@code meta_data.pkl}, the pickle
 * of {@code {'prompt': str, 'points': [[x, y], ...], 'mask': ndarray}} that DragDiffusion's
 * {@code drag_bench_evaluation/labeling_tool.py} ({@code save_all}) writes.
 *
 * <p>As the labelling tool stores them: {@code points} is a flat list alternating handle, target,
 * handle, target, ... of {@code [x, y]} lists in image pixels (gradio's click indices, Python ints;
 * a fractional coordinate is written as a float, which the readers accept too); {@code mask} is an
 * H x W {@code uint8} array, 1 where editable and 0 elsewhere ({@code np.uint8(mask > 0)}). Where
 * the tool would store a float32 array of zeros for a mask nobody drew, this writes uint8 zeros,
 * which every reader interprets the same. The pickle is protocol 3 ({@link PickleWriter}) rather
 * than the tool's protocol 4 (Python 3.8+'s default); Python reads both alike. {@code user_drag.png}
 * (a visualisation nothing reads) is not written.
 */
public final class DragBenchWriter {

    private DragBenchWriter() {}

    /**
     * The {@code meta_data.pkl} bytes for a task: at least one point pair, every point on the
     * mask's (that is, the image's) pixel grid; otherwise an IllegalArgumentException, as
     * {@link DragBenchReader} would refuse the sample.
     */
    public static byte[] metaData(String prompt, List<PointPair> points, EditMask mask) {
        if (prompt == null || points == null || mask == null) {
            throw new IllegalArgumentException("prompt, points and mask must not be null");
        }
        if (points.isEmpty()) {
            throw new IllegalArgumentException("a DragBench sample needs at least one point pair");
        }
        List<Object> flat = new ArrayList<>(2 * points.size());
        for (int i = 0; i < points.size(); i++) {
            PointPair p = points.get(i);
            if (p == null) {
                throw new IllegalArgumentException("points must not contain null");
            }
            if (!p.isInside(mask.width(), mask.height())) {
                throw new IllegalArgumentException("point pair " + (i + 1) + " (" + PointPairs.format(List.of(p))
                        + ") is outside the " + mask.sizeText() + " mask");
            }
            flat.add(point(p.handleX(), p.handleY()));
            flat.add(point(p.targetX(), p.targetY()));
        }
        Map<String, Object> meta = new LinkedHashMap<>(); // the labelling tool's key order
        meta.put("prompt", prompt);
        meta.put("points", flat);
        meta.put("mask", maskArray(mask));
        return PickleWriter.toBytes(meta);
    }

    /**
     * Writes {@code sample} into {@code dir} as {@value DragBenchReader#IMAGE_FILE} and
     * {@value DragBenchReader#META_FILE}, creating the folder and its parents and replacing those
     * files if present (each atomically). A sample without points is an IllegalArgumentException,
     * raised before anything is written.
     */
    public static void write(DragSample sample, Path dir) throws IOException {
        byte[] meta = metaData(sample.prompt(), sample.points(), sample.mask());
        Files.createDirectories(dir);
        ImageTensors.writePng(sample.image(), dir.resolve(DragBenchReader.IMAGE_FILE));
        ImageFiles.writeAtomically(dir.resolve(DragBenchReader.META_FILE), meta);
    }

    /** {@code [x, y]}: integral coordinates as Python ints (as DragBench has them), others as floats. */
    private static List<Object> point(double x, double y) {
        List<Object> xy = new ArrayList<>(2);
        xy.add(coordinate(x));
        xy.add(coordinate(y));
        return xy;
    }

    private static Object coordinate(double v) {
        // -0.0 stays a float so that it reads back as the same double
        boolean integral = v == Math.rint(v) && Math.abs(v) < 0x1p53 && Double.doubleToRawLongBits(v) != NEGATIVE_ZERO;
        return integral ? (Object) (long) v : (Object) v;
    }

    private static final long NEGATIVE_ZERO = Double.doubleToRawLongBits(-0.0);

    /** The mask as numpy {@code uint8} of shape (H, W), C order, 1 = editable. */
    private static NdArray maskArray(EditMask mask) {
        boolean[] flags = mask.flags();
        byte[] values = new byte[flags.length];
        for (int i = 0; i < flags.length; i++) {
            values[i] = (byte) (flags[i] ? 1 : 0);
        }
        return new NdArray("|u1", new long[] {mask.height(), mask.width()}, false, ByteBuffer.wrap(values));
    }
}
