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

    // ---- training -------------------------------------------------------------------------------

    /**
     * Gradients of one {@link #apply} call.
     *
     * @param dInput [..., D] dL/dx
     * @param dGamma [D]
     * @param dBeta  [D]
     */
    public record Grad(INDArray dInput, INDArray dGamma, INDArray dBeta) {

        /** Puts {@code prefix.weight} (γ) and {@code prefix.bias} (β) into {@code grads}. */
        public void putInto(java.util.Map<String, INDArray> grads, String prefix) {
            grads.put(prefix + ".weight", dGamma);
            grads.put(prefix + ".bias", dBeta);
        }

        /** The same parameter gradients with {@code dInput} dropped (after a caller consumed and released it). */
        public Grad withoutInput() {
            return new Grad(null, dGamma, dBeta);
        }
    }

    /** Backward of {@link #apply}: dy and the input x, both [..., D] (mean and variance are recomputed from x). */
    public Grad backward(INDArray dy, INDArray x) {
        double[] dg = new double[(int) dim()], db = new double[(int) dim()];
        INDArray dx = GradKernels.layerNormBackward(dy, x, gamma, eps, dg, db);   // [..., D]
        return new Grad(dx, GradKernels.toArray(dg), GradKernels.toArray(db));
    }
}
