package org.draglora.engine.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.LongFunction;
import javax.imageio.ImageIO;
import org.draglora.engine.edit.EditModel;
import org.draglora.engine.edit.RandomStream;
import org.draglora.engine.io.ImageTensors;
import org.draglora.engine.io.RgbImage;
import org.draglora.engine.nn.Ops;
import org.draglora.engine.runtime.EngineRuntime;
import org.draglora.engine.runtime.NoGrad;
import org.draglora.engine.schedule.DdimScheduler;
import org.draglora.engine.unet.ForwardContext;

/**
 * The quality report of a trained model folder, read back through the same loaders as SD 1.5:
 * a grid of samples (DDIM, 50 steps, from noise), the loss curves, and reconstruction PSNRs: the
 * VAE alone, and DDIM inversion to the drag timestep (t = 681) followed by regeneration, on held-out
 * generated scenes. Writes {@code samples.png} and {@code loss.png} and returns the numbers.
 */
public final class TinyModelReport {

    /** The measured numbers. */
    public record Numbers(double vaePsnr, double inversionPsnr, int scenes, long dragTimestep) {}

    private TinyModelReport() {}

    /** Measures and writes the pictures next to the model. */
    public static Numbers write(EditModel model, Path folder, Path lossLog, LongFunction<TrainingExample> heldOut,
            EngineRuntime rt) throws IOException {
        samples(model, folder.resolve("samples.png"), heldOut, rt, 16);
        if (lossLog != null && Files.isRegularFile(lossLog)) {
            lossCurve(lossLog, folder.resolve("loss.png"));
        }
        return reconstruction(model, heldOut, rt, 16);
    }

    /**
     * Classifier-free guidance of the sample grid (Ho and Salimans 2022): the prediction with the
     * prompt pushed away from the one without by this factor, as SD's pipeline does with 7.5 (the
     * trainer drops 10 % of the prompts, so the UNet knows the empty one). 3 makes this model's colours
     * and backgrounds clean; shapes come from the model either way.
     */
    public static final float SAMPLE_GUIDANCE = 3f;

    /** DDIM steps of a sample from noise. */
    public static final int SAMPLE_STEPS = 50;

    /**
     * A sample from the start latent {@code z} (1x4xhxw, unit Gaussian) with the encoded prompt {@code text}:
     * DDIM {@link #SAMPLE_STEPS} steps with classifier-free guidance {@link #SAMPLE_GUIDANCE} against the
     * encoded empty prompt {@code empty}, decoded. Call under {@link NoGrad}.
     */
    public static RgbImage sample(EditModel model, NDArray z, NDArray text, NDArray empty) {
        DdimScheduler scheduler = model.scheduler();
        for (long t : scheduler.timesteps(SAMPLE_STEPS)) {
            NDArray eps = model.unet().forward(z, t, text, ForwardContext.DEFAULT).sample();
            NDArray unconditional = model.unet().forward(z, t, empty, ForwardContext.DEFAULT).sample();
            eps = unconditional.add(eps.sub(unconditional).mul(SAMPLE_GUIDANCE));
            z = scheduler.step(eps, t, z, SAMPLE_STEPS).prevSample();
        }
        return ImageTensors.fromTensor(model.vae().decode(Ops.divide(z, model.scalingFactor())));
    }

