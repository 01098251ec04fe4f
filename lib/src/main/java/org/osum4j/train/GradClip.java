package org.osum4j.train;

import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Map;

/**
 * Gradient clipping by global L2 norm, as {@code torch.nn.utils.clip_grad_norm_} (OSUM/DeepSpeed clip 5):
 * when the norm over all gradients exceeds {@code maxNorm}, every gradient is scaled by
 * {@code maxNorm / (norm + 1e-6)}.
 */
public final class GradClip {

    private GradClip() {}

    /** The global L2 norm of all gradients (NaN/∞ when any gradient is not finite). */
    public static double globalNorm(Map<String, INDArray> grads) {
        double sq = 0;
        for (INDArray g : grads.values()) {
            double n = g.norm2Number().doubleValue();
            sq += n * n;
        }
        return Math.sqrt(sq);
    }

    /** Clips in place; returns the norm before clipping. */
    public static double clip(Map<String, INDArray> grads, double maxNorm) {
        double norm = globalNorm(grads);
        if (Double.isFinite(norm) && norm > maxNorm) {
            double scale = maxNorm / (norm + 1e-6);
            for (INDArray g : grads.values()) g.muli(scale);
        }
        return norm;
    }
}
