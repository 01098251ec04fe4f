package org.osum4j.model.nn;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.osum4j.model.io.SafeTensors;

/**
 * torch {@code nn.Conv1d} (no dilation, no groups) on time-major activations [B, T, C], computed as
 * unfold + one GEMM: the K shifted, strided views of the zero-padded input are laid side by side
 * ([B, T', K·C]) and multiplied by the weight rearranged to [K·C, D]. Padding is explicit (left, right)
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
        INDArray padded = Nd4j.concat(1, Nd4j.zeros(x.dataType(), b, padLeft, c), x,
                Nd4j.zeros(x.dataType(), b, padRight, c));           // [B, T + pads, C]
        INDArray[] taps = new INDArray[(int) k];
        for (int j = 0; j < k; j++) {                                   // tap j reads frames j, j+s, …
            taps[j] = padded.get(NDArrayIndex.all(), NDArrayIndex.interval(j, stride, j + stride * (tOut - 1) + 1),
                    NDArrayIndex.all());                                // [B, T', C]
        }
        INDArray cols = Nd4j.concat(2, taps).reshape('c', b * tOut, k * c); // [B·T', K·C]
        INDArray y = cols.mmul(unfolded).addiRowVector(bias);          // [B·T', D]
        return y.reshape('c', b, tOut, outChannels());                  // [B, T', D]
    }
}
