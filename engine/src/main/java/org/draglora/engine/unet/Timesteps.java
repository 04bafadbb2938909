package org.draglora.engine.unet;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;

/**
 * Port of diffusers {@code Timesteps} / {@code get_timestep_embedding} (models/embeddings.py, v0.27):
 * the sinusoidal embedding, computed in float32 as diffusers does.
 * {@code freq_i = exp(-ln(10000) * i / (half - freqShift))}, {@code arg = t * freq}, output
 * {@code [sin | cos]}, or {@code [cos | sin]} with flip_sin_to_cos. No weights.
 * Shapes: timesteps (B) -> (B, dim).
 */
public final class Timesteps {

    private final int dim;
    private final boolean flipSinToCos;
    private final int freqShift;

    public Timesteps(int dim, boolean flipSinToCos, int freqShift) {
        this.dim = dim;
        this.flipSinToCos = flipSinToCos;
        this.freqShift = freqShift;
    }

    public NDArray forward(NDArray timesteps) {
        NDManager m = timesteps.getManager();
        int half = dim / 2;
        // exponent = -ln(10000) * arange(half) / (half - freq_shift), float32 (max_period 10000)
        NDArray exponent = m.arange(0, half, 1, DataType.FLOAT32)
                .mul((float) -Math.log(10000.0)).div((float) (half - freqShift));
        // (B) -> (B, 1) x (1, half) -> (B, half)
        NDArray args = timesteps.toType(DataType.FLOAT32, false).reshape(-1, 1).mul(exponent.exp().reshape(1, half));
        NDArray sin = args.sin();
        NDArray cos = args.cos();
        return flipSinToCos ? NDArrays.concat(new NDList(cos, sin), 1) : NDArrays.concat(new NDList(sin, cos), 1);
    }
}
