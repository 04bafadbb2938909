package org.draglora.engine.bench;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;
import org.draglora.engine.edit.EditModel;
import org.draglora.engine.edit.RandomStream;
import org.draglora.engine.io.RgbImage;
import org.draglora.engine.runtime.EngineRuntime;
import org.draglora.engine.runtime.NoGrad;
import org.draglora.engine.shapes.SampleShapeFit;
import org.draglora.engine.shapes.Scene;
import org.draglora.engine.shapes.SceneGenerator;
import org.draglora.engine.shapes.ShapeObject;
import org.draglora.engine.shapes.Texture;
import org.draglora.engine.train.TinyModelReport;

/**
 * {@code draglora bench samples}: whether a model's samples from noise show the shapes their prompts
 * name, the model card's sample grid as numbers. For generated scenes, plain ones (one solid object on a
 * flat background, {@link SceneGenerator#plain}) and the generator's full stream, a sample of each
 * scene's prompt (as the card's grid draws them: {@link TinyModelReport#sample}); every object the
 * prompt names is looked for in the sample by its colours and every kind of shape fitted to it
 * ({@link SampleShapeFit}). Reported per group of objects: how many were drawn at all, how many are
 * best fitted by the prompted kind, and the prompted kind's mean IoU; and the same for the scenes
 * themselves, the ceiling of the measure (occluded objects and thin rings fit less than perfectly).
 * The full stream's objects are grouped twice: by fill, and by how many objects their scene holds
 * (crowded scenes are where small models lose the shapes: docs/shapedrag-experiments.md).
 */
public final class SampleShapeBenchmark {

    /**
     * The groups of prompted objects, in table order: the plain scenes' objects, then the full stream's
     * split by fill ({@link #SOLID}, {@link #TEXTURED}) and again by its scene's object count (the last three).
     */
    public enum Group {
        PLAIN("plain scenes (one solid object, flat background)"),
        SOLID("full stream, solid fills"),
        TEXTURED("full stream, striped, checkered or shaded fills"),
        ONE_OBJECT("full stream, scenes of one object"),
        TWO_OBJECTS("full stream, scenes of two objects"),
        THREE_OBJECTS("full stream, scenes of three objects");

        private final String label;

        Group(String label) {
            this.label = label;
        }

        public String label() {
            return label;
        }
    }

    /** Counts and sums of one group's fits. */
    public record Tally(int objects, int found, int kindRight, double iouSum) {

        static final Tally EMPTY = new Tally(0, 0, 0, 0);

        Tally plus(SampleShapeFit.Fit f) {
            return new Tally(objects + 1, found + (f.found() ? 1 : 0), kindRight + (f.kindRight() ? 1 : 0),
                    iouSum + f.promptedIou());
        }

        public double foundShare() {
            return objects == 0 ? Double.NaN : (double) found / objects;
        }

        public double kindRightShare() {
            return objects == 0 ? Double.NaN : (double) kindRight / objects;
        }

        /** Mean IoU of the prompted kind's fit over the group's objects (0 for an object not drawn). */
        public double meanIou() {
            return objects == 0 ? Double.NaN : iouSum / objects;
        }
    }

    /** Per group: the samples' tally and the scenes' own (the ceiling). */
    public record Result(SceneCases options, Tally[] samples, Tally[] scenes) implements BenchReport {

        @Override
        public String toMarkdown() {
            StringBuilder b = new StringBuilder(String.format(Locale.ROOT, "Sample shapes: %d plain and %d full-stream scenes "
                    + "(seed %d), a sample of each prompt from noise (DDIM %d steps, guidance %s); each prompted object found "
                    + "by its colours and every shape kind fitted to it; in brackets the same measure on the scenes "
                    + "themselves%n%n", options.cases(), options.cases(), options.seed(), TinyModelReport.SAMPLE_STEPS,
                    TinyModelReport.SAMPLE_GUIDANCE));
            b.append("| objects | count | drawn | best fit is the prompted shape | IoU of the prompted shape |\n");
            b.append("|---|---|---|---|---|\n");
            for (Group g : Group.values()) {
                Tally s = samples[g.ordinal()];
                Tally r = scenes[g.ordinal()];
                b.append(String.format(Locale.ROOT, "| %s | %d | %.0f %% (%.0f %%) | %.0f %% (%.0f %%) | %.2f (%.2f) |%n", g.label(),
                        s.objects(), 100 * s.foundShare(), 100 * r.foundShare(), 100 * s.kindRightShare(),
                        100 * r.kindRightShare(), s.meanIou(), r.meanIou()));
            }
            return b.toString();
        }

