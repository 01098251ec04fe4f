package org.osum4j.model.nn;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.nio.FloatBuffer;
import java.util.Arrays;

/**
 * Fused element-wise and row-wise loops over contiguous fp32 {@link INDArray}s, in plain Java, reading and
 * writing the arrays' native memory directly. GEMMs stay in BLAS; these replace chains of ND4J element-wise
 * ops, each of which allocates a fresh off-heap array and starts its own thread team: on a busy 2-core
 * machine a single {@code x.mul(c)} over 1.5 M floats took 20–30 ms, the same loop here ≈ 1 ms. Each
 * kernel reads its inputs once and writes once. The element-wise and row-wise ones over large arrays split the
 * elements (or rows) into one range per core ({@link #inParallel}); each output element is written by one
 * range in the same arithmetic, so the results do not depend on the split.
 */
public final class Kernels {

    private Kernels() {
    }

    /** The array's elements as a float buffer, element 0 at index 0 (C-order contiguous arrays only). */
    public static FloatBuffer buffer(INDArray x) {
        if (!isPacked(x)) throw new IllegalArgumentException("kernel input must be C-contiguous, got a view " + Params.shape(x));
        FloatBuffer fb = x.data().asNioFloat();
        fb.position((int) x.offset());
        return fb.slice();
    }

    /**
     * Whether x is dense C-order fp32, so its elements are one run of x.length() floats from its offset. The
     * stride of a dimension of size 1 never matters (ND4J gives such views arbitrary strides and sometimes
     * 'f' ordering, e.g. [1, 1, 80]); every other dimension must have its C-order stride.
     */
    public static boolean isPacked(INDArray x) {
        if (x.dataType() != DataType.FLOAT) return false;
        long[] shape = x.shape();
        long[] stride = x.stride();
        long expected = 1;
        for (int d = shape.length - 1; d >= 0; d--) {
            if (shape[d] != 1 && stride[d] != expected) return false;
            expected *= shape[d];
        }
        return true;
    }

    /** x itself if packed, else a packed copy. */
    public static INDArray packed(INDArray x) {
        return isPacked(x) ? x : x.castTo(DataType.FLOAT).dup('c');
    }

    private static INDArray newLike(INDArray x) {
        return Nd4j.createUninitialized(DataType.FLOAT, x.shape().clone(), 'c');
    }

    /** In place: y[n, :] = (y[n, :] + bias)·scale for every row n of y [N, F] (flattened; bias may be null). Returns y. */
    public static INDArray addRowVectorAndScale(INDArray y, INDArray bias, double scale) {
        FloatBuffer a = buffer(y);
        float[] b = bias == null ? null : packed(bias).toFloatVector();
        int f = (int) y.size(y.rank() - 1), n = (int) y.length();
        float s = (float) scale;
        for (int o = 0; o < n; o += f) {
            for (int j = 0; j < f; j++) {
                float v = b == null ? a.get(o + j) : a.get(o + j) + b[j];
                a.put(o + j, scale == 1.0 ? v : v * s);
            }
        }
        return y;
    }

    /** In place: x += y (same shapes). Returns x. */
    public static INDArray addInPlace(INDArray x, INDArray y) {
        if (!Arrays.equals(x.shape(), y.shape())) {
            throw new IllegalArgumentException("add: shapes " + Params.shape(x) + " and " + Params.shape(y) + " differ");
        }
        FloatBuffer a = buffer(x), b = buffer(packed(y));
        for (int i = 0, n = (int) x.length(); i < n; i++) a.put(i, a.get(i) + b.get(i));
        return x;
    }

    /**
     * A new array: LayerNorm of every row of x [N, D] (flattened): (x − mean)/sqrt(var + eps)·γ + β, biased
     * variance. Mean and variance are accumulated in double (torch accumulates in fp32 with a tree; both are
     * within the fixtures' tolerance).
     */
    public static INDArray layerNorm(INDArray x, INDArray gamma, INDArray beta, double eps) {
        int d = (int) gamma.length(), n = (int) x.length();
        FloatBuffer a = buffer(packed(x));
        float[] g = packed(gamma).toFloatVector(), b = packed(beta).toFloatVector();
        INDArray out = newLike(x);
        FloatBuffer y = buffer(out);
        inParallelRows(n / d, d, (r0, r1) -> {
            for (int o = r0 * d; o < r1 * d; o += d) {
                double mean = rowMean(a, o, d);
                double inv = rowInvStd(a, o, d, mean, eps);
                for (int j = 0; j < d; j++) y.put(o + j, (float) ((a.get(o + j) - mean) * inv) * g[j] + b[j]);
            }
        });
        return out;
    }

