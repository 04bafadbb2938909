package org.draglora.engine.tools;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.draglora.engine.drag.DragMode;
import org.draglora.engine.drag.DragSettings;
import org.draglora.engine.drag.ImagePoint;
import org.draglora.engine.drag.TrackingSettings;
import org.draglora.engine.drag.TrackingStrategy;
import org.draglora.engine.edit.DragRequest;
import org.draglora.engine.edit.DragRun;
import org.draglora.engine.edit.EditModel;
import org.draglora.engine.edit.ModelDragDefaults;
import org.draglora.engine.edit.RecLoraCache;
import org.draglora.engine.edit.RecLoraSettings;
import org.draglora.engine.edit.StepRecord;
import org.draglora.engine.io.Drag100Reader;
import org.draglora.engine.io.DragBenchReader;
import org.draglora.engine.io.DragSample;
import org.draglora.engine.io.EditMask;
import org.draglora.engine.io.ImageTensors;
import org.draglora.engine.io.MaskImage;
import org.draglora.engine.io.PointPair;
import org.draglora.engine.io.PointPairs;
import org.draglora.engine.io.RgbImage;
import org.draglora.engine.model.ModelPath;
import org.draglora.engine.runtime.EngineRuntime;
import org.draglora.engine.shapes.DragKind;
import org.draglora.engine.shapes.DragTaskGenerator;
import org.draglora.engine.train.TinyModelSpec;

/**
 * {@code draglora edit}: one drag edit from files to a PNG, step by step, reporting every step to
 * a listener (the command line draws a progress bar) and optionally to a JSON-lines trace.
 */
public final class EditTool {

    /**
     * Where the edit comes from: an image with points (and a mask), a benchmark sample folder, or a
     * generated shape scene ({@code scene} = its seed; {@code points} and {@code mask} then replace
     * the generated task's).
     */
    public record Input(Path image, Path mask, String points, Path dragBench, Path drag100, Long scene) {
        /** Without a scene. */
        public Input(Path image, Path mask, String points, Path dragBench, Path drag100) {
            this(image, mask, points, dragBench, drag100, null);
        }
    }

    /**
     * The knobs of one edit.
     *
     * @param prompt the prompt; {@code null} takes the sample's (DragBench) or "" otherwise
     * @param recLoraSteps RecLoRA steps, {@code null} for the reference's 80
     * @param maxSteps the DOO step budget K, {@code null} for the reference's 80
     * @param cacheDir where fitted RecLoRAs are cached, {@code null} for none
     * @param tracking a tracking strategy instead of the method's, or {@code null}
     */
    public record Options(String prompt, EditMethod method, long seed, Integer recLoraSteps, Integer maxSteps,
            Path cacheDir, TrackingStrategy tracking) {

        /** Options with the method's own tracking. */
        public Options(String prompt, EditMethod method, long seed, Integer recLoraSteps, Integer maxSteps, Path cacheDir) {
            this(prompt, method, seed, recLoraSteps, maxSteps, cacheDir, null);
        }
    }

    /** Parses {@code square}, {@code distance-closer}, {@code angle-closer} or {@code linear}. */
    public static TrackingStrategy parseTracking(String text) {
        for (TrackingStrategy t : TrackingStrategy.values()) {
            if (t.name().toLowerCase(java.util.Locale.ROOT).replace('_', '-').equals(text.trim().toLowerCase(java.util.Locale.ROOT))) {
                return t;
            }
        }
        throw new IllegalArgumentException("unknown tracking '" + text + "': use square, distance-closer, angle-closer or linear");
    }

    /** What the edit did. */
    public record Summary(int dragIterations, int dooIterations, int ilfaOnlyIterations, int forwardPasses,
            int backwardPasses, double initialDistance, double finalDistance, long millis, boolean recLoraFromCache) {}

    private EditTool() {}

