package org.osum4j.model.nn;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.transforms.strict.Erf;
import org.nd4j.linalg.factory.Nd4j;

import java.nio.FloatBuffer;
import java.util.Arrays;

/**
 * The backward counterparts of {@link Kernels}: fused row-wise and element-wise loops in plain Java over
 * contiguous fp32 arrays (LayerNorm, exact GELU, ReLU, softmax rows, col2im). Reductions over rows
 * (dγ, dβ, the LayerNorm row sums) accumulate in double. GEMMs of the backward stay in BLAS, in the layers.
 */
public final class GradKernels {

    private static final double INV_SQRT2 = 1.0 / Math.sqrt(2.0);
    private static final double INV_SQRT_2PI = 1.0 / Math.sqrt(2.0 * Math.PI);

    private GradKernels() {
    }

    private static INDArray newLike(INDArray x) {
        return Nd4j.createUninitialized(DataType.FLOAT, x.shape().clone(), 'c');
    }

    /**
     * LayerNorm backward over rows of x [N, D] (flattened), recomputing x̂ = (x − mean)·inv from x:
     * dx = inv·(g − mean(g) − x̂·mean(g·x̂)) with g = dy·γ; dγ += Σ_rows dy·x̂ and dβ += Σ_rows dy.
     * Returns dx (a new array); dGamma, dBeta [D] are accumulated into.
     */
    public static INDArray layerNormBackward(INDArray dy, INDArray x, INDArray gamma, double eps, double[] dGamma, double[] dBeta) {
        int d = (int) gamma.length(), n = (int) x.length(), rows = n / d;
        FloatBuffer a = Kernels.buffer(Kernels.packed(x)), up = Kernels.buffer(Kernels.packed(dy));
        float[] gm = Kernels.packed(gamma).toFloatVector();
        INDArray out = newLike(x);
        FloatBuffer dx = Kernels.buffer(out);
        double[] means = new double[rows], invs = new double[rows];
        // rows are independent for dx: split them over the cores
        Kernels.inParallelRows(rows, d, (r0, r1) -> {
            double[] xhat = new double[d], g = new double[d];
            for (int r = r0; r < r1; r++) {
                int o = r * d;
                double mean = Kernels.rowMean(a, o, d);
                double inv = Kernels.rowInvStd(a, o, d, mean, eps);
                means[r] = mean;
                invs[r] = inv;
                double sumG = 0, sumGx = 0;
                for (int j = 0; j < d; j++) {
                    xhat[j] = (a.get(o + j) - mean) * inv;
                    g[j] = (double) up.get(o + j) * gm[j];                             // in double, as dy·γ always was
                    sumG += g[j];
                    sumGx += g[j] * xhat[j];
                }
                double mg = sumG / d, mgx = sumGx / d;
                for (int j = 0; j < d; j++) dx.put(o + j, (float) (inv * (g[j] - mg - xhat[j] * mgx)));
            }
        });
        // dγ, dβ sum over rows: split the columns instead, each summed over the rows in order
        Kernels.inParallelRows(d, rows, (j0, j1) -> {
            for (int r = 0; r < rows; r++) {
                int o = r * d;
                double mean = means[r], inv = invs[r];
                for (int j = j0; j < j1; j++) {
                    double u = up.get(o + j);
                    dGamma[j] += u * ((a.get(o + j) - mean) * inv);
                    dBeta[j] += u;
                }
            }
        });
        return out;
    }

    /**
     * Exact-GELU backward: dx = dy·(½·(1 + erf(x/√2)) + x·φ(x)), φ the standard normal density. x is the
     * activation's input. Returns a new array.
     */
    public static INDArray geluBackward(INDArray dy, INDArray x) {
        INDArray e = Kernels.scaled(x, INV_SQRT2);                                  // x/√2
        Nd4j.getExecutioner().exec(new Erf(e, e));                                  // erf(x/√2), in place
        FloatBuffer a = Kernels.buffer(Kernels.packed(x)), up = Kernels.buffer(Kernels.packed(dy)), t = Kernels.buffer(e);
        for (int i = 0, n = (int) e.length(); i < n; i++) {
            double v = a.get(i);
            double slope = 0.5 * (1.0 + t.get(i)) + v * INV_SQRT_2PI * Math.exp(-0.5 * v * v);
            t.put(i, (float) (up.get(i) * slope));
        }
        return e;
    }

    /** Below this |x| the GELU slope uses Φ(x) = ½ (its value to fp32 precision) instead of GELU(x)/x. */
    private static final double GELU_PHI_FROM_OUTPUT_MIN = 1e-30;

