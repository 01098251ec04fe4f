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
}
