package org.draglora.engine.testing;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.io.IOException;
import java.io.UncheckedIOException;
import org.draglora.engine.weights.SafetensorsFile;
import org.draglora.engine.weights.TensorInfo;

/** Test helpers: load fixture tensors, compare with the tolerances of the fixtures' README. */
public final class Tensors {

    private Tensors() {}

    /** Loads a float tensor of a fixture file into {@code manager} (float32). */
    public static NDArray load(NDManager manager, SafetensorsFile file, String name) {
        TensorInfo info = file.info(name);
        try {
            return manager.create(file.readFloats(name), new Shape(info.shape()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Loads an integer tensor of a fixture file as INT64. */
    public static NDArray loadLongs(NDManager manager, SafetensorsFile file, String name) {
        TensorInfo info = file.info(name);
        try {
            return manager.create(file.readLongs(name), new Shape(info.shape()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Largest absolute element. */
    public static double maxAbs(float[] values) {
        double m = 0;
        for (float v : values) {
            m = Math.max(m, Math.abs(v));
        }
        return m;
    }

    /** Largest absolute difference, NaN if either side has a NaN. */
    public static double maxAbsDiff(float[] a, float[] b) {
        double m = 0;
        for (int i = 0; i < a.length; i++) {
            double d = Math.abs((double) a[i] - b[i]);
            if (Double.isNaN(d)) {
                return Double.NaN;
            }
            m = Math.max(m, d);
        }
        return m;
    }

    /**
     * Forward-output rule of the fixtures' README: {@code max|java - ref| <= tol * max(1, max|ref|)}
     * with the suggested tol 1e-4; shapes must match exactly.
     */
    public static void assertForwardClose(String what, float[] expected, long[] expectedShape, NDArray actual, double tol) {
        assertArrayEquals(expectedShape, actual.getShape().getShape(), what + ": shape");
        float[] got = actual.toType(DataType.FLOAT32, false).toFloatArray();
        double diff = maxAbsDiff(expected, got);
        double bound = tol * Math.max(1.0, maxAbs(expected));
        assertTrue(diff <= bound, what + ": max|java - ref| = " + diff + " > " + bound);
    }

    /** Gradient rule of the fixtures' README: {@code max|java - ref| <= tol * max|ref|}. */
    public static void assertGradientClose(String what, float[] expected, long[] expectedShape, NDArray actual, double tol) {
        assertArrayEquals(expectedShape, actual.getShape().getShape(), what + ": shape");
        float[] got = actual.toType(DataType.FLOAT32, false).toFloatArray();
        double diff = maxAbsDiff(expected, got);
        double bound = tol * maxAbs(expected);
        assertTrue(diff <= bound, what + ": max|java - ref| = " + diff + " > " + bound);
    }

    /** Compares a fixture tensor with an array, forward rule, tol 1e-4. */
    public static void assertMatchesFixture(SafetensorsFile expected, String name, NDArray actual) {
        try {
            assertForwardClose(name, expected.readFloats(name), expected.info(name).shape(), actual, 1e-4);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