    /**
     * Exact-GELU backward from the activation's input x and its output y = GELU(x) = x·Φ(x), both kept by a
     * training forward: Φ(x) = y/x, so no erf is evaluated again; dx = dy·(Φ(x) + x·φ(x)). Equal to
     * {@link #geluBackward} up to fp32 rounding (Φ read back from the fp32 output). Returns a new array.
     */
    public static INDArray geluBackwardFromOutput(INDArray dy, INDArray x, INDArray y) {
        if (!Arrays.equals(x.shape(), y.shape()) || !Arrays.equals(x.shape(), dy.shape())) {
            throw new IllegalArgumentException("gelu backward: dy " + Params.shape(dy) + ", x " + Params.shape(x) + ", y " + Params.shape(y));
        }
        FloatBuffer a = Kernels.buffer(Kernels.packed(x)), out = Kernels.buffer(Kernels.packed(y)), up = Kernels.buffer(Kernels.packed(dy));
        INDArray result = newLike(x);
        FloatBuffer dx = Kernels.buffer(result);
        Kernels.inParallel((int) x.length(), (from, to) -> {
            for (int i = from; i < to; i++) {
                double v = a.get(i);
                double phi = Math.abs(v) < GELU_PHI_FROM_OUTPUT_MIN ? 0.5 : out.get(i) / v;       // Φ(x) = GELU(x)/x
                dx.put(i, (float) (up.get(i) * (phi + v * INV_SQRT_2PI * Math.exp(-0.5 * v * v))));
            }
        });
        return result;
    }

    /** ReLU backward: dx = dy where x &gt; 0, else 0 (torch's choice at 0). Returns a new array. */
    public static INDArray reluBackward(INDArray dy, INDArray x) {
        FloatBuffer a = Kernels.buffer(Kernels.packed(x)), up = Kernels.buffer(Kernels.packed(dy));
        INDArray out = newLike(x);
        FloatBuffer dx = Kernels.buffer(out);
        for (int i = 0, n = (int) x.length(); i < n; i++) dx.put(i, a.get(i) > 0f ? up.get(i) : 0f);
        return out;
    }

    /**
     * Softmax backward over the rows of p [N, K] (the probabilities), in place on dp: dp = p·(dp − Σ_k dp·p).
     * Both must be packed. Returns dp (now dL/dscores).
     */
    public static INDArray softmaxBackwardInPlace(INDArray dp, INDArray p) {
        int k = (int) p.size(p.rank() - 1), n = (int) p.length();
        FloatBuffer g = Kernels.buffer(dp), pr = Kernels.buffer(p);
        Kernels.inParallelRows(n / k, k, (r0, r1) -> {
            for (int o = r0 * k; o < r1 * k; o += k) {
                double dot = 0;
                for (int j = 0; j < k; j++) dot += (double) g.get(o + j) * pr.get(o + j);
                for (int j = 0; j < k; j++) g.put(o + j, (float) (pr.get(o + j) * (g.get(o + j) - dot)));
            }
        });
        return dp;
    }

    /**
     * The adjoint of {@link Kernels#im2col}: cols [B·T', K·C] scatter-added back to the frames they were
     * read from, giving [B, T, C]; padding taps are dropped.
     */
    public static INDArray col2im(INDArray cols, int batch, int frames, int channels, int kernel, int stride, int padLeft, int tOut) {
        FloatBuffer in = Kernels.buffer(Kernels.packed(cols));
        float[] dx = new float[batch * frames * channels];
        for (int i = 0; i < batch; i++) {
            for (int j = 0; j < tOut; j++) {
                int row = (i * tOut + j) * kernel * channels;
                for (int k = 0; k < kernel; k++) {
                    int src = j * stride - padLeft + k;                              // input frame tap k read
                    if (src < 0 || src >= frames) continue;
                    int dst = (i * frames + src) * channels, from = row + k * channels;
                    for (int c = 0; c < channels; c++) dx[dst + c] += in.get(from + c);
                }
            }
        }
        return Nd4j.create(dx, new long[]{batch, frames, channels}, 'c');
    }

    /** Column sums of y [N, F] (flattened over all leading axes) as [F], accumulated in double (bias gradients). */
    public static INDArray sumRows(INDArray y) {
        int f = (int) y.size(y.rank() - 1), n = (int) y.length();
        FloatBuffer a = Kernels.buffer(Kernels.packed(y));
        double[] s = new double[f];
        Kernels.inParallelRows(f, n / f, (j0, j1) -> {                              // column ranges, rows summed in order
            for (int o = 0; o < n; o += f) for (int j = j0; j < j1; j++) s[j] += a.get(o + j);
        });
        return toArray(s);
    }

    /** A [D] fp32 array from double sums. */
    public static INDArray toArray(double[] v) {
        float[] f = new float[v.length];
        for (int i = 0; i < v.length; i++) f[i] = (float) v[i];
        return Nd4j.create(f, new long[]{v.length}, 'c');
    }
}
