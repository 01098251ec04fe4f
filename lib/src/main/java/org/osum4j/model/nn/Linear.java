package org.osum4j.model.nn;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.osum4j.model.io.SafeTensors;

/**
 * A torch-style linear layer {@code y = x·Wᵀ + b} over the last axis of any-rank input. The weight keeps
 * the checkpoint layout [out, in]; the product is one GEMM with a transposed second operand.
 *
 * @param weight [out, in]
 * @param bias   [out], or null for a layer without bias (Whisper's k projection)
 */
public record Linear(INDArray weight, INDArray bias) {

    public Linear {
        if (weight.rank() != 2) throw new IllegalArgumentException("linear weight must be [out, in], got " + Params.shape(weight));
        if (bias != null && bias.length() != weight.size(0)) {
            throw new IllegalArgumentException("linear bias " + Params.shape(bias) + " does not match weight " + Params.shape(weight));
        }
    }

    /** Loads {@code prefix.weight} [out, in] and, when {@code withBias}, {@code prefix.bias} [out]. */
    public static Linear load(SafeTensors st, String prefix, long out, long in, boolean withBias) {
        INDArray w = Params.load(st, prefix + ".weight", out, in);
        INDArray b = withBias ? Params.load(st, prefix + ".bias", out).reshape(out) : null;
        return new Linear(w, b);
    }

    public long in() {
        return weight.size(1);
    }

    public long out() {
        return weight.size(0);
    }

    /** x [..., in] → [..., out]. */
    public INDArray apply(INDArray x) {
        long[] shape = x.shape().clone();                              // ND4J hands out its own shape array
        if (shape[shape.length - 1] != in()) {
            throw new IllegalArgumentException("linear [" + out() + " x " + in() + "]: input " + Params.shape(x)
                    + " must end in " + in());
        }
        long rows = x.length() / in();
        INDArray x2 = x.reshape('c', rows, in());                       // [N, in]
        INDArray y = Nd4j.gemm(x2, weight, false, true);                // [N, out] = x·Wᵀ
        if (bias != null) Kernels.addRowVectorAndScale(y, bias, 1.0);  // + b
        shape[shape.length - 1] = out();
        return y.reshape('c', shape);                                   // [..., out]
    }

    // ---- training -------------------------------------------------------------------------------

    /**
     * Gradients of one {@link #apply} call.
     *
     * @param dInput  [..., in] dL/dx
     * @param dWeight [out, in]
     * @param dBias   [out], or null for a layer without bias
     */
    public record Grad(INDArray dInput, INDArray dWeight, INDArray dBias) {

        /** Puts {@code prefix.weight} (and {@code prefix.bias}) into {@code grads}. */
        public void putInto(java.util.Map<String, INDArray> grads, String prefix) {
            grads.put(prefix + ".weight", dWeight);
            if (dBias != null) grads.put(prefix + ".bias", dBias);
        }

        /** The same parameter gradients with {@code dInput} dropped (after a caller consumed and released it). */
        public Grad withoutInput() {
            return new Grad(null, dWeight, dBias);
        }
    }

    /** Backward of {@link #apply}: dy [..., out] and the input x [..., in] → dx = dy·W, dW = dyᵀ·x, db = Σ dy. */
    public Grad backward(INDArray dy, INDArray x) {
        long rows = x.length() / in();
        INDArray dy2 = Kernels.packed(dy).reshape('c', rows, out());         // [N, out]
        INDArray x2 = Kernels.packed(x).reshape('c', rows, in());            // [N, in]
        INDArray dx = Nd4j.gemm(dy2, weight, false, false);                  // [N, in] = dy·W
        INDArray dW = Nd4j.gemm(dy2, x2, true, false);                       // [out, in] = dyᵀ·x
        INDArray db = bias == null ? null : GradKernels.sumRows(dy2);        // [out]
        return new Grad(dx.reshape('c', x.shape()), dW, db);
    }
}
