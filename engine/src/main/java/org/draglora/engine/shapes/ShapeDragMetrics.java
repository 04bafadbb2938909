package org.draglora.engine.shapes;

import java.util.ArrayList;
import java.util.List;
import org.draglora.engine.io.EditMask;
import org.draglora.engine.io.PointPair;
import org.draglora.engine.io.RgbImage;

/**
 * ShapeDrag edit quality, measured on an output image by colour segmentation against the task's known scene.
 *
 * <p>For each point pair, the dragged object's pixels are those inside the edit mask whose colour lies within
 * the tolerance of the object's colour segment (fill to shade, see {@link ColourSegmentation}); every object in
 * a task has a colour of its own, and the objects that are not dragged lie outside the mask. The same rule
 * applied to the ideal image gives the reference pixels, so an output equal to the ideal image scores exactly.
 * <ul>
 *   <li><b>Handle error.</b> The flagged output pixels split into 8-connected components; components smaller
 *       than {@link #MIN_BLOB_FRACTION} of the reference area (or 3 pixels) are debris and ignored. Each
 *       component gives an estimate of where the handle's point of the object ended up: for moves, target +
 *       (component centroid - reference centroid); for STRETCH, the same across the object's axis, and along it
 *       the point at the same standardised position ({@code (target - mean) / standard deviation} of the
 *       reference pixels' projections), which follows the handle through any stretch or move along the axis.
 *       The component whose estimate lies closest to the target wins; the error is that distance.</li>
 *   <li><b>Vanished object.</b> No component left: the object counts as not moved, the error is the initial
 *       distance, and {@link PairResult#found()} is false. (An object that is gone did not reach its target;
 *       scoring it like an untouched object keeps the mean error between 0 and the initial distance for every
 *       failure that is not a move away from the target, and the flag lets a report count these cases.)</li>
 *   <li><b>IoU.</b> All flagged output pixels (debris included, so a copy left behind counts against it)
 *       against the reference pixels.</li>
 *   <li><b>Background PSNR.</b> Over the pixels outside the mask, input against output, all three channels,
 *       8-bit peak 255, capped at {@link #PSNR_CAP_DB} (also when nothing lies outside the mask).</li>
 * </ul>
 */
public final class ShapeDragMetrics {

    /** Default colour tolerance, RGB Euclidean distance. Objects keep at least 85 from the backgrounds. */
    public static final double DEFAULT_COLOUR_TOLERANCE = 50;

    /** PSNR reported for identical backgrounds. */
    public static final double PSNR_CAP_DB = 100;

    /** Smallest component, as a fraction of the reference area, that counts as the object. */
    public static final double MIN_BLOB_FRACTION = 0.1;

    private final double tolerance;

    /** Metrics with the default colour tolerance. */
    public ShapeDragMetrics() {
        this(DEFAULT_COLOUR_TOLERANCE);
    }

    /** Metrics with the given colour tolerance (RGB distance, positive). */
    public ShapeDragMetrics(double colourTolerance) {
        if (!(colourTolerance > 0) || !Double.isFinite(colourTolerance)) {
            throw new IllegalArgumentException("colour tolerance must be positive, got " + colourTolerance);
        }
        this.tolerance = colourTolerance;
    }

    /** The colour tolerance in use. */
    public double colourTolerance() {
        return tolerance;
    }

    /** Measures one output image of the task. */
    public CaseResult evaluate(DragTask task, RgbImage output) {
        if (task == null || output == null) {
            throw new IllegalArgumentException("task and output must not be null");
        }
        int w = task.scene().width();
        int h = task.scene().height();
        if (output.width() != w || output.height() != h) {
            throw new IllegalArgumentException("the output is " + output.sizeText() + " but the task is " + w + "x" + h);
        }
        boolean[] region = task.mask().editable();
        byte[] out = output.rgb();
        byte[] ideal = task.idealImage().rgb();
        List<PairResult> pairs = new ArrayList<>();
        for (int i = 0; i < task.points().size(); i++) {
            int index = task.objectIndices().get(i);
            pairs.add(pair(task, i, task.idealScene().objects().get(index), region, out, ideal, w, h));
        }
        return new CaseResult(task.kind(), pairs, backgroundPsnr(task.image(), output, task.mask()));
    }