    /** Reads the input and checks it: sizes, mask, points. Bad input is an IllegalArgumentException. */
    public static DragSample readInput(Input in) throws IOException {
        int sources = (in.image() != null ? 1 : 0) + (in.dragBench() != null ? 1 : 0) + (in.drag100() != null ? 1 : 0)
                + (in.scene() != null ? 1 : 0);
        if (sources != 1) {
            throw new IllegalArgumentException("give exactly one of --image, --dragbench, --drag100 and --scene");
        }
        try {
            if (in.scene() != null) {
                return sceneSample(in);
            }
            if (in.dragBench() != null) {
                return DragBenchReader.read(in.dragBench());
            }
            if (in.drag100() != null) {
                return Drag100Reader.read(in.drag100());
            }
            if (in.points() == null) {
                throw new IllegalArgumentException("--image needs --points \"x1,y1:x2,y2;...\"");
            }
            RgbImage image = ImageTensors.read(in.image());
            EditMask mask = in.mask() == null ? EditMask.empty(image.width(), image.height())
                    : MaskImage.read(in.mask(), image.width(), image.height());
            List<PointPair> pairs = PointPairs.parse(in.points());
            return new DragSample(image, mask, "", pairs);
        } catch (IOException e) {
            // unreadable or invalid files are the user's input, not a program failure
            throw new IllegalArgumentException(e.getMessage(), e);
        }
    }

    private static DragSample sceneSample(Input in) throws IOException {
        DragSample generated = DragTaskGenerator.generate(in.scene(), TinyModelSpec.IMAGE_SIZE, TinyModelSpec.IMAGE_SIZE,
                DragKind.MOVE_ONE).toSample();
        RgbImage image = generated.image();
        List<PointPair> pairs = in.points() == null ? generated.points() : PointPairs.parse(in.points());
        EditMask mask = in.mask() != null ? MaskImage.read(in.mask(), image.width(), image.height())
                : in.points() == null ? generated.mask() : EditMask.empty(image.width(), image.height());
        return new DragSample(image, mask, generated.prompt(), pairs);
    }

    /** Turns a sample into the engine's request, checking the size rule of the VAE. */
    public static DragRequest request(DragSample sample, Options o) {
        return request(sample, o, ModelDragDefaults.NONE);
    }

    /** As {@link #request(DragSample, Options)}, with the model's architecture-dependent drag settings. */
    public static DragRequest request(DragSample sample, Options o, ModelDragDefaults defaults) {
        RgbImage img = sample.image();
        if (!ImageTensors.isMultipleOf8(img.width(), img.height())) {
            ImageTensors.requireMultipleOf8(img);
        }
        if (sample.points().isEmpty()) {
            throw new IllegalArgumentException("an edit needs at least one handle/target pair (--points)");
        }
        List<DragRequest.PointPair> pairs = new ArrayList<>();
        for (PointPair p : sample.points()) {
            pairs.add(new DragRequest.PointPair(new ImagePoint(p.handleX(), p.handleY()),
                    new ImagePoint(p.targetX(), p.targetY())));
        }
        DragSettings drag = defaults.apply(o.method().settings());
        if (o.maxSteps() != null) {
            drag = drag.withMaxSteps(o.maxSteps());
        }
        if (o.tracking() != null) {
            TrackingSettings t = drag.tracking();
            drag = drag.withTracking(new TrackingSettings(o.tracking(), t.reduction(), t.radius(), t.roundMinD()));
        }
        RecLoraSettings rec = defaults.apply(RecLoraSettings.reference());
        if (o.recLoraSteps() != null) {
            rec = rec.withSteps(o.recLoraSteps());
        }
        String prompt = o.prompt() != null ? o.prompt() : sample.prompt();
        return new DragRequest(img.width(), img.height(), img.rgb(), sample.mask().isEmpty() ? null : sample.mask().editable(),
                pairs, prompt, drag, rec, o.seed());
    }

