package org.draglora.engine.io;

/**
 * Pillow's {@code Image.resize(size, Image.BILINEAR)} for 8-bit RGB, re-implemented from Pillow's
 * {@code src/libImaging/Resample.c} ({@code precompute_coeffs}, {@code normalize_coeffs_8bpc},
 * {@code ImagingResampleHorizontal_8bpc}/{@code Vertical_8bpc}, {@code ImagingResampleInner}):
 * a separable triangle filter whose support grows with the downscaling factor (so downscaling
 * averages, unlike a plain 2x2 bilinear lookup), coefficients in 22-bit fixed point, horizontal
 * pass first, rounding by adding half and shifting, results clipped to 0..255.
 *
 * <p>This is the resize the DragBench labelling tool and the DragLoRA UI apply to uploads (width
 * 512, height {@code int(512*h/w)}, ALGORITHM.md §11.1, §14.1). It follows Pillow's C code step by
 * step in the same double and int arithmetic, but it has not been compared with Pillow's output
 * on this machine (no Pillow here).
 */
final class PillowResample {

    private static final int PRECISION_BITS = 32 - 8 - 2;

    private PillowResample() {}

    /** Resizes interleaved RGB bytes from {@code inW x inH} to {@code outW x outH}. */
    static byte[] resize(byte[] rgb, int inW, int inH, int outW, int outH) {
        boolean horizontal = outW != inW;
        boolean vertical = outH != inH;
        Coeffs cx = Coeffs.of(inW, outW);
        Coeffs cy = Coeffs.of(inH, outH);
        byte[] src = rgb;
        int srcH = inH;
        int yFirst = 0;
        if (horizontal) {
            // only the source rows the vertical pass will read
            yFirst = vertical ? cy.bounds[0] : 0;
            int yLast = vertical ? cy.bounds[(outH - 1) * 2] + cy.bounds[(outH - 1) * 2 + 1] : inH;
            srcH = yLast - yFirst;
            src = horizontalPass(rgb, inW, yFirst, srcH, outW, cx);
        }
        if (!vertical) {
            return src == rgb ? rgb.clone() : src;
        }
        int w = horizontal ? outW : inW;
        return verticalPass(src, w, outH, cy, yFirst);
    }

    private static byte[] horizontalPass(byte[] in, int inW, int yFirst, int rows, int outW, Coeffs c) {
        byte[] out = new byte[rows * outW * 3];
        for (int yy = 0; yy < rows; yy++) {
            int rowBase = (yy + yFirst) * inW * 3;
            for (int xx = 0; xx < outW; xx++) {
                int xmin = c.bounds[xx * 2];
                int xmax = c.bounds[xx * 2 + 1];
                int k0 = xx * c.ksize;
                int ss0 = 1 << (PRECISION_BITS - 1);
                int ss1 = ss0;
                int ss2 = ss0;
                for (int x = 0; x < xmax; x++) {
                    int p = rowBase + (x + xmin) * 3;
                    int k = c.kk[k0 + x];
                    ss0 += (in[p] & 0xff) * k;
                    ss1 += (in[p + 1] & 0xff) * k;
                    ss2 += (in[p + 2] & 0xff) * k;
                }
                int o = (yy * outW + xx) * 3;
                out[o] = clip8(ss0);
                out[o + 1] = clip8(ss1);
                out[o + 2] = clip8(ss2);
            }
        }
        return out;
    }

    private static byte[] verticalPass(byte[] in, int w, int outH, Coeffs c, int yFirst) {
        byte[] out = new byte[outH * w * 3];
        for (int yy = 0; yy < outH; yy++) {
            int ymin = c.bounds[yy * 2] - yFirst;
            int ymax = c.bounds[yy * 2 + 1];
            int k0 = yy * c.ksize;
            for (int xx = 0; xx < w; xx++) {
                int ss0 = 1 << (PRECISION_BITS - 1);
                int ss1 = ss0;
                int ss2 = ss0;
                for (int y = 0; y < ymax; y++) {
                    int p = ((y + ymin) * w + xx) * 3;
                    int k = c.kk[k0 + y];
                    ss0 += (in[p] & 0xff) * k;
                    ss1 += (in[p + 1] & 0xff) * k;
                    ss2 += (in[p + 2] & 0xff) * k;
                }
                int o = (yy * w + xx) * 3;
                out[o] = clip8(ss0);
                out[o + 1] = clip8(ss1);
                out[o + 2] = clip8(ss2);
            }
        }
        return out;
    }

    private static byte clip8(int ss) {
        int v = ss >> PRECISION_BITS;
        return (byte) (v < 0 ? 0 : Math.min(v, 255));
    }

    /** Filter taps per output pixel: {@code bounds[2i] = xmin, bounds[2i+1] = count}, fixed-point weights. */
    private static final class Coeffs {
        final int ksize;
        final int[] bounds;
        final int[] kk;

        private Coeffs(int ksize, int[] bounds, int[] kk) {
            this.ksize = ksize;
            this.bounds = bounds;
            this.kk = kk;
        }

        static Coeffs of(int inSize, int outSize) {
            double scale = (double) inSize / outSize;
            double filterscale = Math.max(scale, 1.0);
            double support = 1.0 * filterscale; // bilinear support is 1
            int ksize = (int) Math.ceil(support) * 2 + 1;
            int[] bounds = new int[outSize * 2];
            int[] kk = new int[outSize * ksize];
            double[] k = new double[ksize];
            for (int xx = 0; xx < outSize; xx++) {
                double center = (xx + 0.5) * scale;
                double ww = 0.0;
                double ss = 1.0 / filterscale;
                int xmin = Math.max((int) (center - support + 0.5), 0);
                int xmax = Math.min((int) (center + support + 0.5), inSize) - xmin;
                for (int x = 0; x < xmax; x++) {
                    double w = triangle((x + xmin - center + 0.5) * ss);
                    k[x] = w;
                    ww += w;
                }
                for (int x = 0; x < xmax; x++) {
                    double v = ww != 0.0 ? k[x] / ww : k[x];
                    kk[xx * ksize + x] = v < 0 ? (int) (-0.5 + v * (1 << PRECISION_BITS))
                            : (int) (0.5 + v * (1 << PRECISION_BITS));
                }
                bounds[xx * 2] = xmin;
                bounds[xx * 2 + 1] = xmax;
            }
            return new Coeffs(ksize, bounds, kk);
        }

        private static double triangle(double x) {
            double a = Math.abs(x);
            return a < 1.0 ? 1.0 - a : 0.0;
        }
    }
}
