package org.draglora.engine.drag;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import java.util.List;
import java.util.Random;
import org.draglora.engine.runtime.EngineRuntime;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Bilinear feature resizing and the mask path against plain-Java PyTorch formulas (ALGORITHM.md §1.3, §3.5). */
class FeatureMapsTest {

    private NDManager manager;

    @BeforeEach
    void start() {
        manager = EngineRuntime.cpu().newManager();
    }

    @AfterEach
    void close() {
        manager.close();
    }

    /** F.interpolate(bilinear, align_corners=False) for one (h, w) plane, written from the formula. */
    static double[] bilinear(double[] x, int h, int w, int outH, int outW) {
        double[] out = new double[outH * outW];
        for (int oy = 0; oy < outH; oy++) {
            double sy = Math.max(0, (oy + 0.5) * h / outH - 0.5);
            int y0 = (int) Math.floor(sy);
            int y1 = Math.min(y0 + 1, h - 1);
            double ly = sy - y0;
            for (int ox = 0; ox < outW; ox++) {
                double sx = Math.max(0, (ox + 0.5) * w / outW - 0.5);
                int x0 = (int) Math.floor(sx);
                int x1 = Math.min(x0 + 1, w - 1);
                double lx = sx - x0;
                out[oy * outW + ox] = (1 - ly) * ((1 - lx) * x[y0 * w + x0] + lx * x[y0 * w + x1])
                        + ly * ((1 - lx) * x[y1 * w + x0] + lx * x[y1 * w + x1]);
            }
        }
        return out;
    }

