package org.draglora.http.cli;

import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.draglora.engine.tools.TrainTinyTool;
import org.draglora.engine.train.TinyModelSpec;
import org.draglora.engine.train.TinyModelTrainer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code draglora train-tiny}: trains the embedded default model on generated shape scenes,
 * resumable, then exports it as a diffusers folder with its model card.
 */
@Command(
        name = "train-tiny",
        mixinStandardHelpOptions = true,
        description = {"Train the embedded default model (VAE, its decoder alone, then UNet) on generated shape scenes and export",
            "it as a diffusers folder with a model card. Checkpoints go to --work; running again resumes."})
public final class TrainTinyCommand implements Callable<Integer> {

    @Option(names = "--out", defaultValue = "models/shapes-64", paramLabel = "DIR",
            description = "Where to export the model (default: ${DEFAULT-VALUE}).")
    private Path out;

    @Option(names = "--work", paramLabel = "DIR", description = "Checkpoints and the loss log (default: <data-dir>/train-tiny).")
    private Path work;

    @Option(names = "--vae-steps", defaultValue = "" + TinyModelSpec.SHIPPED_VAE_STEPS, paramLabel = "N",
            description = "VAE steps (default: ${DEFAULT-VALUE}).")
    private int vaeSteps;

    @Option(names = "--decoder-steps", defaultValue = "" + TinyModelSpec.SHIPPED_DECODER_STEPS, paramLabel = "N",
            description = {"Then fine-tune the VAE's decoder alone (encoder frozen, so the latents the UNet learns "
                    + "stay the same) for N steps; 0 skips it (default: ${DEFAULT-VALUE}, the shipped model)."})
    private int decoderSteps;

    @Option(names = "--vae-equivariance", defaultValue = "" + TinyModelSpec.SHIPPED_VAE_EQUIVARIANCE, paramLabel = "W",
            description = {"Weight of the VAE's scale-equivariance term (EQ-VAE: the half-size latent must decode to the "
                    + "half-size image), which makes the latents filled small images instead of edge maps; 0 = none "
                    + "(default: ${DEFAULT-VALUE}, the shipped model)."})
    private double vaeEquivariance;

    @Option(names = "--plain-scenes", defaultValue = "" + TinyModelSpec.SHIPPED_PLAIN_SCENE_SHARE, paramLabel = "SHARE",
            description = {"Share (0 to under 1) of the UNet's training scenes that are plain, one solid object on a "
                    + "flat background, the rest the generator's full stream (default: ${DEFAULT-VALUE}, the shipped "
                    + "model)."})
    private double plainSceneShare;

    @Option(names = "--plain-objects", defaultValue = "" + TinyModelSpec.SHIPPED_PLAIN_SCENE_OBJECTS, paramLabel = "N",
            description = {"Most solid objects (1 to 3) a plain scene holds; each plain scene draws 1 to N "
                    + "(default: ${DEFAULT-VALUE}, the shipped model)."})
    private int plainSceneObjects;

    @Option(names = "--plain-single", defaultValue = TinyModelTrainer.EVEN_OBJECT_COUNTS, paramLabel = "SHARE",
            description = {"Share (0 to 1) of the plain scenes that hold one object, the others holding 2 to "
                    + "--plain-objects; '" + TinyModelTrainer.EVEN_OBJECT_COUNTS + "' draws each plain scene's count evenly from 1 to --plain-objects "
                    + "(default: ${DEFAULT-VALUE}, the shipped model)."})
    private String plainSingleShare;

    @Option(names = "--train-text-encoder", arity = "0..1", defaultValue = "" + TinyModelSpec.SHIPPED_TRAIN_TEXT_ENCODER,
            fallbackValue = "true", paramLabel = "BOOL",
            description = {"Train the text encoder with the UNet (same optimiser and EMA) instead of keeping it frozen at "
                    + "its random start, so that a shape word can learn its colour word (default: ${DEFAULT-VALUE}, the "
                    + "shipped model)."})
    private boolean trainTextEncoder;

    @Option(names = "--unet-steps", defaultValue = "" + TinyModelSpec.SHIPPED_UNET_STEPS, paramLabel = "N",
            description = "UNet steps (default: ${DEFAULT-VALUE}, the shipped model).")
    private int unetSteps;

