package org.draglora.engine.weights;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * A key-path builder handed to every module constructor (candle's {@code VarBuilder}): construction
 * is loading. {@code w.child("norm1").get("weight", 320)} fetches {@code <prefix>norm1.weight},
 * checks its shape and records that the key was consumed. After the root module is built,
 * {@link #verify()} fails unless every key of the source was consumed with the right shape, and
 * the error lists the missing, unexpected and mis-shaped keys (nanoGPT's strict load).
 *
 * <p>Three modes: loading from a {@link WeightSource}; shape-only (returns {@code null} arrays,
 * for key-set tests of full-size models without weights); random (creates N(0, 1/fan_in) weights
 * of whatever shape is asked for, for benchmarks on SD-1.5-shaped models).
 *
 * <p>Module constructors therefore only fetch arrays and never compute with them.
 */
public final class WeightScope {

    private enum Mode { LOAD, SHAPES, RANDOM }

    /** State shared by a root scope and all its children. */
    private static final class Loader {
        final Mode mode;
        final WeightSource source;
        final NDManager manager;
        final DataType dtype;
        final Predicate<String> ignorable;
        final Map<String, long[]> requested = new LinkedHashMap<>();
        final Map<String, NDArray> arrays = new LinkedHashMap<>();
        final List<String> missing = new ArrayList<>();
        final List<String> misShaped = new ArrayList<>();

        Loader(Mode mode, WeightSource source, NDManager manager, DataType dtype, Predicate<String> ignorable) {
            this.mode = mode;
            this.source = source;
            this.manager = manager;
            this.dtype = dtype;
            this.ignorable = ignorable;
        }
    }

    private final Loader loader;
    private final String prefix;

    private WeightScope(Loader loader, String prefix) {
        this.loader = loader;
        this.prefix = prefix;
    }

    /**
     * A root scope that loads from {@code source} into arrays of {@code manager} with element type
     * {@code dtype}; keys matching {@code ignorable} may stay unconsumed.
     */
    public static WeightScope load(WeightSource source, NDManager manager, DataType dtype, Predicate<String> ignorable) {
        return new WeightScope(new Loader(Mode.LOAD, source, manager, dtype, ignorable), "");
    }

    /** A root scope that loads float32 arrays and ignores no key. */
    public static WeightScope load(WeightSource source, NDManager manager) {
        return load(source, manager, DataType.FLOAT32, key -> false);
    }

    /** A shape-only root scope: every {@code get} returns {@code null} but is checked and recorded. */
    public static WeightScope shapesOnly(WeightSource source) {
        return shapesOnly(source, key -> false);
    }

    /**
     * A shape-only root scope whose keys matching {@code ignorable} may stay unconsumed (the same
     * predicate a real load of that model passes, e.g. the text encoder's {@code position_ids}).
     */
    public static WeightScope shapesOnly(WeightSource source, Predicate<String> ignorable) {
        return new WeightScope(new Loader(Mode.SHAPES, source, null, DataType.FLOAT32, ignorable), "");
    }

    /**
     * A root scope that invents weights: N(0, 1)/sqrt(fan_in) for matrices and kernels, ones for
     * 1-d {@code weight}s (norm scales), zeros for biases. Draws use the engine's random generator.
     */
    public static WeightScope random(NDManager manager, DataType dtype) {
        return new WeightScope(new Loader(Mode.RANDOM, null, manager, dtype, key -> false), "");
    }

    /** The scope for a sub-module, {@code <prefix><name>.}. */
    public WeightScope child(String name) {
        return new WeightScope(loader, prefix + name + ".");
    }

    /** The scope for an element of a module list, {@code <prefix><index>.}. */
    public WeightScope child(int index) {
        return child(Integer.toString(index));
    }

    /** This scope's key path without the trailing dot (the diffusers module name). */
    public String path() {
        return prefix.isEmpty() ? "" : prefix.substring(0, prefix.length() - 1);
    }

    /** The manager arrays are created in ({@code null} in shape-only mode). */
    public NDManager manager() {
        return loader.manager;
    }

    /** The element type of the arrays created. */
    public DataType dtype() {
        return loader.dtype;
    }

    /** Whether {@code get} returns real arrays (false in shape-only mode). */
    public boolean hasValues() {
        return loader.mode != Mode.SHAPES;
    }

    /** Whether the source has {@code <prefix><name>} (always false in random mode). */
    public boolean contains(String name) {
        return loader.source != null && loader.source.infos().containsKey(prefix + name);
    }

    /**
     * Fetches {@code <prefix><name>} with the expected shape. Missing or mis-shaped keys are
     * recorded for {@link #verify()} and give {@code null}, so one load reports every problem.
     */
    public NDArray get(String name, long... shape) {
        String key = prefix + name;
        if (loader.requested.put(key, shape.clone()) != null) {
            throw new IllegalStateException("module construction asked for '" + key + "' twice");
        }
        if (loader.mode == Mode.RANDOM) {
            return remember(key, randomArray(key, shape));
        }
        TensorInfo info = loader.source.infos().get(key);
        if (info == null) {
            loader.missing.add(key + " (" + TensorInfo.shapeText(shape) + ")");
            return null;
        }
        if (!info.hasShape(shape)) {
            loader.misShaped.add(key + ": checkpoint " + info.shapeText() + ", model " + TensorInfo.shapeText(shape));
            return null;
        }
        if (loader.mode == Mode.SHAPES) {
            return null;
        }
        try {
            return remember(key, WeightArrays.read(loader.source, key, loader.manager, loader.dtype));
        } catch (IOException e) {
            throw new UncheckedIOException("reading '" + key + "' from " + loader.source.describe(), e);
        }
    }

    private NDArray remember(String key, NDArray array) {
        loader.arrays.put(key, array);
        return array;
    }

    /**
     * Every array created so far, by key, in construction order: the model's parameters (to train
     * them, average them, or save them in the checkpoint's naming).
     */
    public Map<String, NDArray> arrays() {
        return java.util.Collections.unmodifiableMap(loader.arrays);
    }

    private NDArray randomArray(String key, long[] shape) {
        Shape s = new Shape(shape);
        if (shape.length == 1) {
            return key.endsWith("weight") ? loader.manager.ones(s, loader.dtype) : loader.manager.zeros(s, loader.dtype);
        }
        long fanIn = 1;
        for (int i = 1; i < shape.length; i++) {
            fanIn *= shape[i];
        }
        return loader.manager.randomNormal(0f, (float) (1.0 / Math.sqrt(fanIn)), s, loader.dtype);
    }

    /** Every key requested so far with the shape the model expects, in construction order. */
    public Map<String, long[]> requested() {
        return java.util.Collections.unmodifiableMap(loader.requested);
    }

    /** The outcome of the load so far: missing, unexpected and mis-shaped keys. */
    public LoadReport report() {
        List<String> unexpected = new ArrayList<>();
        if (loader.source != null) {
            for (String key : loader.source.infos().keySet()) {
                if (!loader.requested.containsKey(key) && !loader.ignorable.test(key)) {
                    unexpected.add(key);
                }
            }
        }
        return new LoadReport(
                loader.source == null ? "random weights" : loader.source.describe(),
                loader.requested.size(), loader.missing, unexpected, loader.misShaped);
    }

    /** Throws {@link WeightLoadException} unless every key was consumed with the right shape. */
    public void verify() {
        LoadReport report = report();
        if (!report.ok()) {
            throw new WeightLoadException(report);
        }
    }
}