        /** {cases, seed, groups: {"plain": {objects, drawn, kind_right, iou, scene_drawn, scene_kind_right, scene_iou}, ...}}. */
        @Override
        public void writeJson(Path file) throws IOException {
            ObjectNode root = BenchJson.root(options.cases(), options.seed());
            ObjectNode groups = root.putObject("groups");
            for (Group g : Group.values()) {
                Tally s = samples[g.ordinal()];
                Tally r = scenes[g.ordinal()];
                ObjectNode n = groups.putObject(g.name().toLowerCase(Locale.ROOT));
                n.put("objects", s.objects());
                n.put("drawn", s.foundShare());
                n.put("kind_right", s.kindRightShare());
                n.put("iou", s.meanIou());
                n.put("scene_drawn", r.foundShare());
                n.put("scene_kind_right", r.kindRightShare());
                n.put("scene_iou", r.meanIou());
            }
            BenchJson.write(root, file);
        }
    }

    private SampleShapeBenchmark() {}

    /** Scene {@code index} of the benchmark: plain ones first, then the full stream (distinct seeds). */
    static Scene scene(long seed, int index, int cases) {
        long sceneSeed = seed * 1_000_003L + index;
        return index < cases ? SceneGenerator.plain(sceneSeed, 64, 64) : SceneGenerator.generate(sceneSeed, 64, 64);
    }

    /** The groups of object {@code k} of scene {@code index}: plain, or its fill's and its scene's count's. */
    static List<Group> groups(Scene scene, int index, int cases, int k) {
        if (index < cases) {
            return List.of(Group.PLAIN);
        }
        Group fill = scene.objects().get(k).texture() == Texture.SOLID ? Group.SOLID : Group.TEXTURED;
        // the generator's full stream holds 1 to 3 objects (SceneConstraints.defaults)
        Group crowd = switch (scene.objects().size()) {
            case 1 -> Group.ONE_OBJECT;
            case 2 -> Group.TWO_OBJECTS;
            case 3 -> Group.THREE_OBJECTS;
            default -> throw new IllegalStateException("a full-stream scene of " + scene.objects().size() + " objects");
        };
        return List.of(fill, crowd);
    }

    /** Samples and measures {@code model} on {@link SceneCases#cases()} plain and as many full-stream scenes. */
    public static Result run(EditModel model, SceneCases o, EngineRuntime rt, Consumer<String> progress) {
        Tally[] samples = new Tally[Group.values().length];
        Tally[] scenes = new Tally[Group.values().length];
        Arrays.fill(samples, Tally.EMPTY);
        Arrays.fill(scenes, Tally.EMPTY);
        RandomStream random = new RandomStream(o.seed());
        int total = 2 * o.cases();
        try (NDManager m = rt.newManager(); NoGrad ignored = NoGrad.open()) {
            NDArray empty = model.encodePrompt("", m);
            for (int i = 0; i < total; i++) {
                Scene scene = scene(o.seed(), i, o.cases());
                RgbImage rendered = scene.render();
                RgbImage sample;
                try (NDManager s = m.newSubManager()) {
                    int side = rendered.width() / model.latentScale();
                    NDArray z = random.gaussian(s, new Shape(1, 4, side, side), RandomStream.Purpose.DDS_NOISE, i);
                    sample = TinyModelReport.sample(model, z, model.encodePrompt(scene.prompt(), s), empty);
                }
                for (int k = 0; k < scene.objects().size(); k++) {
                    ShapeObject object = scene.objects().get(k);
                    SampleShapeFit.Fit drawn = SampleShapeFit.fit(sample, object);
                    SampleShapeFit.Fit own = SampleShapeFit.fit(rendered, object);
                    for (Group group : groups(scene, i, o.cases(), k)) {
                        int g = group.ordinal();
                        samples[g] = samples[g].plus(drawn);
                        scenes[g] = scenes[g].plus(own);
                    }
                }
                progress.accept("scene " + (i + 1) + "/" + total);
            }
        }
        return new Result(o, samples, scenes);
    }
}