    private PairResult pair(DragTask task, int i, ShapeObject object, boolean[] region, byte[] out, byte[] ideal,
            int w, int h) {
        PointPair p = task.points().get(i);
        int index = task.objectIndices().get(i);
        double initial = task.initialDistance(i);
        boolean[] refFlags = ColourSegmentation.match(ideal, region, object, tolerance);
        ColourSegmentation.Blob ref = ColourSegmentation.blob(refFlags, w);
        if (ref.area() == 0) {
            throw new IllegalStateException("object " + index + " is not visible in the ideal image at colour tolerance "
                    + tolerance);
        }
        boolean[] outFlags = ColourSegmentation.match(out, region, object, tolerance);
        double minArea = Math.max(3, MIN_BLOB_FRACTION * ref.area());
        boolean stretch = task.kind() == DragKind.STRETCH;
        double ux = object.axisX();
        double uy = object.axisY();
        double bestX = p.handleX();
        double bestY = p.handleY();
        double bestError = Double.POSITIVE_INFINITY;
        for (ColourSegmentation.Blob b : ColourSegmentation.components(outFlags, w, h)) {
            if (b.area() < minArea) {
                continue;
            }
            double ex = p.targetX() + b.meanX() - ref.meanX();
            double ey = p.targetY() + b.meanY() - ref.meanY();
            if (stretch) {
                double refSpread = ref.spread(ux, uy);
                double t = ((p.targetX() - ref.meanX()) * ux + (p.targetY() - ref.meanY()) * uy) / refSpread;
                double along = (b.meanX() * ux + b.meanY() * uy) + t * b.spread(ux, uy);
                double alongNow = ex * ux + ey * uy;
                ex += (along - alongNow) * ux;
                ey += (along - alongNow) * uy;
            }
            double err = Math.hypot(ex - p.targetX(), ey - p.targetY());
            if (err < bestError) {
                bestError = err;
                bestX = ex;
                bestY = ey;
            }
        }
        boolean found = bestError != Double.POSITIVE_INFINITY;
        return new PairResult(index, initial, found ? bestError : initial, found, bestX, bestY,
                iou(outFlags, refFlags));
    }

    private static double iou(boolean[] a, boolean[] b) {
        int inter = 0;
        int union = 0;
        for (int i = 0; i < a.length; i++) {
            inter += a[i] && b[i] ? 1 : 0;
            union += a[i] || b[i] ? 1 : 0;
        }
        return union == 0 ? 0 : inter / (double) union;
    }

    /**
     * PSNR in dB between two images over the pixels outside the mask (all three channels, peak 255), capped at
     * {@link #PSNR_CAP_DB}; the cap also when no pixel lies outside the mask.
     */
    public static double backgroundPsnr(RgbImage input, RgbImage output, EditMask mask) {
        if (input == null || output == null || mask == null) {
            throw new IllegalArgumentException("input, output and mask must not be null");
        }
        if (input.width() != output.width() || input.height() != output.height()) {
            throw new IllegalArgumentException("the input is " + input.sizeText() + " but the output is "
                    + output.sizeText());
        }
        mask.requireSize(input.width(), input.height());
        boolean[] editable = mask.editable();
        byte[] a = input.rgb();
        byte[] b = output.rgb();
        double sum = 0;
        long n = 0;
        for (int i = 0; i < editable.length; i++) {
            if (!editable[i]) {
                for (int c = 0; c < 3; c++) {
                    double d = (a[3 * i + c] & 0xff) - (b[3 * i + c] & 0xff);
                    sum += d * d;
                }
                n += 3;
            }
        }
        if (n == 0 || sum == 0) {
            return PSNR_CAP_DB;
        }
        return Math.min(PSNR_CAP_DB, 10 * Math.log10(255.0 * 255.0 * n / sum));
    }
}
