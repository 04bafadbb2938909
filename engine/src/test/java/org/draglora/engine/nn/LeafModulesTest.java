package org.draglora.engine.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import org.draglora.engine.runtime.EngineRuntime;
import org.draglora.engine.weights.ShapeOnlySource;
import org.draglora.engine.weights.WeightScope;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The leaf modules and ops against plain-Java reference computations. */
class LeafModulesTest {

    private NDManager manager;

    @BeforeEach
    void start() {
        manager = EngineRuntime.cpu().newManager();
    }

    @AfterEach
    void close() {
        manager.close();
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
    void groupNormMatchesDefinition() {
        int b = 2, c = 8, h = 3, w = 5, g = 4;
        float[] x = random(b * c * h * w, 1);
        WeightScope scope = WeightScope.random(manager, ai.djl.ndarray.types.DataType.FLOAT32);
        GroupNorm norm = new GroupNorm(scope.child("n"), g, c, 1e-5);
        // random mode gives the 1-d weight ones and the bias zeros: the output is the pure normalisation
        try (NDManager sub = manager.newSubManager()) {
            NDArray in = sub.create(x, new Shape(b, c, h, w));
            NDArray normed = norm.forward(in); // weight ones, bias zeros
            float[] got = normed.toFloatArray();
            int per = c / g * h * w;
            for (int n = 0; n < b; n++) {
                for (int gi = 0; gi < g; gi++) {
                    int off = (n * c + gi * (c / g)) * h * w;
                    double mean = 0, var = 0;
                    for (int i = 0; i < per; i++) mean += x[off + i];
                    mean /= per;
                    for (int i = 0; i < per; i++) var += (x[off + i] - mean) * (x[off + i] - mean);
                    var /= per;
                    for (int i = 0; i < per; i++) {
                        double expect = (x[off + i] - mean) / Math.sqrt(var + 1e-5);
                        assertEquals(expect, got[off + i], 1e-5);
                    }
                }
            }
            assertArrayEquals(new long[] {b, c, h, w}, normed.getShape().getShape());
        }
    }

    @Test
    void nearestUpsampleRepeatsEachPixel() {
        float[] x = {1, 2, 3, 4, 5, 6};
        NDArray up = Ops.upsampleNearest2x(manager.create(x, new Shape(1, 1, 2, 3)));
        assertArrayEquals(new long[] {1, 1, 4, 6}, up.getShape().getShape());
        assertArrayEquals(new float[] {1, 1, 2, 2, 3, 3, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 4, 4, 5, 5, 6, 6},
                up.toFloatArray());
    }

    @Test
    void averagePoolingMeansEachTwoByTwoCellAndSpreadsTheGradientEvenly() {
        float[] x = new float[16];
        for (int i = 0; i < 16; i++) {
            x[i] = i + 1;
        }
        NDArray in = manager.create(x, new Shape(1, 1, 4, 4));
        in.setRequiresGradient(true);
        try (ai.djl.training.GradientCollector gc = ai.djl.engine.Engine.getInstance().newGradientCollector()) {
            NDArray pooled = Ops.averagePool2x(in);
            assertArrayEquals(new long[] {1, 1, 2, 2}, pooled.getShape().getShape());
            // rows 1-2 of columns 1-2 are 1, 2, 5, 6; and so on
            assertArrayEquals(new float[] {3.5f, 5.5f, 11.5f, 13.5f}, pooled.toFloatArray(), 1e-6f);
            gc.backward(pooled.mul(manager.create(new float[] {1, 2, 3, 4}, new Shape(1, 1, 2, 2))).sum());
        }
        assertArrayEquals(new float[] {.25f, .25f, .5f, .5f, .25f, .25f, .5f, .5f, .75f, .75f, 1, 1, .75f, .75f, 1, 1},
                in.getGradient().toFloatArray(), 1e-6f);
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> Ops.averagePool2x(manager.zeros(new Shape(1, 1, 3, 4))));
        assertTrue(e.getMessage().contains("even"), e.getMessage());
    }

    @Test
    void geluIsTheExactErfForm() {
        NDArray y = Ops.gelu(manager.create(new float[] {1f, -0.5f}));
        assertEquals(0.8413447f, y.toFloatArray()[0], 1e-6);
        assertEquals(-0.15426877f, y.toFloatArray()[1], 1e-6);
    }

    @Test
    void attentionMatchesDefinitionForOneHead() {
        int n = 3, c = 4;
        float[] q = random(n * c, 4), k = random(n * c, 5), v = random(n * c, 6);
        NDArray out = Ops.attention(manager.create(q, new Shape(1, n, c)), manager.create(k, new Shape(1, n, c)),
                manager.create(v, new Shape(1, n, c)), 1, 0.5);
        float[] got = out.toFloatArray();
        for (int i = 0; i < n; i++) {
            double[] s = new double[n];
            double max = -1e30, sum = 0;
            for (int j = 0; j < n; j++) {
                for (int d = 0; d < c; d++) s[j] += q[i * c + d] * k[j * c + d] * 0.5;
                max = Math.max(max, s[j]);
            }
            for (int j = 0; j < n; j++) { s[j] = Math.exp(s[j] - max); sum += s[j]; }
            for (int d = 0; d < c; d++) {
                double o = 0;
                for (int j = 0; j < n; j++) o += s[j] / sum * v[j * c + d];
                assertEquals(o, got[i * c + d], 1e-5);
            }
        }
    }

    @Test
    void shapeOnlyScopeReportsMissingUnexpectedAndMisShapedKeys() {
        Map<String, long[]> shapes = new LinkedHashMap<>();
        shapes.put("lin.weight", new long[] {3, 2});
        shapes.put("lin.bias", new long[] {4});
        shapes.put("extra", new long[] {1});
        WeightScope scope = WeightScope.shapesOnly(new ShapeOnlySource("test", shapes));
        new Linear(scope.child("lin"), 2, 3, true);
        new LayerNorm(scope.child("ln"), 3, 1e-5);
        var report = scope.report();
        assertEquals(2, report.missing().size(), report.details(10));
        assertEquals(java.util.List.of("extra"), report.unexpected());
        assertEquals(1, report.misShaped().size());
        assertTrue(report.misShaped().get(0).contains("lin.bias"), report.details(10));
    }
}
