package org.draglora.engine.shapes;

import org.draglora.engine.io.RgbImage;

/**
 * Paints a {@link Scene} into RGB bytes: the background, then each object composited over it with its coverage.
 *
 * <p>Pixel (x, y) is the unit square centred on (x, y). An object's coverage of a pixel is the fraction of a 4x4
 * grid of subsamples inside its shape; a pixel whose centre lies farther than the subsamples' reach from the
 * outline (by the kind's 1-Lipschitz field) and from any texture edge is decided by its centre alone, so only
 * edge pixels cost 16 evaluations. Only arithmetic, {@code sqrt} and {@code floor} run per pixel, and the
 * per-object trigonometry uses {@link StrictMath}, so the bytes are the same on every JVM.
 */
final class SceneRenderer {

    private static final int SUB = 4;
    /** Subsample offsets from the pixel centre: (k + 0.5) / 4 - 0.5. */
    private static final double[] OFFSETS = {-0.375, -0.125, 0.125, 0.375};
    /** Farthest a subsample lies from the pixel centre, plus a little. */
    private static final double REACH = 0.375 * Math.sqrt(2) + 1e-3;

    private SceneRenderer() {
    }

    static RgbImage render(Scene scene) {
        int w = scene.width();
        int h = scene.height();
        double[] buf = new double[w * h * 3];
        BackgroundPainter.paint(scene.background(), w, h, buf);
        for (ShapeObject o : scene.objects()) {
            paint(o, w, h, buf);
        }
        byte[] rgb = new byte[buf.length];
        for (int i = 0; i < buf.length; i++) {
            rgb[i] = (byte) (int) (Math.max(0, Math.min(255, buf[i])) + 0.5); // round half up, faster than Math.round
        }
        return new RgbImage(w, h, rgb);
    }

    private static void paint(ShapeObject o, int w, int h, double[] buf) {
        double ax = o.axisX();
        double ay = o.axisY();
        double su = o.size() * o.stretch();
        double sv = o.size();
        // local (u, v) = affine function of (x, y)
        double dudx = ax / su;
        double dudy = ay / su;
        double dvdx = -ay / sv;
        double dvdy = ax / sv;
        double u0 = -(o.centreX() * dudx + o.centreY() * dudy);
        double v0 = -(o.centreX() * dvdx + o.centreY() * dvdy);
        double reach = REACH / (o.size() * Math.min(1, o.stretch())); // pixel reach in local units
        ShapeKind kind = o.kind();
        Texture texture = o.texture();
        double fr = o.fill().red();
        double fg = o.fill().green();
        double fb = o.fill().blue();
        double er = o.secondColour().red() - fr;
        double eg = o.secondColour().green() - fg;
        double eb = o.secondColour().blue() - fb;
        int x0 = Math.max(0, (int) Math.floor(o.centreX() - o.halfWidth() - 1));
        int x1 = Math.min(w - 1, (int) Math.ceil(o.centreX() + o.halfWidth() + 1));
        int y0 = Math.max(0, (int) Math.floor(o.centreY() - o.halfHeight() - 1));
        int y1 = Math.min(h - 1, (int) Math.ceil(o.centreY() + o.halfHeight() + 1));
        for (int y = y0; y <= y1; y++) {
            for (int x = x0; x <= x1; x++) {
                double u = u0 + x * dudx + y * dudy;
                double v = v0 + x * dvdx + y * dvdy;
                double f = kind.field(u, v);
                if (f > reach) {
                    continue;
                }
                double alpha;
                double weight;
                if (f < -reach && texture.edgeDistance(u, v) > reach) {
                    alpha = 1;
                    weight = texture.weight(u, v);
                } else {
                    int inside = 0;
                    double weights = 0;
                    for (int sy = 0; sy < SUB; sy++) {
                        for (int sx = 0; sx < SUB; sx++) {
                            double us = u + OFFSETS[sx] * dudx + OFFSETS[sy] * dudy;
                            double vs = v + OFFSETS[sx] * dvdx + OFFSETS[sy] * dvdy;
                            if (kind.field(us, vs) <= 0) {
                                inside++;
                                weights += texture.weight(us, vs);
                            }
                        }
                    }
                    if (inside == 0) {
                        continue;
                    }
                    alpha = inside / (double) (SUB * SUB);
                    weight = weights / inside;
                }
                int i = (y * w + x) * 3;
                buf[i] += alpha * (fr + weight * er - buf[i]);
                buf[i + 1] += alpha * (fg + weight * eg - buf[i + 1]);
                buf[i + 2] += alpha * (fb + weight * eb - buf[i + 2]);
            }
        }
    }
}
