package org.draglora.engine.bench;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;
import org.draglora.engine.edit.EditModel;
import org.draglora.engine.edit.RandomStream;
import org.draglora.engine.io.ImageTensors;
import org.draglora.engine.nn.Ops;
import org.draglora.engine.runtime.EngineRuntime;
import org.draglora.engine.runtime.NoGrad;
import org.draglora.engine.shapes.BackgroundKind;
import org.draglora.engine.shapes.Palette;
import org.draglora.engine.shapes.Scene;
import org.draglora.engine.shapes.SceneConstraints;
import org.draglora.engine.shapes.SceneGenerator;
import org.draglora.engine.shapes.ShapeColour;
import org.draglora.engine.shapes.ShapeKind;
import org.draglora.engine.shapes.ShapeObject;
import org.draglora.engine.shapes.Texture;
import org.draglora.engine.unet.ForwardContext;

/**
 * {@code draglora bench prompts}: which words of a prompt a model's UNet reads. For generated scenes of
 * one solid object on a flat background, the noise-prediction error (epsilon MSE) at several noise
 * levels with the scene's prompt, and how much it rises when the prompt names another shape
 * ("a red disc" for a red square), another colour ("a blue square"), or nothing (the empty
 * prompt). A UNet that draws the prompted shape must predict worse with the wrong shape word; one
 * whose error barely moves has not learnt what the shape words mean, and its samples from noise
 * are blobs of the right colour (docs/shapedrag-experiments.md, "Does the UNet read the shape?").
 */
public final class PromptReadingBenchmark {

    /** The noise levels measured: from mostly image (t = 300) to mostly noise (t = 900), SD's schedule of 1000 steps. */
    public static final List<Long> TIMESTEPS = List.of(300L, 500L, 700L, 900L);

    /** The prompts compared, in table order. */
    public enum Prompt {
        SCENE("scene's prompt"), OTHER_SHAPE("another shape"), OTHER_COLOUR("another colour"), EMPTY("empty prompt");

        private final String label;

        Prompt(String label) {
            this.label = label;
        }

        public String label() {
            return label;
        }
    }

    /** The mean epsilon MSE over the scenes, per timestep ({@link #TIMESTEPS}) and prompt ({@link Prompt}). */
    public record Result(SceneCases options, double[][] error) implements BenchReport {

        /** The rise of {@code prompt}'s error over the scene prompt's at timestep index {@code t}, in percent. */
        public double risePercent(int t, Prompt prompt) {
            return 100 * (error[t][prompt.ordinal()] / error[t][Prompt.SCENE.ordinal()] - 1);
        }

        @Override
        public String toMarkdown() {
            StringBuilder b = new StringBuilder(String.format(Locale.ROOT, "Prompt reading: %d scenes of one solid object on "
                    + "a flat background (seed %d); noise-prediction error (epsilon MSE, mean over scenes) with the scene's "
                    + "prompt, and its rise with a prompt that names another shape, another colour, or nothing%n%n",
                    options.cases(), options.seed()));
            // columns: the scene prompt's error, then each other prompt's rise over it
            b.append("| t |");
            for (Prompt p : Prompt.values()) {
                b.append(' ').append(p.label()).append(" |");
            }
            b.append("\n|---|").append("---|".repeat(Prompt.values().length)).append('\n');
            for (int t = 0; t < TIMESTEPS.size(); t++) {
                b.append(String.format(Locale.ROOT, "| %d | %.4f |", TIMESTEPS.get(t), error[t][Prompt.SCENE.ordinal()]));
                for (Prompt p : Prompt.values()) {
                    if (p != Prompt.SCENE) {
                        b.append(String.format(Locale.ROOT, " %+.0f %% |", risePercent(t, p)));
                    }
                }
                b.append('\n');
            }
            return b.toString();
        }

