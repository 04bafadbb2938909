package org.draglora.engine.shapes;

import java.util.ArrayList;
import java.util.List;

/**
 * Finds an object in an image by its colours: a pixel belongs to the object when its RGB value lies within a
 * tolerance of the segment from the object's fill to its second colour (so a gradient, the stripes, and the
 * blends at stripe edges all count, while blends with the background beyond the tolerance do not), and only
 * inside a search region.
 */
final class ColourSegmentation {

    private ColourSegmentation() {
    }

    /** Pixel and moment sums of a set of pixels (pixel centres at whole coordinates). */
    record Blob(int area, double sumX, double sumY, double sumXX, double sumYY, double sumXY) {

        double meanX() {
            return sumX / area;
        }

        double meanY() {
            return sumY / area;
        }

        /** Standard deviation of the pixels' projections on the unit direction (ux, uy). */
        double spread(double ux, double uy) {
            double mx = meanX();
            double my = meanY();
            double vxx = sumXX / area - mx * mx;
            double vyy = sumYY / area - my * my;
            double vxy = sumXY / area - mx * my;
            return Math.sqrt(Math.max(0, ux * ux * vxx + 2 * ux * uy * vxy + uy * uy * vyy));
        }
    }

    /** Flags, row-major, of the region's pixels whose colour is within {@code tolerance} of the object's. */
    static boolean[] match(byte[] rgb, boolean[] region, ShapeObject object, double tolerance) {
        boolean[] out = new boolean[region.length];
        ShapeColour a = object.fill();
        ShapeColour b = object.secondColour();
        for (int i = 0; i < region.length; i++) {
            if (region[i]) {
                out[i] = Palette.distanceToSegment(rgb[3 * i] & 0xff, rgb[3 * i + 1] & 0xff, rgb[3 * i + 2] & 0xff,
                        a, b) <= tolerance;
            }
        }
        return out;
    }

    /** Accumulates the moments of pixels into a {@link Blob}. */
    private static final class Moments {
        private int area;
        private double sx;
        private double sy;
        private double sxx;
        private double syy;
        private double sxy;

        void add(int x, int y) {
            area++;
            sx += x;
            sy += y;
            sxx += (double) x * x;
            syy += (double) y * y;
            sxy += (double) x * y;
        }

        Blob toBlob() {
            return new Blob(area, sx, sy, sxx, syy, sxy);
        }
    }

    /** Moments of all flagged pixels. */
    static Blob blob(boolean[] flags, int w) {
        Moments m = new Moments();
        for (int i = 0; i < flags.length; i++) {
            if (flags[i]) {
                m.add(i % w, i / w);
            }
        }
        return m.toBlob();
    }

    /** The 8-connected components of the flagged pixels. */
    static List<Blob> components(boolean[] flags, int w, int h) {
        int[] labels = new int[flags.length];
        int count = label(flags, w, h, labels);
        Moments[] moments = new Moments[count];
        for (int k = 0; k < count; k++) {
            moments[k] = new Moments();
        }
        for (int p = 0; p < labels.length; p++) {
            if (labels[p] > 0) {
                moments[labels[p] - 1].add(p % w, p / w);
            }
        }
        List<Blob> blobs = new ArrayList<>(count);
        for (Moments m : moments) {
            blobs.add(m.toBlob());
        }
        return blobs;
    }

    /** Flags, row-major, of the largest 8-connected component of the flagged pixels (all false when none is). */
    static boolean[] largestComponent(boolean[] flags, int w, int h) {
        int[] labels = new int[flags.length];
        int[] area = new int[label(flags, w, h, labels) + 1];
        for (int l : labels) {
            area[l]++;
        }
        int best = 0;
        for (int k = 1; k < area.length; k++) {
            if (best == 0 || area[k] > area[best]) {
                best = k;
            }
        }
        boolean[] out = new boolean[flags.length];
        for (int p = 0; p < labels.length; p++) {
            out[p] = best > 0 && labels[p] == best;
        }
        return out;
    }

    /**
     * Labels the 8-connected components of the flagged pixels in {@code labels} (row-major; 0 where
     * unflagged, components 1, 2, ... in the scan order of their first pixel) and returns their count.
     */
    private static int label(boolean[] flags, int w, int h, int[] labels) {
        int count = 0;
        int[] queue = new int[flags.length];
        for (int start = 0; start < flags.length; start++) {
            if (!flags[start] || labels[start] != 0) {
                continue;
            }
            count++;
            int head = 0;
            int tail = 0;
            queue[tail++] = start;
            labels[start] = count;
            while (head < tail) {
                int p = queue[head++];
                int x = p % w;
                int y = p / w;
                for (int ny = Math.max(0, y - 1); ny <= Math.min(h - 1, y + 1); ny++) {
                    for (int nx = Math.max(0, x - 1); nx <= Math.min(w - 1, x + 1); nx++) {
                        int q = ny * w + nx;
                        if (flags[q] && labels[q] == 0) {
                            labels[q] = count;
                            queue[tail++] = q;
                        }
                    }
                }
            }
        }
        return count;
    }
}
