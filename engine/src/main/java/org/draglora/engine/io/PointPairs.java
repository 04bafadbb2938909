package org.draglora.engine.io;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Point-pair lists: the command-line syntax {@code "x1,y1:x2,y2;x3,y3:x4,y4"} (handle
 * {@code x1,y1} moves to target {@code x2,y2}; pairs separated by {@code ;}), and the benchmarks'
 * flat alternating lists {@code [handle, target, handle, target, ...]} of {@code [x, y]} points.
 *
 * <p>Every error is a one-line {@link IllegalArgumentException} that names the offending piece.
 */
public final class PointPairs {

    private static final Pattern NUMBER = Pattern.compile("[+-]?(\\d+(\\.\\d*)?|\\.\\d+)([eE][+-]?\\d+)?");

    private PointPairs() {}

    /**
     * Parses {@code "x1,y1:x2,y2;x3,y3:x4,y4"}. Spaces around numbers and separators are allowed;
     * numbers are decimal (an optional sign, fraction and exponent). There must be at least one pair.
     */
    public static List<PointPair> parse(String text) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("no point pairs given; expected x1,y1:x2,y2;x3,y3:x4,y4");
        }
        String[] pieces = text.split(";", -1);
        List<PointPair> pairs = new ArrayList<>(pieces.length);
        for (int i = 0; i < pieces.length; i++) {
            String piece = pieces[i].trim();
            String label = "point pair " + (i + 1) + " \"" + piece + "\"";
            if (piece.isEmpty()) {
                throw new IllegalArgumentException("point pair " + (i + 1) + " is empty in \"" + text
                        + "\"; expected x1,y1:x2,y2 between semicolons");
            }
            String[] ends = piece.split(":", -1);
            if (ends.length != 2) {
                throw new IllegalArgumentException(label + " must be handle:target, i.e. x1,y1:x2,y2");
            }
            double[] handle = point(ends[0], label, "handle");
            double[] target = point(ends[1], label, "target");
            pairs.add(new PointPair(handle[0], handle[1], target[0], target[1]));
        }
        return Collections.unmodifiableList(pairs);
    }

    /** The inverse of {@link #parse}: integral coordinates print without a fraction. */
    public static String format(List<PointPair> pairs) {
        StringBuilder sb = new StringBuilder();
        for (PointPair p : pairs) {
            if (sb.length() > 0) {
                sb.append(';');
            }
            sb.append(number(p.handleX())).append(',').append(number(p.handleY())).append(':')
                    .append(number(p.targetX())).append(',').append(number(p.targetY()));
        }
        return sb.toString();
    }

    /**
     * Pairs from a flat alternating list of {@code [x, y]} points: even indices are handles, each
     * followed by its target (DragBench and Drag100, ALGORITHM.md §11.1). An odd count is an error.
     */
    public static List<PointPair> fromAlternating(double[][] points) {
        if (points.length % 2 != 0) {
            throw new IllegalArgumentException("odd number of points (" + points.length
                    + "); handle and target points must alternate");
        }
        List<PointPair> pairs = new ArrayList<>(points.length / 2);
        for (int i = 0; i < points.length; i += 2) {
            pairs.add(new PointPair(points[i][0], points[i][1], points[i + 1][0], points[i + 1][1]));
        }
        return Collections.unmodifiableList(pairs);
    }

    /**
     * Points from a value read from a pickle or JSON: a list of {@code [x, y]} lists or tuples of
     * numbers, or an (N, 2) numpy array. {@code what} names the value in messages.
     */
    static double[][] pointsFromValue(Object value, String what) {
        if (value instanceof NdArray) {
            NdArray a = (NdArray) value;
            long[] shape = a.shape();
            if (shape.length != 2 || shape[1] != 2) {
                throw new IllegalArgumentException(what + " is an array of shape " + a.shapeText() + ", not (N, 2)");
            }
            double[] flat = a.toDoubleArray();
            double[][] out = new double[(int) shape[0]][];
            for (int i = 0; i < out.length; i++) {
                out[i] = new double[] {flat[2 * i], flat[2 * i + 1]};
            }
            return out;
        }
        if (!(value instanceof List)) {
            throw new IllegalArgumentException(what + " is not a list of [x, y] points");
        }
        List<?> list = (List<?>) value;
        double[][] out = new double[list.size()][];
        for (int i = 0; i < out.length; i++) {
            Object p = list.get(i);
            if (!(p instanceof List) || ((List<?>) p).size() != 2) {
                throw new IllegalArgumentException(what + "[" + i + "] is " + PickleText.show(p)
                        + ", not an [x, y] point");
            }
            List<?> xy = (List<?>) p;
            out[i] = new double[] {coordinate(xy.get(0), what, i), coordinate(xy.get(1), what, i)};
        }
        return out;
    }

    private static double coordinate(Object v, String what, int i) {
        if (!(v instanceof Number)) {
            throw new IllegalArgumentException(what + "[" + i + "] has the coordinate " + PickleText.show(v)
                    + ", not a number");
        }
        double d = ((Number) v).doubleValue();
        if (!Double.isFinite(d)) {
            throw new IllegalArgumentException(what + "[" + i + "] has the coordinate " + PickleText.show(v)
                    + ", not a finite number");
        }
        return d;
    }

    private static double[] point(String text, String label, String which) {
        String[] xy = text.split(",", -1);
        if (xy.length != 2) {
            throw new IllegalArgumentException(label + ": the " + which + " \"" + text.trim() + "\" must be x,y");
        }
        return new double[] {number(xy[0], label, which), number(xy[1], label, which)};
    }

    private static double number(String text, String label, String which) {
        String t = text.trim();
        if (!NUMBER.matcher(t).matches()) {
            throw new IllegalArgumentException(label + ": \"" + t + "\" in the " + which + " is not a number");
        }
        double v = Double.parseDouble(t);
        if (!Double.isFinite(v)) {
            throw new IllegalArgumentException(label + ": \"" + t + "\" in the " + which + " is out of range");
        }
        return v;
    }

    private static String number(double v) {
        return v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v) : Double.toString(v);
    }
}
