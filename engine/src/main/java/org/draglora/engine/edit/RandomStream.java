package org.draglora.engine.edit;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.draglora.engine.nn.Ops;
import java.util.SplittableRandom;

/**
 * Every random draw of one edit, derived from (seed, purpose, step index) alone, so an edit can be
 * re-executed exactly on the same device and build, whatever else the process drew before or
 * in between (ARCHITECTURE.md, Determinism). Draws are made in Java and copied to the device.
 */
public final class RandomStream {

    /** What a draw is for; each purpose has its own sequence. */
    public enum Purpose { RECLORA_NOISE, RECLORA_TIMESTEP, RECLORA_CROP, RECLORA_POSTERIOR, DDS_TIMESTEP, DDS_NOISE,
        ILFA_NOISE, LORA_INIT }

    private final long seed;

    public RandomStream(long seed) {
        this.seed = seed;
    }

    /** The seed. */
    public long seed() {
        return seed;
    }

    private SplittableRandom generator(Purpose purpose, long index) {
        // mix the three inputs through SplittableRandom's own seed scrambler
        long mixed = new SplittableRandom(seed).split().nextLong() ^ (31L * purpose.ordinal() + 1) * 0x9E3779B97F4A7C15L;
        return new SplittableRandom(mixed + index * 0xBF58476D1CE4E5B9L);
    }

    /** Standard normal values of {@code shape} in {@code manager}. */
    public NDArray gaussian(NDManager manager, Shape shape, Purpose purpose, long index) {
        SplittableRandom r = generator(purpose, index);
        float[] v = new float[Math.toIntExact(shape.size())];
        for (int i = 0; i < v.length; i += 2) {
            // Box-Muller, two values per pair of uniforms
            double u1 = 1.0 - r.nextDouble();
            double u2 = r.nextDouble();
            double radius = Math.sqrt(-2.0 * Math.log(u1));
            v[i] = (float) (radius * Math.cos(2 * Math.PI * u2));
            if (i + 1 < v.length) {
                v[i + 1] = (float) (radius * Math.sin(2 * Math.PI * u2));
            }
        }
        return Ops.owned(manager.create(v, shape));
    }

    /** A uniform integer in [0, bound). */
    public int uniformInt(Purpose purpose, long index, int bound) {
        return generator(purpose, index).nextInt(bound);
    }

    /** The seed for a sub-generator (e.g. LoRA initialisation). */
    public long derivedSeed(Purpose purpose, long index) {
        return generator(purpose, index).nextLong();
    }
}