    /**
     * {@code n} held-out scenes beside samples from noise with their prompts (DDIM 50 steps, guidance
     * {@link #SAMPLE_GUIDANCE}): rows of 4 (scene, sample) pairs.
     */
    static void samples(EditModel model, Path file, LongFunction<TrainingExample> heldOut, EngineRuntime rt, int n)
            throws IOException {
        int size = TinyModelSpec.IMAGE_SIZE;
        BufferedImage grid = new BufferedImage(8 * size, (n + 3) / 4 * size, BufferedImage.TYPE_INT_RGB);
        try (NDManager m = rt.newManager(); NoGrad ignored = NoGrad.open()) {
            RandomStream random = new RandomStream(2026);
            int latent = size / model.latentScale();
            NDArray empty = model.encodePrompt("", m);
            for (int i = 0; i < n; i++) {
                try (NDManager s = m.newSubManager()) {
                    TrainingExample scene = heldOut.apply(i);
                    NDArray text = model.encodePrompt(scene.prompt(), s);
                    NDArray z = random.gaussian(s, new Shape(1, 4, latent, latent), RandomStream.Purpose.DDS_NOISE, i);
                    RgbImage img = sample(model, z, text, empty);
                    int x = (i % 4) * 2 * size;
                    int y = (i / 4) * size;
                    grid.getGraphics().drawImage(ImageTensors.toBufferedImage(scene.image()), x, y, null);
                    grid.getGraphics().drawImage(ImageTensors.toBufferedImage(img), x + size, y, null);
                }
            }
        }
        ImageIO.write(grid, "png", file.toFile());
    }

    /**
     * PSNR of the VAE alone and of inversion to the drag timestep plus regeneration, over {@code count}
     * scenes; the drag timestep is the one the model's drag settings use (t = 681 on SD's schedule,
     * {@link TinyModelSpec#inversionStrength}).
     */
    static Numbers reconstruction(EditModel model, LongFunction<TrainingExample> heldOut, EngineRuntime rt, int count) {
        DdimScheduler scheduler = model.scheduler();
        long tDrag = scheduler.dragTimestep(50, TinyModelSpec.inversionStrength(scheduler.config()));
        List<Long> down = new ArrayList<>();
        for (long t : scheduler.timesteps(50)) {
            if (t <= tDrag) {
                down.add(t);
            }
        }
        double vae = 0;
        double inv = 0;
        try (NDManager m = rt.newManager(); NoGrad ignored = NoGrad.open()) {
            for (int i = 0; i < count; i++) {
                try (NDManager s = m.newSubManager()) {
                    TrainingExample ex = heldOut.apply(1000 + i);
                    NDArray x = ImageTensors.toTensor(ex.image(), s);
                    NDArray text = model.encodePrompt(ex.prompt(), s);
                    NDArray z0 = Ops.scale(model.vae().encode(x).mean(), model.scalingFactor());
                    vae += psnr(ex.image(), ImageTensors.fromTensor(model.vae().decode(Ops.divide(z0, model.scalingFactor()))));
                    NDArray z = z0;
                    for (int k = down.size() - 1; k >= 0; k--) {
                        long t = down.get(k);
                        NDArray eps = model.unet().forward(z, t, text, ForwardContext.DEFAULT).sample();
                        z = scheduler.inverseStep(eps, t, z, 50).prevSample();
                    }
                    for (long t : down) {
                        NDArray eps = model.unet().forward(z, t, text, ForwardContext.DEFAULT).sample();
                        z = scheduler.step(eps, t, z, 50).prevSample();
                    }
                    inv += psnr(ex.image(), ImageTensors.fromTensor(model.vae().decode(Ops.divide(z, model.scalingFactor()))));
                }
            }
        }
        return new Numbers(vae / count, inv / count, count, tDrag);
    }

    /** PSNR in dB between two 8-bit images of the same size. */
    public static double psnr(RgbImage a, RgbImage b) {
        byte[] x = a.rgb();
        byte[] y = b.rgb();
        double se = 0;
        for (int i = 0; i < x.length; i++) {
            double d = (x[i] & 0xFF) - (y[i] & 0xFF);
            se += d * d;
        }
        double mse = se / x.length;
        return mse == 0 ? 100 : 10 * Math.log10(255.0 * 255.0 / mse);
    }

    /** The loss log's stages in training order, with their panel titles. */
    private static final Map<String, String> STAGE_TITLES = new LinkedHashMap<>();

    static {
        STAGE_TITLES.put("vae", "VAE: L1 + KL");
        STAGE_TITLES.put("decoder", "VAE decoder alone: L1");
        STAGE_TITLES.put("unet", "UNet: epsilon MSE");
    }

