package org.draglora.engine.shapes;

import java.util.Arrays;
import org.draglora.engine.io.RgbImage;

/**
 * Whether a picture shows the shape a prompt names: the measure behind {@code draglora bench samples}.
 *
 * <p>The prompted object is found by its colours ({@link ColourSegmentation}, the tolerance of
 * ShapeDrag's metric); its largest 8-connected component is the drawn object. Every kind of shape,
 * upright and with the prompted object's stretch, is then fitted to that component: centres within a
 * pixel of its centroid (half-pixel steps) and sizes from 0.4 to 1.1 times the square root of its area
 * (which holds every kind's size for that area: a disc of size s covers 3.1 s^2 pixels, a star 1.1 s^2),
 * each scored by IoU with the component. The drawn shape is the kind with the best fit; a clean sample of
 * "a red square" is a red component whose best fit is a square, with an IoU near 1. A blob fits a disc
 * or an ellipse best whatever the prompt says.
 */
public final class SampleShapeFit {

    /** Components smaller than this many pixels are noise, not a drawn object (a size-3 disc has 28). */
    public static final int MIN_AREA_PX = 6;

    /** Centre offsets tried around the component's centroid, in pixels. */
    private static final double[] OFFSETS = {-1, -0.5, 0, 0.5, 1};

    /** Sizes tried, as multiples of the square root of the component's area: 0.40, 0.45, ..., 1.10. */
    private static final int SIZE_STEPS = 15;
    private static final double SIZE_FROM = 0.40;
    private static final double SIZE_STEP = 0.05;

    /**
     * The fit of one prompted object.
     *
     * @param prompted the object the prompt names (its kind, colours and stretch)
     * @param area pixels of the drawn object's component; 0 when none was found
     * @param bestKind the kind that fits the component best (null when none was found)
     * @param promptedIou the best IoU of the prompted kind (0 when none was found)
     * @param bestIou the best IoU of any kind
     */
    public record Fit(ShapeObject prompted, int area, ShapeKind bestKind, double promptedIou, double bestIou) {

        /** Whether an object of the prompted colours was drawn at all. */
        public boolean found() {
            return area > 0;
        }

        /** Whether the drawn object is best fitted by the prompted kind. */
        public boolean kindRight() {
            return found() && bestKind == prompted.kind();
        }
    }

    /** Templates are only masks; their colour is never read. */
    private static final ShapeColour TEMPLATE_COLOUR = new ShapeColour("template", 0, 0, 0);

    private SampleShapeFit() {}

    /** Fits every kind to where {@code image} shows {@code prompted}'s colours. */
    public static Fit fit(RgbImage image, ShapeObject prompted) {
        int w = image.width();
        int h = image.height();
        boolean[] everywhere = new boolean[w * h];
        Arrays.fill(everywhere, true);
        boolean[] drawn = ColourSegmentation.largestComponent(
                ColourSegmentation.match(image.rgb(), everywhere, prompted, ShapeDragMetrics.DEFAULT_COLOUR_TOLERANCE), w, h);
        ColourSegmentation.Blob blob = ColourSegmentation.blob(drawn, w);
        if (blob.area() < MIN_AREA_PX) {
            return new Fit(prompted, 0, null, 0, 0);
        }
        ShapeKind bestKind = null;
        double bestIou = -1;
        double promptedIou = 0;
        for (ShapeKind kind : ShapeKind.values()) {
            double iou = bestPlacement(drawn, blob, kind, prompted.stretch(), w, h);
            if (iou > bestIou) {
                bestIou = iou;
                bestKind = kind;
            }
            if (kind == prompted.kind()) {
                promptedIou = iou;
            }
        }
        return new Fit(prompted, blob.area(), bestKind, promptedIou, bestIou);
    }

    /** The best IoU of an upright {@code kind} over the centres and sizes tried. */
    private static double bestPlacement(boolean[] drawn, ColourSegmentation.Blob blob, ShapeKind kind, double stretch,
            int w, int h) {
        double root = Math.sqrt(blob.area());
        double best = 0;
        for (int s = 0; s < SIZE_STEPS; s++) {
            double size = root * (SIZE_FROM + SIZE_STEP * s);
            for (double dy : OFFSETS) {
                for (double dx : OFFSETS) {
                    double cx = blob.meanX() + dx;
                    double cy = blob.meanY() + dy;
                    ShapeObject template = new ShapeObject(kind, cx, cy, size, 0, stretch, TEMPLATE_COLOUR, Texture.SOLID,
                            TEMPLATE_COLOUR);
                    best = Math.max(best, iou(drawn, blob.area(), template, w, h));
                }
            }
        }
        return best;
    }

    /** IoU between the drawn pixels and the template's (pixels whose centre it holds, as {@link Scene}). */
    private static double iou(boolean[] drawn, int drawnArea, ShapeObject template, int w, int h) {
        int[] insideAndBoth = new int[2];
        template.forEachPixelInside(w, h, p -> {
            insideAndBoth[0]++;
            insideAndBoth[1] += drawn[p] ? 1 : 0;
        });
        int both = insideAndBoth[1];
        return both == 0 ? 0 : (double) both / (insideAndBoth[0] + drawnArea - both);
    }
}
