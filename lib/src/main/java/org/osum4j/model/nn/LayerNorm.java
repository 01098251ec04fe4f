package org.osum4j.model.nn;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.osum4j.model.io.SafeTensors;

/**
 * torch {@code nn.LayerNorm} over the last axis: {@code (x − mean) / sqrt(var + eps) · γ + β} with the
 * biased variance (divide by D, not D − 1). Computed row by row in {@link Kernels#layerNorm}.
 *
 * @param gamma [D]
 * @param beta  [D]
 * @param eps   added to the variance; 1e-5 for Whisper and wenet
 */
public record LayerNorm(INDArray gamma, INDArray beta, double eps) {

    /** Loads {@code prefix.weight} and {@code prefix.bias}, both [D]. */
    public static LayerNorm load(SafeTensors st, String prefix, long d, double eps) {
        return new LayerNorm(Params.load(st, prefix + ".weight", d).reshape(d),
                Params.load(st, prefix + ".bias", d).reshape(d), eps);
    }

    public long dim() {
        return gamma.length();
    }

    /** x [..., D] → [..., D] (a new array). */
    public INDArray apply(INDArray x) {
        long d = dim();
        long[] shape = x.shape().clone();                              // ND4J hands out its own shape array
        if (shape[shape.length - 1] != d) {
            throw new IllegalArgumentException("layer norm over " + d + " features: input " + Params.shape(x));
        }
        return Kernels.layerNorm(x, gamma, beta, eps);                  // [..., D], one fused pass per row
    }
}
