package org.osum4j.model.nn;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.osum4j.model.io.SafeTensors;

/**
 * torch {@code nn.Conv1d} (no dilation, no groups) on time-major activations [B, T, C], computed as
 * unfold + one GEMM: the K input frames each output reads are laid side by side ({@link Kernels#im2col},
 * [B·T', K·C]) and multiplied by the weight rearranged to [K·C, D]. Padding is explicit (left, right)
 * so both Whisper's symmetric pad 1 and OSUM's causal left pad 2 are the same code.
 *
 * @param weight   [D, C, K] as stored by torch
 * @param unfolded [K·C, D]: weight[d, c, k] at row k·C + c (derived once at construction)
 * @param bias     [D]
 */
public record Conv1d(INDArray weight, INDArray unfolded, INDArray bias, int stride, int padLeft, int padRight) {

    public Conv1d(INDArray weight, INDArray bias, int stride, int padLeft, int padRight) {
        this(weight, unfold(weight), bias, stride, padLeft, padRight);
    }

    public Conv1d {
        if (weight.rank() != 3) throw new IllegalArgumentException("conv1d weight must be [D, C, K], got " + Params.shape(weight));
        if (stride < 1 || padLeft < 0 || padRight < 0) {
            throw new IllegalArgumentException("conv1d: stride " + stride + ", pads " + padLeft + "/" + padRight);
        }
    }

    /**
     * Re-derives {@link #unfolded} from {@link #weight} in place, after the weight was changed in place (an
     * optimizer step, a resumed checkpoint): the forward reads only the unfolded copy.
     */
    public void refreshUnfolded() {
        unfolded.assign(unfold(weight));
    }

    private static INDArray unfold(INDArray w) {
        long d = w.size(0), c = w.size(1), k = w.size(2);
        return w.permute(2, 1, 0).dup('c').reshape('c', k * c, d);   // [K, C, D] → [K·C, D]
    }

    /** Loads {@code prefix.weight} [D, C, K] and {@code prefix.bias} [D]. */
    public static Conv1d load(SafeTensors st, String prefix, long d, long c, long k, int stride, int padLeft, int padRight) {
        return new Conv1d(Params.load(st, prefix + ".weight", d, c, k), Params.load(st, prefix + ".bias", d).reshape(d),
                stride, padLeft, padRight);
    }

    public long outChannels() {
        return weight.size(0);
    }

    public long inChannels() {
        return weight.size(1);
    }

    public long kernel() {
        return weight.size(2);
    }

    /** Output frames for {@code t} input frames: ⌊(t + pads − K) / stride⌋ + 1. */
    public long outFrames(long t) {
        return (t + padLeft + padRight - kernel()) / stride + 1;
    }

    /** x [B, T, C] → [B, T', D]. */
    public INDArray apply(INDArray x) {
        if (x.rank() != 3 || x.size(2) != inChannels()) {
            throw new IllegalArgumentException("conv1d input: expected [B, T, " + inChannels() + "], got " + Params.shape(x));
        }
        long b = x.size(0), t = x.size(1), c = inChannels(), k = kernel();
        long tOut = outFrames(t);
        if (tOut < 1) throw new IllegalArgumentException("conv1d: " + t + " frames are too few for kernel " + k);
        INDArray cols = Kernels.im2col(x, (int) k, stride, padLeft, (int) tOut);   // [B·T', K·C], zeros in the padding
        INDArray y = Kernels.addRowVectorAndScale(cols.mmul(unfolded), bias, 1.0);  // [B·T', D]
        Kernels.release(cols);
        return y.reshape('c', b, tOut, outChannels());                  // [B, T', D]
    }

    // ---- training -------------------------------------------------------------------------------

    /**
     * Gradients of one {@link #apply} call.
     *
     * @param dInput  [B, T, C] dL/dx (nothing flows into the padding)
     * @param dWeight [D, C, K] in torch's layout
     * @param dBias   [D]
     */
    public record Grad(INDArray dInput, INDArray dWeight, INDArray dBias) {

        /** Puts {@code prefix.weight} and {@code prefix.bias} into {@code grads}. */
        public void putInto(java.util.Map<String, INDArray> grads, String prefix) {
            grads.put(prefix + ".weight", dWeight);
            grads.put(prefix + ".bias", dBias);
        }
    }

    /**
     * Backward of {@link #apply} through the same unfold: with cols = im2col(x) [B·T', K·C],
     * d(unfolded) = colsᵀ·dy, d(cols) = dy·unfoldedᵀ folded back onto the frames (col2im), db = Σ dy.
     */
    public Grad backward(INDArray dy, INDArray x) {
        int b = (int) x.size(0), t = (int) x.size(1), c = (int) inChannels(), k = (int) kernel();
        long tOut = outFrames(t), d = outChannels();
        if (dy.rank() != 3 || dy.size(0) != b || dy.size(1) != tOut || dy.size(2) != d) {
            throw new IllegalArgumentException("conv1d backward: dy must be [" + b + ", " + tOut + ", " + d + "], got " + Params.shape(dy));
        }
        INDArray cols = Kernels.im2col(x, k, stride, padLeft, (int) tOut);           // [B·T', K·C]
        INDArray dy2 = Kernels.packed(dy).reshape('c', b * tOut, d);                 // [B·T', D]
        INDArray dUnfolded = Nd4j.gemm(cols, dy2, true, false);                      // [K·C, D]
        Kernels.release(cols);
        INDArray dW = dUnfolded.reshape('c', k, c, d).permute(2, 1, 0).dup('c');     // [D, C, K]
        Kernels.release(dUnfolded);
        INDArray dCols = Nd4j.gemm(dy2, unfolded, false, true);                      // [B·T', K·C]
        INDArray dx = GradKernels.col2im(dCols, b, t, c, k, stride, padLeft, (int) tOut); // [B, T, C]
        Kernels.release(dCols);
        return new Grad(dx, dW, GradKernels.sumRows(dy2));
    }
}