    /**
     * Runs the edit and writes {@code out} (PNG); every step goes to {@code listener} and, when
     * {@code trace} is set, as one JSON line to that file.
     */
    public static Summary run(EditModel model, DragRequest request, Options o, Path out, Path trace,
            EngineRuntime runtime, Consumer<StepRecord> listener) throws IOException {
        long t0 = System.nanoTime();
        RecLoraCache cache = o.cacheDir() == null ? null : new RecLoraCache(o.cacheDir());
        int iterations = 0;
        int doo = 0;
        int ilfa = 0;
        int forwards = 0;
        int backwards = 0;
        double initial = Double.NaN;
        double last = Double.NaN;
        ObjectMapper json = new ObjectMapper();
        try (NDManager m = runtime.newManager();
                BufferedWriter traceOut = trace == null ? null : Files.newBufferedWriter(trace, StandardCharsets.UTF_8)) {
            NDArray prompt = model.encodePrompt(request.prompt(), m);
            try (DragRun run = new DragRun(model, request, prompt, m, cache, false)) {
                boolean fromCache = run.recLoraFromCache();
                while (!run.finished()) {
                    StepRecord r = run.step();
                    forwards += r.forwardPasses();
                    backwards += r.backwardPasses();
                    if (r.phase() == DragRun.Phase.DRAG) {
                        iterations++;
                        if (r.mode() == DragMode.ILFA_ONLY) {
                            ilfa++;
                        } else if (r.backwardPasses() > 0) {
                            doo++;
                        }
                    }
                    double d = meanDistance(r);
                    if (Double.isNaN(initial)) {
                        initial = d;
                    }
                    last = d;
                    if (traceOut != null) {
                        traceOut.write(json.writeValueAsString(traceLine(json, r)));
                        traceOut.newLine();
                        traceOut.flush();
                    }
                    listener.accept(r);
                }
                ImageTensors.writePng(new RgbImage(request.width(), request.height(), run.result()), out);
                return new Summary(iterations, doo, ilfa, forwards, backwards, initial, last,
                        (System.nanoTime() - t0) / 1_000_000, fromCache);
            }
        }
    }

    private static double meanDistance(StepRecord r) {
        return r.points().stream().mapToDouble(StepRecord.PointState::distance).average().orElse(Double.NaN);
    }

    /** One trace line: phase, step, mode, per-point state, losses, passes, milliseconds. */
    static ObjectNode traceLine(ObjectMapper json, StepRecord r) {
        ObjectNode n = json.createObjectNode();
        n.put("phase", r.phase().name().toLowerCase());
        n.put("index", r.index());
        n.put("total", r.total());
        if (r.mode() != null) {
            n.put("mode", r.mode() == DragMode.DOO ? "doo" : "ilfa-only");
        }
        ArrayNode pts = n.putArray("points");
        for (StepRecord.PointState p : r.points()) {
            ObjectNode pn = pts.addObject();
            pn.put("id", p.id());
            pn.putArray("handle").add(p.handleX()).add(p.handleY());
            pn.putArray("target").add(p.targetX()).add(p.targetY());
            putNumber(pn, "minD", p.minD());
            pn.put("distance", p.distance());
        }
        ObjectNode losses = n.putObject("losses");
        putNumber(losses, "total", r.losses().total());
        putNumber(losses, "drag", r.losses().drag());
        putNumber(losses, "mask", r.losses().mask());
        putNumber(losses, "dds", r.losses().dds());
        n.put("forwardPasses", r.forwardPasses());
        n.put("forwardSamples", r.forwardSamples());
        n.put("backwardPasses", r.backwardPasses());
        n.put("millis", r.nanos() / 1e6);
        if (r.event() != null) {
            n.put("event", r.event());
        }
        return n;
    }

    private static void putNumber(ObjectNode n, String key, double v) {
        if (Double.isNaN(v)) {
            n.putNull(key);
        } else {
            n.put(key, v);
        }
    }
}
