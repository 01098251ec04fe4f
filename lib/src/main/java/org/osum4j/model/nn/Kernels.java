package org.osum4j.model.nn;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.shape.Shape;
import org.nd4j.linalg.factory.Nd4j;

import java.nio.FloatBuffer;

/**
 * Fused element-wise and row-wise loops over contiguous fp32 {@link INDArray}s, in plain Java. GEMMs stay
 * in BLAS; these replace chains of ND4J element-wise ops, each of which allocates a fresh off-heap array
 * and starts its own thread team: on a busy 2-core machine a single {@code x.mul(c)} over 1.5 M floats
 * took 20–30 ms, the same loop here ≈ 1 ms. Each kernel reads its inputs once and writes once.
 */
public final class Kernels {

    private Kernels() {
    }

    /** The array's own elements as a float buffer positioned at element 0 (C-order contiguous arrays only). */
    static FloatBuffer buffer(INDArray x) {
        if (!isPacked(x)) throw new IllegalArgumentException("kernel input must be C-contiguous, got a view " + Params.shape(x));
        FloatBuffer fb = x.data().asNioFloat();
        fb.position((int) x.offset());
        return fb.slice();
    }

    /** Whether x is dense C-order (no view strides), so its elements are one run of x.length() floats. */
    public static boolean isPacked(INDArray x) {
        return x.ordering() == 'c' && Shape.hasDefaultStridesForShape(x) && x.data().length() >= x.offset() + x.length();
    }

    /** x itself if packed, else a packed copy. */
    public static INDArray packed(INDArray x) {
        return isPacked(x) ? x : x.dup('c');
    }

    private static float[] read(INDArray x) {
        float[] a = new float[(int) x.length()];
        buffer(x).get(a);
        return a;
    }

    private static void write(INDArray x, float[] a) {
        buffer(x).put(a);
    }

    /** In place: y[n, :] += bias for every row n of y [N, F] (flattened), then ·scale. Returns y. */
    public static INDArray addRowVectorAndScale(INDArray y, INDArray bias, double scale) {
        float[] a = read(y);
        float[] b = bias == null ? null : read(packed(bias));
        int f = (int) y.size(y.rank() - 1);
        float s = (float) scale;
        for (int o = 0; o < a.length; o += f) {
            for (int j = 0; j < f; j++) {
                float v = b == null ? a[o + j] : a[o + j] + b[j];
                a[o + j] = scale == 1.0 ? v : v * s;
            }
        }
        write(y, a);
        return y;
    }

    /** In place: x += y (same shapes). Returns x. */
    public static INDArray addInPlace(INDArray x, INDArray y) {
        if (!java.util.Arrays.equals(x.shape(), y.shape())) {
            throw new IllegalArgumentException("add: shapes " + Params.shape(x) + " and " + Params.shape(y) + " differ");
        }
        float[] a = read(x), b = read(packed(y));
        for (int i = 0; i < a.length; i++) a[i] += b[i];
        write(x, a);
        return x;
    }

    /**
     * A new array: LayerNorm of every row of x [N, D] (flattened): (x − mean)/sqrt(var + eps)·γ + β, biased
     * variance. Mean and variance are accumulated in double (torch accumulates in fp32 with a tree; both are
     * within the fixtures' tolerance).
     */
    public static INDArray layerNorm(INDArray x, INDArray gamma, INDArray beta, double eps) {
        int d = (int) gamma.length();
        float[] a = read(packed(x)), g = read(packed(gamma)), b = read(packed(beta));
        for (int o = 0; o < a.length; o += d) {
            double sum = 0;
            for (int j = 0; j < d; j++) sum += a[o + j];
            double mean = sum / d;
            double sq = 0;
            for (int j = 0; j < d; j++) {
                double c = a[o + j] - mean;
                sq += c * c;
            }
            double inv = 1.0 / Math.sqrt(sq / d + eps);
            for (int j = 0; j < d; j++) a[o + j] = (float) ((a[o + j] - mean) * inv) * g[j] + b[j];
        }
        INDArray out = Nd4j.createUninitialized(DataType.FLOAT, x.shape(), 'c');
        write(out, a);
        return out;
    }

    /** In place: x = max(0, x). Returns x. */
    public static INDArray reluInPlace(INDArray x) {
        float[] a = read(x);
        for (int i = 0; i < a.length; i++) if (a[i] < 0f) a[i] = 0f;                 // NaN stays NaN
        write(x, a);
        return x;
    }

    /** A new array t = x·c (the GELU argument x/√2 before ND4J's erf). */
    public static INDArray scaled(INDArray x, double c) {
        float[] a = read(packed(x));
        float s = (float) c;
        for (int i = 0; i < a.length; i++) a[i] *= s;
        INDArray out = Nd4j.createUninitialized(DataType.FLOAT, x.shape(), 'c');
        write(out, a);
        return out;
    }

    /** In place on e (= erf(x/√2)): e = ½·x·(1 + e), the last step of exact GELU. Returns e. */
    public static INDArray geluFromErf(INDArray x, INDArray e) {
        float[] a = read(packed(x)), t = read(e);
        for (int i = 0; i < t.length; i++) t[i] = 0.5f * a[i] * (1f + t[i]);
        write(e, t);
        return e;
    }
}
