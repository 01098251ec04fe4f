package org.osum4j.model.nn;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;
import org.osum4j.model.io.SafeTensors;

/**
 * torch {@code nn.LayerNorm} over the last axis: {@code (x − mean) / sqrt(var + eps) · γ + β} with the
 * biased variance (divide by D, not D − 1). Computed in fp32 with whole-array ops.
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
        long[] shape = x.shape();
        if (shape[shape.length - 1] != d) {
            throw new IllegalArgumentException("layer norm over " + d + " features: input " + Params.shape(x));
        }
        INDArray x2 = x.reshape('c', x.length() / d, d).dup();           // [N, D], own copy
        INDArray mean = x2.mean(1);                                     // [N]
        x2.subiColumnVector(mean);                                      // x − mean
        INDArray var = x2.mul(x2).mean(1);                              // [N] biased variance
        INDArray std = Transforms.sqrt(var.addi(eps), false);           // [N] sqrt(var + eps)
        x2.diviColumnVector(std).muliRowVector(gamma).addiRowVector(beta);
        return x2.reshape('c', shape);
    }
}