    /**
     * The loss log, raw and smoothed, log scale: a panel per stage (VAE, the decoder fine-tuning when
     * the log has any of its steps, UNet), side by side.
     */
    static void lossCurve(Path log, Path file) throws IOException {
        Map<String, List<double[]>> stages = new LinkedHashMap<>();
        STAGE_TITLES.keySet().forEach(stage -> stages.put(stage, new ArrayList<>()));
        for (String line : Files.readAllLines(log, StandardCharsets.UTF_8)) {
            String[] p = line.split(",");
            if (p.length < 3 || !stages.containsKey(p[0])) {
                continue; // the header, or a stage this plot does not know
            }
            stages.get(p[0]).add(new double[] {Double.parseDouble(p[1]), Double.parseDouble(p[2])});
        }
        if (stages.get("decoder").isEmpty()) {
            stages.remove("decoder");
        }
        int pw = 450; // per panel
        int w = pw * stages.size();
        int h = 320;
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, w, h);
        int x0 = 10;
        for (Map.Entry<String, List<double[]>> stage : stages.entrySet()) {
            panel(g, stage.getValue(), x0, STAGE_TITLES.get(stage.getKey()), pw - 20, h);
            x0 += pw;
        }
        g.dispose();
        ImageIO.write(img, "png", file.toFile());
    }

    /** The note in a panel without steps: the component was not trained in this run (train-tiny --vae-from). */
    static void drawNoSteps(Graphics2D g, int left, int top, int right, int bottom) {
        g.setColor(Color.DARK_GRAY);
        String[] lines = {"no steps of this stage in this run's log:", "the component was taken from an earlier",
            "model (train-tiny --vae-from), whose", "loss.png has its curve"};
        int y = (top + bottom) / 2 - 24;
        for (String line : lines) {
            g.drawString(line, left + 20, y);
            y += 16;
        }
    }

    private static void panel(Graphics2D g, List<double[]> points, int x0, String title, int pw, int h) {
        g.setColor(Color.BLACK);
        g.drawString(title, x0 + 40, 18);
        int left = x0 + 40;
        int top = 28;
        int bottom = h - 30;
        int right = x0 + pw;
        g.drawRect(left, top, right - left, bottom - top);
        if (points.size() < 2) {
            drawNoSteps(g, left, top, right, bottom);
            return;
        }
        double maxStep = points.get(points.size() - 1)[0];
        double lo = Double.MAX_VALUE;
        double hi = -Double.MAX_VALUE;
        for (double[] p : points) {
            lo = Math.min(lo, Math.log10(p[1]));
            hi = Math.max(hi, Math.log10(p[1]));
        }
        g.drawString(String.format(Locale.ROOT, "%.3g", Math.pow(10, hi)), x0, top + 10);
        g.drawString(String.format(Locale.ROOT, "%.3g", Math.pow(10, lo)), x0, bottom);
        g.drawString("step " + (long) maxStep, right - 70, h - 10);
        double smooth = points.get(0)[1];
        int px = -1;
        int py = -1;
        int sx = -1;
        int sy = -1;
        for (double[] p : points) {
            int x = left + (int) ((right - left) * p[0] / maxStep);
            int y = bottom - (int) ((bottom - top) * (Math.log10(p[1]) - lo) / Math.max(1e-9, hi - lo));
            smooth = 0.98 * smooth + 0.02 * p[1];
            int ys = bottom - (int) ((bottom - top) * (Math.log10(smooth) - lo) / Math.max(1e-9, hi - lo));
            if (px >= 0) {
                g.setColor(new Color(170, 190, 230));
                g.setStroke(new BasicStroke(1f));
                g.drawLine(px, py, x, y);
                g.setColor(new Color(20, 60, 160));
                g.setStroke(new BasicStroke(2f));
                g.drawLine(sx, sy, x, ys);
            }
            px = x;
            py = y;
            sx = x;
            sy = ys;
        }
    }

}
