package org.osum4j.model;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.ops.transforms.Transforms;
import org.osum4j.model.nn.Kernels;

/**
 * The Qwen2 building blocks as forward/backward pairs on plain ND4J arrays (llm.c style): RMSNorm,
 * RoPE (rotate-half), the attention mask, softmax and the SwiGLU gate. Both the inference path and the
 * training path call these same functions, so there is one definition of the math. Not public API.
 */
final class Qwen2Ops {

    /**
     * Added to the score of a disallowed key. Finite on purpose (not −∞): a fully masked query row (a
     * left pad) then gets a finite, meaningless softmax instead of 0/0 = NaN, which would leak into valid
     * rows through 0·NaN. exp(−1e9) is exactly 0 in float32, so allowed rows are unaffected.
     */
    static final float MASK_NEGATIVE = -1e9f;

    private Qwen2Ops() {
    }

    // ---------------------------------------------------------------- RMSNorm

    /** RMSNorm output and the saved 1/rms per row. */
    record Norm(INDArray y, INDArray rinv) {
    }

    /** y = w ⊙ x / sqrt(mean(x²) + eps); x [N, D], w [D]. */
    static Norm rmsNorm(INDArray x, INDArray w, double eps) {
        INDArray sq = x.mul(x);                                                           // [N, D]
        INDArray rinv = Transforms.pow(sq.mean(true, 1).addi(eps), -0.5, false);          // [N, 1]
        Kernels.release(sq);
        INDArray y = x.mulColumnVector(rinv).muliRowVector(w);                            // [N, D]
        return new Norm(y, rinv);
    }

    /**
     * Backward of RMSNorm: dx = r·(g − x̂·mean(g ⊙ x̂)) with g = dy ⊙ w, x̂ = x·r; dw = Σ_rows dy ⊙ x̂.
     * Returns dx [N, D]; writes dw [D] into {@code dwOut[0]} when non-null.
     */
    static INDArray rmsNormBackward(INDArray dy, INDArray x, INDArray w, INDArray rinv, INDArray[] dwOut) {
        INDArray xhat = x.mulColumnVector(rinv);                       // [N, D]
        if (dwOut != null) {
            INDArray dyx = dy.mul(xhat);                               // [N, D]
            dwOut[0] = dyx.sum(0);                                     // [D]
            Kernels.release(dyx);
        }
        INDArray g = dy.mulRowVector(w);                               // [N, D]
        INDArray gx = g.mul(xhat);                                     // [N, D]
        INDArray dot = gx.mean(true, 1);                               // [N, 1]
        INDArray dx = g.subi(xhat.muliColumnVector(dot)).muliColumnVector(rinv);
        Kernels.release(gx, dot, xhat);                                // (temporaries: freed now, not at a GC)
        return dx;
    }

    // ---------------------------------------------------------------- RoPE

    /** cos and sin tables [B, 1, L, hd] for explicit position ids. */
    record Rope(INDArray cos, INDArray sin) {
    }

    /**
     * HF's float32 RoPE tables: inv_freq[i] = 1 / theta^(2i/hd), angle = pos·inv_freq, and the hd/2
     * angles are repeated twice along the last axis ([cos, cos], [sin, sin]).
     */
    static Rope ropeTables(long[] positions, int batch, int len, int headDim, double theta) {
        int half = headDim / 2;
        float[] invFreq = invFreq(headDim, theta);
        float[] cos = new float[batch * len * headDim];
        float[] sin = new float[batch * len * headDim];
        for (int r = 0; r < batch * len; r++) {
            float p = positions[r];
            for (int i = 0; i < half; i++) {
                float angle = p * invFreq[i];
                float c = (float) Math.cos(angle), s = (float) Math.sin(angle);
                cos[r * headDim + i] = c;
                cos[r * headDim + half + i] = c;
                sin[r * headDim + i] = s;
                sin[r * headDim + half + i] = s;
            }
        }
        long[] shape = {batch, 1, len, headDim};
        return new Rope(Nd4j.create(cos, shape, 'c'), Nd4j.create(sin, shape, 'c'));
    }