    @Option(names = "--unet-lr", defaultValue = "" + TinyModelSpec.SHIPPED_UNET_LR, paramLabel = "LR",
            description = "UNet learning rate after the warm-up (default: ${DEFAULT-VALUE}, the shipped model).")
    private double unetLr;

    @Option(names = "--init-from", paramLabel = "DIR",
            description = {"Continue from a model this command exported (text encoder and VAE as they are, UNet "
                    + "weights as the start and the EMA) when --work has no checkpoints; needs --init-step."})
    private Path initFrom;

    @Option(names = "--init-step", paramLabel = "N",
            description = "How many UNet steps the --init-from model was trained for.")
    private Integer initStep;

    @Option(names = "--vae-from", paramLabel = "DIR",
            description = {"Take the VAE of a model this command exported as stage 1 (when --work has no VAE "
                    + "checkpoint) and train a fresh text encoder and UNet on it."})
    private Path vaeFrom;

    @Option(names = "--min-snr-gamma", defaultValue = "" + TinyModelSpec.SHIPPED_MIN_SNR_GAMMA, paramLabel = "G",
            description = {"Min-SNR weighting of the UNet's epsilon loss, min(SNR, G) / SNR per sample (5 in the "
                    + "paper); 0 = plain MSE (default: ${DEFAULT-VALUE}, the shipped model)."})
    private double minSnrGamma;

    @Option(names = "--token-embedding-std", defaultValue = "" + TinyModelSpec.SHIPPED_TOKEN_EMBEDDING_STD, paramLabel = "S",
            description = {"Standard deviation of the frozen text encoder's random token embeddings: at 1 different "
                    + "words stay distinguishable after its two random layers; "
                    + TinyModelSpec.FAN_IN_TOKEN_EMBEDDING_STD + " (the fan-in draw) is what versions 1 and 2 used "
                    + "(default: ${DEFAULT-VALUE}, the shipped model)."})
    private double tokenEmbeddingStd;

    @Option(names = "--beta-end", defaultValue = "" + TinyModelSpec.SHIPPED_BETA_END, paramLabel = "B",
            description = {"The noise schedule's last beta (SD 1.5's scaled linear betas from 0.00085, 1000 steps): "
                    + TinyModelSpec.SD_BETA_END + " is SD's schedule; a larger one leaves less of the image at the last "
                    + "step, and the exported draglora.json then inverts to the same noise level as SD's drag "
                    + "(default: ${DEFAULT-VALUE}, the shipped model)."})
    private double betaEnd;

    @Option(names = "--unet-lr-decay", paramLabel = "N",
            description = {"Over the last N UNet steps the learning rate falls linearly to nearly 0 (a cool-down "
                    + "after the constant rate); 0 keeps it constant (default: "
                    + TinyModelSpec.SHIPPED_UNET_LR_DECAY_STEPS + " of the shipped model's " + TinyModelSpec.SHIPPED_UNET_STEPS
                    + " steps, the same fraction of other --unet-steps)."})
    private Integer unetLrDecaySteps;

    @Option(names = "--unet-layers", defaultValue = "" + TinyModelSpec.SHIPPED_LAYERS_PER_BLOCK, paramLabel = "N",
            description = "Resnets per UNet down block, 1 to 4 (default: ${DEFAULT-VALUE}, the shipped model).")
    private int unetLayers;

    @Option(names = "--latent-factor", defaultValue = "" + TinyModelSpec.SHIPPED_LATENT_FACTOR, paramLabel = "F",
            description = {"Image side over latent side: 4 (16x16 latents) or 2 (32x32 latents, a VAE with one "
                    + "down-sampling and a UNet of 32, 64, 128 channels) (default: ${DEFAULT-VALUE}, the shipped model)."})
    private int latentFactor;

    @Option(names = "--unet-width", defaultValue = "" + TinyModelSpec.SHIPPED_UNET_WIDTH, paramLabel = "C",
            description = {"UNet channels at the 16x16 latent level, a multiple of 32 from 32 to 256 (half of them at "
                    + "32x32 with --latent-factor 2; coarser levels keep 128, or C if more); cost grows with C^2 there "
                    + "(default: ${DEFAULT-VALUE}, the shipped model)."})
    private int unetWidth;

