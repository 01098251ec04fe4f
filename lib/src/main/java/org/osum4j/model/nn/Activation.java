package org.osum4j.model.nn;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.transforms.strict.Erf;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Locale;

/**
 * Element-wise activations of the speech side. GELU is the exact erf form that Whisper and OSUM use,
 * {@code 0.5·x·(1 + erf(x/√2))}; ND4J's own {@code gelu} is the sigmoid approximation and is not used.
 */
public enum Activation {
    /** Exact GELU (torch {@code nn.GELU()} / {@code F.gelu} default). */
    GELU_ERF,
    /** max(0, x). */
    RELU;

    private static final double INV_SQRT2 = 1.0 / Math.sqrt(2.0);

    /** A new array holding act(x); x is left unchanged. Same shape. */
    public INDArray apply(INDArray x) {
        return switch (this) {
            case GELU_ERF -> {
                INDArray t = Kernels.scaled(x, INV_SQRT2);            // x/√2
                Nd4j.getExecutioner().exec(new Erf(t, t));             // erf(x/√2), in place (ND4J's erf: ≤ 4e-8 abs error)
                yield Kernels.geluFromErf(x, t);                       // ½·x·(1 + erf(x/√2))
            }
            case RELU -> Kernels.reluInPlace(Kernels.packed(x).dup('c'));
        };
    }

    /** Backward of {@link #apply}: dy and the activation's input x (same shape) → dL/dx (a new array). */
    public INDArray backward(INDArray dy, INDArray x) {
        return switch (this) {
            case GELU_ERF -> GradKernels.geluBackward(dy, x);
            case RELU -> GradKernels.reluBackward(dy, x);
        };
    }

    /**
     * Backward of {@link #apply} when the forward's output y = act(x) was kept too (a training trace): the same
     * gradient, GELU's without a second erf pass. y may be null (then as {@link #backward(INDArray, INDArray)}).
     */
    public INDArray backward(INDArray dy, INDArray x, INDArray y) {
        if (y == null || this == RELU) return backward(dy, x);
        return GradKernels.geluBackwardFromOutput(dy, x, y);
    }

    /** From a config value ({@code gelu}, {@code relu}); anything else is an error naming the value. */
    public static Activation parse(String name, String where) {
        return switch (name.toLowerCase(Locale.ROOT)) {
            case "gelu", "gelu (erf)" -> GELU_ERF;
            case "relu" -> RELU;
            default -> throw new IllegalArgumentException(where + ": unsupported activation '" + name
                    + "' (supported: gelu = exact erf GELU, relu)");
        };
    }
}