    /** inv_freq[i] = 1 / theta^(2i/hd), i < hd/2, in float32 as HF computes it. */
    static float[] invFreq(int headDim, double theta) {
        float[] invFreq = new float[headDim / 2];
        for (int i = 0; i < invFreq.length; i++) {
            float exponent = (float) (2 * i) / (float) headDim;         // float32, as HF's arange(0, hd, 2).float() / hd
            invFreq[i] = 1f / (float) Math.pow(theta, exponent);
        }
        return invFreq;
    }

    /** rotate_half(t) = cat(−t[..., hd/2:], t[..., :hd/2]) on the last axis of a rank-4 t. */
    static INDArray rotateHalf(INDArray t) {
        long hd = t.size(3);
        INDArray lo = t.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.interval(0, hd / 2));
        INDArray hi = t.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.interval(hd / 2, hd));
        INDArray neg = hi.neg();
        INDArray out = Nd4j.concat(3, neg, lo);
        Kernels.release(neg);
        return out;
    }

    /** RoPE: t [B, n, L, hd] → t·cos + rotate_half(t)·sin (cos/sin [B, 1, L, hd] broadcast over heads). */
    static INDArray rope(INDArray t, Rope r) {
        INDArray rotated = rotateHalf(t).muli(r.sin());
        INDArray out = t.mul(r.cos()).addi(rotated);
        Kernels.release(rotated);
        return out;
    }

    /** Backward of RoPE: rotate_half is R with Rᵀ = −R, so dt = g·cos − rotate_half(g·sin). */
    static INDArray ropeBackward(INDArray g, Rope r) {
        INDArray gs = g.mul(r.sin());
        INDArray rotated = rotateHalf(gs);
        INDArray dt = g.mul(r.cos()).subi(rotated);
        Kernels.release(gs, rotated);
        return dt;
    }

    // ---------------------------------------------------------------- attention mask and softmax

    /**
     * Additive mask [B, 1, L, S] for L queries at absolute positions start..start+L−1 over S keys: key j is
     * allowed for query i iff j ≤ start + i and keyMask[b, j] = 1 (0 there), else {@link #MASK_NEGATIVE}.
     */
    static INDArray causalMask(float[] keyMask, int batch, int len, int keys, int start) {
        float[] m = new float[batch * len * keys];
        for (int b = 0; b < batch; b++) {
            for (int i = 0; i < len; i++) {
                int row = (b * len + i) * keys;
                for (int j = 0; j < keys; j++) {
                    boolean allowed = j <= start + i && keyMask[b * keys + j] != 0;
                    m[row + j] = allowed ? 0f : MASK_NEGATIVE;
                }
            }
        }
        return Nd4j.create(m, new long[]{batch, 1, len, keys}, 'c');
    }

    /** Softmax over the last axis of a rank-4 array (max-subtracted). */
    static INDArray softmaxLast(INDArray s) {
        INDArray max = s.max(true, 3);
        INDArray e = Transforms.exp(s.sub(max), false);                // [.., S]
        INDArray sum = e.sum(true, 3);
        e.divi(sum);
        Kernels.release(max, sum);
        return e;
    }

    /** Backward of softmax over the last axis: ds = p ⊙ (dp − Σ_j dp_j p_j). */
    static INDArray softmaxLastBackward(INDArray dp, INDArray p) {
        INDArray dpp = dp.mul(p);
        INDArray dot = dpp.sum(true, 3);
        INDArray ds = dp.sub(dot).muli(p);
        Kernels.release(dpp, dot);
        return ds;
    }

    // ---------------------------------------------------------------- heads

    /** [N = B·L, n·hd] → [B, n, L, hd] (contiguous). */
    static INDArray toHeads(INDArray y, int batch, int len, int heads, int headDim) {
        return y.reshape('c', batch, len, heads, headDim).permute(0, 2, 1, 3).dup('c');
    }

    /** [B, n, L, hd] → [N = B·L, n·hd] (contiguous). */
    static INDArray fromHeads(INDArray t) {
        long b = t.size(0), n = t.size(1), l = t.size(2), hd = t.size(3);
        return t.permute(0, 2, 1, 3).dup('c').reshape('c', b * l, n * hd);
    }
}
