package org.draglora.engine.bench;

import java.util.Arrays;
import java.util.List;

/** Nearest-rank percentiles of measured values, as the benchmarks report them. */
public final class Percentile {

    private Percentile() {}

    /**
     * The {@code p}-th percentile (0..100) of {@code values} by the nearest-rank method: the
     * smallest value with at least {@code p} % of the values at or below it; NaN for no values.
     */
    public static double of(List<? extends Number> values, double p) {
        if (values.isEmpty()) {
            return Double.NaN;
        }
        double[] v = values.stream().mapToDouble(Number::doubleValue).toArray();
        Arrays.sort(v);
        int i = (int) Math.ceil(p / 100.0 * v.length) - 1;
        return v[Math.max(0, Math.min(v.length - 1, i))];
    }
}