        /** {cases, seed, timesteps: {"300": {"scene": mse, "other_shape": mse, "other_colour": mse, "empty": mse}, ...}}. */
        @Override
        public void writeJson(Path file) throws IOException {
            ObjectNode root = BenchJson.root(options.cases(), options.seed());
            ObjectNode ts = root.putObject("timesteps");
            for (int t = 0; t < TIMESTEPS.size(); t++) {
                ObjectNode n = ts.putObject(Long.toString(TIMESTEPS.get(t)));
                for (Prompt p : Prompt.values()) {
                    n.put(p.name().toLowerCase(Locale.ROOT), error[t][p.ordinal()]);
                }
            }
            BenchJson.write(root, file);
        }
    }

    /** One scene and the three other prompts. */
    record Case(Scene scene, String[] prompts) {}

    private PromptReadingBenchmark() {}

    /**
     * Scene {@code index} of the benchmark: the first scene from seed {@code seed} on of one solid object on
     * a flat background, with its prompt, the prompt of the same scene with the object's shape
     * changed to another kind and with its colour changed to another object colour (both chosen by
     * the index, so that every kind and colour is swapped in), and the empty prompt.
     */
    static Case scene(long seed, int index) {
        for (long j = 0; ; j++) {
            Scene s = SceneGenerator.generate(seed * 1_000_003L + index * 1_000L + j, 64, 64, SceneConstraints.exactly(1, 64, 64));
            ShapeObject o = s.objects().get(0);
            if (s.background().kind() != BackgroundKind.FLAT || o.texture() != Texture.SOLID) {
                continue;
            }
            ShapeKind[] kinds = ShapeKind.values();
            ShapeKind otherKind = kinds[(o.kind().ordinal() + 1 + index % (kinds.length - 1)) % kinds.length];
            List<ShapeColour> colours = Palette.OBJECT_COLOURS;
            int c = colours.indexOf(o.fill());
            ShapeColour otherColour = colours.get((c + 1 + index % (colours.size() - 1)) % colours.size());
            return new Case(s, new String[] {s.prompt(), s.withObject(0, o.withKind(otherKind)).prompt(),
                s.withObject(0, o.withFill(otherColour)).prompt(), ""});
        }
    }

    /** Measures {@code model} on {@link SceneCases#cases()} scenes. */
    public static Result run(EditModel model, SceneCases o, EngineRuntime rt, Consumer<String> progress) {
        double[][] sum = new double[TIMESTEPS.size()][Prompt.values().length];
        RandomStream random = new RandomStream(o.seed());
        try (NDManager m = rt.newManager(); NoGrad ignored = NoGrad.open()) {
            for (int i = 0; i < o.cases(); i++) {
                Case c = scene(o.seed(), i);
                try (NDManager s = m.newSubManager()) {
                    NDArray z0 = Ops.scale(model.vae().encode(ImageTensors.toTensor(c.scene().render(), s)).mean(),
                            model.scalingFactor());
                    List<NDArray> texts = new ArrayList<>();
                    for (String p : c.prompts()) {
                        texts.add(model.encodePrompt(p, s));
                    }
                    for (int t = 0; t < TIMESTEPS.size(); t++) {
                        long step = TIMESTEPS.get(t);
                        NDArray eps = random.gaussian(s, z0.getShape(), RandomStream.Purpose.DDS_NOISE, (long) i * TIMESTEPS.size() + t);
                        // the same noisy latent for every prompt
                        NDArray zt = model.scheduler().addNoise(z0, eps, step);
                        for (int p = 0; p < texts.size(); p++) {
                            NDArray pred = model.unet().forward(zt, step, texts.get(p), ForwardContext.DEFAULT).sample();
                            sum[t][p] += pred.sub(eps).square().mean().getFloat();
                        }
                    }
                }
                progress.accept("scene " + (i + 1) + "/" + o.cases());
            }
        }
        for (double[] row : sum) {
            for (int p = 0; p < row.length; p++) {
                row[p] /= o.cases();
            }
        }
        return new Result(o, sum);
    }
}