    private static float[] random(int n, long seed) {
        Random r = new Random(seed);
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) r.nextGaussian();
        }
        return v;
    }

    @Test
    void bilinearMatchesTheFormulaUpDownAndNonSquare() {
        int[][] cases = {{4, 5, 9, 13}, {9, 13, 4, 5}, {8, 8, 32, 32}, {7, 3, 7, 11}, {6, 10, 3, 10}, {5, 5, 5, 5},
                {16, 16, 5, 7}};
        int b = 2;
        int c = 3;
        for (int[] k : cases) {
            int h = k[0], w = k[1], oh = k[2], ow = k[3];
            float[] x = random(b * c * h * w, 31 * h + w);
            float[] got = FeatureMaps.resizeBilinear(manager.create(x, new Shape(b, c, h, w)), oh, ow).toFloatArray();
            assertEquals(b * c * oh * ow, got.length);
            for (int plane = 0; plane < b * c; plane++) {
                double[] in = new double[h * w];
                for (int i = 0; i < h * w; i++) {
                    in[i] = x[plane * h * w + i];
                }
                double[] want = bilinear(in, h, w, oh, ow);
                for (int i = 0; i < want.length; i++) {
                    assertEquals(want[i], got[plane * oh * ow + i], 1e-5,
                            h + "x" + w + " -> " + oh + "x" + ow + " plane " + plane + " pixel " + i);
                }
            }
        }
    }

    @Test
    void bilinearMatchesLibtorchWhenUpsampling() {
        // libtorch's interpolate (align_corners=False) through DJL's op. Upsampling only: DJL 0.36's
        // native call antialiases when it shrinks (16x12 -> 5x7 gives 17.36 at pixel 0 where
        // F.interpolate's formula gives 13.56), which is one reason the resize is built by hand.
        // Drag features are always upsampled (H/8 .. H/64 -> H/2).
        NDArray x = manager.create(random(2 * 4 * 16 * 12, 7), new Shape(2, 4, 16, 12));
        for (int[] size : new int[][] {{64, 48}, {17, 13}, {33, 20}}) {
            float[] want = x.getNDArrayInternal().interpolation(new long[] {size[0], size[1]}, 1, false).toFloatArray();
            float[] got = FeatureMaps.resizeBilinear(x, size[0], size[1]).toFloatArray();
            for (int i = 0; i < want.length; i++) {
                assertEquals(want[i], got[i], 1e-5, "pixel " + i + " at " + size[0] + "x" + size[1]);
            }
        }
    }

    @Test
    void bilinearGradientIsTheAdjointOfTheFormula() {
        int h = 3, w = 4, oh = 5, ow = 7;
        float[] x = random(h * w, 3);
        float[] g = random(oh * ow, 4);
        NDArray in = manager.create(x, new Shape(1, 1, h, w)).toType(DataType.FLOAT64, false);
        in.setRequiresGradient(true);
        try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
            NDArray out = FeatureMaps.resizeBilinear(in, oh, ow);
            gc.backward(out.mul(manager.create(g, new Shape(1, 1, oh, ow)).toType(DataType.FLOAT64, false)).sum());
        }
        double[] grad = in.getGradient().toDoubleArray();
        // the map is linear: d/dx_k sum(G * resize(x)) = sum(G * resize(e_k))
        for (int k = 0; k < h * w; k++) {
            double[] e = new double[h * w];
            e[k] = 1;
            double[] r = bilinear(e, h, w, oh, ow);
            double want = 0;
            for (int i = 0; i < r.length; i++) {
                want += g[i] * r[i];
            }
            assertEquals(want, grad[k], 1e-6, "gradient of input " + k); // float32 weights, as ATen uses for float32
        }
    }

    @Test
    void featureMapResizesTheSelectedFeaturesAndConcatenatesChannels() {
        List<NDArray> feats = List.of(manager.create(random(8 * 2 * 2, 1), new Shape(1, 8, 2, 2)),
                manager.create(random(6 * 4 * 4, 2), new Shape(1, 6, 4, 4)),
                manager.create(random(6 * 8 * 8, 3), new Shape(1, 6, 8, 8)),
                manager.create(random(4 * 16 * 16, 4), new Shape(1, 4, 16, 16)),
                manager.create(random(2 * 16 * 16, 5), new Shape(1, 2, 16, 16)));
        NDArray f = FeatureMaps.featureMap(feats, 24, 20);
        assertEquals(new Shape(1, 4, 24, 20), f.getShape());
        assertArrayEquals(FeatureMaps.resizeBilinear(feats.get(3), 24, 20).toFloatArray(), f.toFloatArray());
        NDArray two = FeatureMaps.featureMap(feats, List.of(1, 3), 24, 20);
        assertEquals(new Shape(1, 10, 24, 20), two.getShape());
        assertArrayEquals(FeatureMaps.resizeBilinear(feats.get(1), 24, 20).toFloatArray(),
                two.get(":, 0:6").toFloatArray());
        assertArrayEquals(f.toFloatArray(), two.get(":, 6:10").toFloatArray());
        assertThrows(IllegalArgumentException.class, () -> FeatureMaps.featureMap(feats, List.of(5), 8, 8));
    }

    @Test
    void theX0PredictionIsAppendedWithItsWeightOnlyWhenAsked() {
        List<NDArray> feats = List.of(manager.create(random(8 * 2 * 2, 1), new Shape(1, 8, 2, 2)),
                manager.create(random(6 * 4 * 4, 2), new Shape(1, 6, 4, 4)),
                manager.create(random(6 * 8 * 8, 3), new Shape(1, 6, 8, 8)));
        NDArray x0 = manager.create(random(4 * 4 * 4, 6), new Shape(1, 4, 4, 4));
        NDArray plain = FeatureMaps.featureMap(feats, List.of(2), 8, 8);
        DragSettings.Features without = new DragSettings.Features(List.of(2), 0.5);
        assertArrayEquals(plain.toFloatArray(), FeatureMaps.featureMap(feats, null, without, 8, 8).toFloatArray());
        NDArray with = FeatureMaps.featureMap(feats, x0, new DragSettings.Features(List.of(2), 0.5, 100), 8, 8);
        assertEquals(new Shape(1, 10, 8, 8), with.getShape());
        assertArrayEquals(plain.toFloatArray(), with.get(":, 0:6").toFloatArray());
        float[] want = FeatureMaps.resizeBilinear(x0, 8, 8).toFloatArray();
        float[] got = with.get(":, 6:10").toFloatArray();
        for (int i = 0; i < want.length; i++) {
            assertEquals(100 * want[i], got[i], 1e-3f * Math.max(1, Math.abs(100 * want[i])));
        }
        assertThrows(NullPointerException.class,
                () -> FeatureMaps.featureMap(feats, null, new DragSettings.Features(List.of(2), 0.5, 1), 8, 8));
        assertThrows(IllegalArgumentException.class, () -> new DragSettings.Features(List.of(2), 0.5, -1));
    }

    /**
     * The x0 weight's gradient does not depend on when the garbage collector runs: the weight is a
     * libtorch-owned scalar (DJL's {@code mul(Number)} scalar dies with its Java handle while the
     * backward still reads it: drag re-executions then differed, see AutogradLifetimeTest). The
     * backward runs after a collection and after small native allocations were filled with NaN.
     */
    @Test
    void theX0WeightsGradientSurvivesGarbageCollection() {
        List<NDArray> feats = List.of(manager.zeros(new Shape(1, 2, 2, 2)), manager.zeros(new Shape(1, 2, 2, 2)),
                manager.zeros(new Shape(1, 3, 4, 4)));
        for (int run = 0; run < 5; run++) {
            try (NDManager s = manager.newSubManager()) {
                NDArray x0 = s.create(random(4 * 4 * 4, 6), new Shape(1, 4, 4, 4));
                x0.setRequiresGradient(true);
                List<NDArray> poison = new java.util.ArrayList<>();
                try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                    NDArray loss = FeatureMaps.featureMap(feats, x0, new DragSettings.Features(List.of(2), 0.5, 100),
                            8, 8).sum();
                    System.gc();
                    for (int i = 0; i < 20_000; i++) {
                        poison.add(s.create(new float[] {Float.NaN}));
                    }
                    gc.backward(loss);
                }
                // d sum(100 R x0) / d x0 = 100 * (column sums of the resize) = 100 * 4 for a 2x upsampling
                for (float g : x0.getGradient().toFloatArray()) {
                    assertEquals(400f, g, 1e-3f, "run " + run);
                }
            }
        }
    }

    /** PyTorch nearest: src = min(floor(dst * (float) in/out), in-1). */
    private static int nearest(int dst, int in, int out) {
        return Math.min((int) Math.floor(dst * ((float) in / out)), in - 1);
    }

    @Test
    void nearestMaskMatchesTheFormulaAndLibtorch() {
        int[][] cases = {{16, 16, 8, 8}, {7, 5, 3, 11}, {3, 4, 7, 9}, {10, 10, 10, 10}, {9, 6, 18, 12}};
        for (int[] k : cases) {
            int h = k[0], w = k[1], oh = k[2], ow = k[3];
            float[] x = random(h * w, h * 100 + w);
            NDArray mask = manager.create(x, new Shape(1, 1, h, w));
            float[] got = FeatureMaps.resizeMaskNearest(mask, oh, ow).toFloatArray();
            float[] lib = mask.getNDArrayInternal().interpolation(new long[] {oh, ow}, 0, false).toFloatArray();
            for (int y = 0; y < oh; y++) {
                for (int xx = 0; xx < ow; xx++) {
                    float want = x[nearest(y, h, oh) * w + nearest(xx, w, ow)];
                    assertEquals(want, got[y * ow + xx], 0.0, "pixel " + y + "," + xx + " of case " + h + "x" + w);
                    assertEquals(lib[y * ow + xx], got[y * ow + xx], 0.0, "libtorch nearest");
                }
            }
        }
        NDArray plain = FeatureMaps.resizeMaskNearest(manager.create(random(12, 1), new Shape(3, 4)), 6, 2);
        assertEquals(new Shape(6, 2), plain.getShape());
    }

    @Test
    void latentMaskIsTheTwoStageNearestPathOfTheBinarisedMask() {
        int h = 32, w = 48;
        DragGeometry g = DragGeometry.forImage(h, w); // grid 16 x 24, latent 4 x 6 (1/8)
        float[] m255 = new float[h * w];
        float[] m01 = new float[h * w];
        Random r = new Random(9);
        for (int i = 0; i < m255.length; i++) {
            boolean on = r.nextBoolean();
            m255[i] = on ? 255 : 0;
            m01[i] = on ? 1 : 0;
        }
        NDArray lat = FeatureMaps.latentMask(manager.create(m255, new Shape(h, w)), g, 4, 6);
        assertEquals(new Shape(1, 1, 4, 6), lat.getShape());
        float[] got = lat.toFloatArray();
        for (int i = 0; i < 4; i++) {
            for (int j = 0; j < 6; j++) {
                assertEquals(m01[8 * i * w + 8 * j], got[i * 6 + j], 0.0, "M_lat[" + i + "," + j + "] = mask[8i, 8j]");
            }
        }
        NDArray lat01 = FeatureMaps.latentMask(manager.create(m01, new Shape(1, 1, h, w)), g, 4, 6);
        assertArrayEquals(got, lat01.toFloatArray());
        NDArray grid = FeatureMaps.gridMask(manager.create(m01, new Shape(h, w)), g);
        assertEquals(new Shape(1, 1, 16, 24), grid.getShape());
        assertThrows(IllegalArgumentException.class,
                () -> FeatureMaps.gridMask(manager.create(m01, new Shape(w, h)), g));
    }

    @Test
    void latentMaskOfANonPowerOfTwoSizeFollowsBothStages() {
        int h = 24, w = 40;
        DragGeometry g = DragGeometry.forImage(h, w); // grid 12 x 20, latent 3 x 5
        float[] m = new float[h * w];
        Random r = new Random(11);
        for (int i = 0; i < m.length; i++) {
            m[i] = r.nextInt(3) == 0 ? 1 : 0;
        }
        float[] got = FeatureMaps.latentMask(manager.create(m, new Shape(h, w)), g, 3, 5).toFloatArray();
        for (int i = 0; i < 3; i++) {
            for (int j = 0; j < 5; j++) {
                int gy = nearest(i, 12, 3);
                int gx = nearest(j, 20, 5);
                assertEquals(m[nearest(gy, h, 12) * w + nearest(gx, w, 20)], got[i * 5 + j], 0.0);
            }
        }
        assertTrue(got.length == 15);
    }
}