    @Option(names = "--vae-batch", defaultValue = "" + TinyModelSpec.SHIPPED_VAE_BATCH, paramLabel = "B",
            description = "VAE batch (default: ${DEFAULT-VALUE}).")
    private int vaeBatch;

    @Option(names = "--unet-batch", defaultValue = "" + TinyModelSpec.SHIPPED_UNET_BATCH, paramLabel = "B",
            description = "UNet batch (default: ${DEFAULT-VALUE}).")
    private int unetBatch;

    @Option(names = "--seed", defaultValue = "" + TinyModelTrainer.Builder.DEFAULT_SEED, paramLabel = "N",
            description = "Data and initialisation seed (default: ${DEFAULT-VALUE}).")
    private long seed;

    @Option(names = "--hours", defaultValue = "0", paramLabel = "H",
            description = "Stop at a checkpoint after this much time; 0 = run to the end (default).")
    private double hours;

    @Option(names = "--checkpoint-every", defaultValue = "" + TinyModelTrainer.Builder.DEFAULT_CHECKPOINT_EVERY, paramLabel = "N",
            description = "Steps between checkpoints (default: ${DEFAULT-VALUE}).")
    private int checkpointEvery;

    private final DragloraCommand root;

    public TrainTinyCommand(DragloraCommand root) {
        this.root = root;
    }

    @Override
    public Integer call() throws Exception {
        Path workDir = work != null ? work : root.settings().server().dataDir().resolve("train-tiny");
        if ((initFrom == null) != (initStep == null)) {
            throw new IllegalArgumentException("--init-from and --init-step go together");
        }
        TinyModelTrainer.Builder b = TinyModelTrainer.Options.builder(out, workDir).vaeSteps(vaeSteps).unetSteps(unetSteps)
                .batches(vaeBatch, unetBatch).seed(seed).maxHours(hours).checkpointEvery(checkpointEvery).unetLr(unetLr)
                .vaeFrom(vaeFrom).minSnrGamma(minSnrGamma).unetLayers(unetLayers).latentFactor(latentFactor)
                .unetWidth(unetWidth).tokenEmbeddingStd(tokenEmbeddingStd).betaEnd(betaEnd).decoderSteps(decoderSteps)
                .vaeEquivariance(vaeEquivariance).plainSceneShare(plainSceneShare)
                .plainSceneObjects(plainSceneObjects).plainSingleShare(plainSingleShare())
                .trainTextEncoder(trainTextEncoder);
        if (initFrom != null) {
            b.initFrom(new TinyModelTrainer.InitFrom(initFrom, initStep));
        }
        if (unetLrDecaySteps != null) { // otherwise the shipped share of --unet-steps
            b.unetLrDecaySteps(unetLrDecaySteps);
        }
        TinyModelTrainer.Options o = b.build();
        ProgressBar bar = new ProgressBar(root.err(), System.console() != null, 100);
        TinyModelTrainer.Result r;
        try {
            r = TrainTinyTool.run(o, root.engine(), new TinyModelTrainer.Listener() {
                @Override
                public void step(String stage, int step, int total, double loss) {
                    bar.update(stage, step - 1, total, String.format(Locale.ROOT, "loss %.4f", loss));
                }

                @Override
                public void message(String line) {
                    bar.finish();
                    root.err().println("train-tiny: " + line);
                    root.err().flush();
                }
            });
        } finally {
            bar.finish();
        }
        root.out().println(r.finished() ? "trained and exported " + out
                : "stopped at VAE step " + r.vaeStep() + ", decoder step " + r.decoderStep() + ", UNet step " + r.unetStep()
                        + "; run again to resume");
        root.out().flush();
        return 0;
    }

    /** {@code --plain-single}: NaN for {@link TinyModelTrainer#EVEN_OBJECT_COUNTS}, else the share as a number. */
    private double plainSingleShare() {
        if (plainSingleShare.equals(TinyModelTrainer.EVEN_OBJECT_COUNTS)) {
            return Double.NaN;
        }
        try {
            return Double.parseDouble(plainSingleShare);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--plain-single takes a share from 0 to 1 or '" + TinyModelTrainer.EVEN_OBJECT_COUNTS
                    + "', got '"
                    + plainSingleShare + "'");
        }
    }
}