    /** In place: x = max(0, x). Returns x. */
    public static INDArray reluInPlace(INDArray x) {
        FloatBuffer a = buffer(x);
        for (int i = 0, n = (int) x.length(); i < n; i++) if (a.get(i) < 0f) a.put(i, 0f);   // NaN stays NaN
        return x;
    }

    /** A new array t = x·c (the GELU argument x/√2 before ND4J's erf). */
    public static INDArray scaled(INDArray x, double c) {
        FloatBuffer a = buffer(packed(x));
        INDArray out = newLike(x);
        FloatBuffer y = buffer(out);
        float s = (float) c;
        inParallel((int) x.length(), (from, to) -> {
            for (int i = from; i < to; i++) y.put(i, a.get(i) * s);
        });
        return out;
    }

    /** In place on e (= erf(x/√2)): e = ½·x·(1 + e), the last step of exact GELU. Returns e. */
    public static INDArray geluFromErf(INDArray x, INDArray e) {
        FloatBuffer a = buffer(packed(x)), t = buffer(e);
        inParallel((int) e.length(), (from, to) -> {
            for (int i = from; i < to; i++) t.put(i, 0.5f * a.get(i) * (1f + t.get(i)));
        });
        return e;
    }

    /**
     * im2col for a 1-D convolution on time-major input x [B, T, C]: a new [B·T', K·C] array whose row
     * (b, j) holds input frames j·stride − padLeft + k for k = 0 … K−1 side by side (C floats each), zeros
     * where that frame lies in the padding.
     */
    public static INDArray im2col(INDArray x, int kernel, int stride, int padLeft, int tOut) {
        int b = (int) x.size(0), t = (int) x.size(1), c = (int) x.size(2);
        FloatBuffer in = buffer(packed(x));
        INDArray cols = Nd4j.createUninitialized(DataType.FLOAT, new long[]{(long) b * tOut, (long) kernel * c}, 'c');
        FloatBuffer out = buffer(cols);
        float[] frame = new float[c];
        float[] zeros = new float[c];
        for (int i = 0; i < b; i++) {
            for (int j = 0; j < tOut; j++) {
                int row = (i * tOut + j) * kernel * c;
                for (int k = 0; k < kernel; k++) {
                    int src = j * stride - padLeft + k;                          // input frame read by tap k
                    if (src >= 0 && src < t) {
                        in.get((i * t + src) * c, frame);
                        out.put(row + k * c, frame);
                    } else {
                        out.put(row + k * c, zeros);
                    }
                }
            }
        }
        return cols;
    }

    /**
     * Frees the native buffers of arrays nothing reads any more, now instead of at the next garbage collection
     * (ND4J's CPU backend frees a buffer only when the GC collects its Java object). Skips nulls and arrays that
     * do not own their buffer (views, workspace arrays, already released ones). The caller must own each array's
     * buffer: a full-size reshape is not a view to ND4J and shares its parent's buffer, so releasing it frees both.
     */
    public static void release(INDArray... xs) {
        for (INDArray x : xs) if (x != null && x.closeable()) x.close();
    }

    /** Element ranges below this many floats run on the calling thread alone. */
    private static final int PARALLEL_MIN = 1 << 16;

    /** A loop body over the element range [from, to). */
    interface Range {
        void run(int from, int to);
    }

    /**
     * Runs body over [0, n) split into one contiguous range per core (the caller takes one, the common pool
     * the rest); each element is written by exactly one range, so results do not depend on the split.
     */
    static void inParallel(int n, Range body) {
        inParallelRows(n, 1, body);                                                  // rows of one element
    }

    /** {@link #inParallel} over whole rows: rows [r0, r1) of {@code rowLength} floats each per range. */
    static void inParallelRows(int rows, int rowLength, Range body) {
        int parts = (int) Math.min(Math.min(Runtime.getRuntime().availableProcessors(), rows),
                Math.max(1, (long) rows * rowLength / PARALLEL_MIN));
        if (parts <= 1) {
            body.run(0, rows);
            return;
        }
        java.util.stream.IntStream.range(0, parts).parallel()
                .forEach(i -> body.run((int) ((long) rows * i / parts), (int) ((long) rows * (i + 1) / parts)));
    }

    /** Mean of the {@code d} values of {@code a} from {@code o} (one row of a layer norm). */
    static double rowMean(FloatBuffer a, int o, int d) {
        double sum = 0;
        for (int j = 0; j < d; j++) sum += a.get(o + j);
        return sum / d;
    }

    /** 1 / sqrt(population variance + eps) of the same row, given its mean (layer norm and its backward). */
    static double rowInvStd(FloatBuffer a, int o, int d, double mean, double eps) {
        double sq = 0;
        for (int j = 0; j < d; j++) {
            double c = a.get(o + j) - mean;
            sq += c * c;
        }
        return 1.0 / Math.sqrt(sq / d + eps);
    }
}
