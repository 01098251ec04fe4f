package org.osum4j.model;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.osum4j.model.io.Qwen2Config;

import java.util.Arrays;
import java.util.List;

/**
 * A plain-Java (float[]) single-token decode path for Qwen2, beside the ND4J one: after an ND4J prefill
 * fills a {@link KvCache}, each step runs all layers for one new token per row with no per-op dispatch.
 * Same math as {@link Qwen2Layer} (tested equal to it and to the golden step logits); inference only, no
 * gradients. It holds its own float copy of the weights (transposed [in][out] so every matrix-vector
 * product is an auto-vectorisable axpy), with LoRA merged in: twice the weight memory of the model.
 */
public final class Qwen2FastDecoder {

    private final Qwen2Config c;
    private final int d, heads, kvHeads, hd, group, inter, vocab, batch, maxLen;
    private final float eps, scale;
    private final float[] invFreq;            // [hd/2]
    private final float[] embed;              // [V·D] token embeddings, row-major
    private final float[] headT;              // [D·V] lm_head transposed
    private final float[] finalNorm;          // [D]
    private final Layer[] layers;
    private final float[][] keys, values;     // per layer [B·KV·maxLen·hd], keys after RoPE
    private final boolean[] real;             // [B·maxLen] cached token is real
    private final int[] validCount;           // [B] real tokens per row = next position
    private int length;

    /** One layer's weights, transposed to [in][out]. */
    private record Layer(float[] n1, float[] qT, float[] bq, float[] kT, float[] bk, float[] vT, float[] bv, float[] oT,
                         float[] n2, float[] gT, float[] uT, float[] dT) {
    }

    private Qwen2FastDecoder(Qwen2Model m, int batch, int maxLen) {
        this.c = m.config();
        this.d = c.hiddenSize();
        this.heads = c.numHeads();
        this.kvHeads = c.numKvHeads();
        this.hd = c.headDim();
        this.group = c.groupSize();
        this.inter = c.intermediateSize();
        this.vocab = c.vocabSize();
        this.batch = batch;
        this.maxLen = maxLen;
        this.eps = (float) c.rmsNormEps();
        this.scale = (float) (1.0 / Math.sqrt(hd));
        this.invFreq = Qwen2Ops.invFreq(hd, c.ropeTheta());
        this.embed = m.embedTokens().dup('c').data().asFloat();
        this.headT = m.lmHead().transpose().dup('c').data().asFloat();
        this.finalNorm = m.finalNorm().dup('c').data().asFloat();
        this.layers = new Layer[c.numLayers()];
        for (int l = 0; l < layers.length; l++) {
            Qwen2Layer x = m.layer(l);
            layers[l] = new Layer(f(x.inputNorm), t(x.qProj), f(x.qProj.bias()), t(x.kProj), f(x.kProj.bias()), t(x.vProj),
                    f(x.vProj.bias()), t(x.oProj), f(x.postNorm), t(x.gateProj), t(x.upProj), t(x.downProj));
        }
        this.keys = new float[layers.length][batch * kvHeads * maxLen * hd];
        this.values = new float[layers.length][batch * kvHeads * maxLen * hd];
        this.real = new boolean[batch * maxLen];
        this.validCount = new int[batch];
    }

    private static float[] f(INDArray a) {
        return a == null ? null : a.dup('c').data().asFloat();
    }

    /** Wᵀ [in, out] of the effective weight (LoRA merged in, computed here if the model keeps it unmerged). */
    private static float[] t(LoraLinear lin) {
        INDArray w = lin.weight();                                                             // [out, in]
        if (lin.hasLora() && !lin.isMerged()) {
            w = w.add(Nd4j.gemm(lin.loraB(), lin.loraA(), false, false).muli(lin.scaling()));
        }
        return w.transpose().dup('c').data().asFloat();
    }

    /** A decoder for {@code batch} rows and up to {@code maxLen} positions over the model's current weights. */
    public static Qwen2FastDecoder of(Qwen2Model m, int batch, int maxLen) {
        if (batch <= 0 || maxLen <= 0) throw new IllegalArgumentException("fast decoder: batch and maxLen must be > 0");
        return new Qwen2FastDecoder(m, batch, maxLen);
    }

    public int length() {
        return length;
    }

    /** Real tokens of row b so far: HF generate's position of that row's next token. */
    public int validCount(int b) {
        return validCount[b];
    }

    /** Beam-search bookkeeping, as {@link KvCache#reorder}: row i becomes a copy of old row {@code rows[i]}. */
    public void reorder(int[] rows) {
        if (rows.length != batch) throw new IllegalArgumentException("reorder: expected " + batch + " row indices, got " + rows.length);
        for (int r : rows) if (r < 0 || r >= batch) throw new IllegalArgumentException("reorder: row " + r + " outside [0, " + batch + ")");
        int rowLen = kvHeads * maxLen * hd;
        for (int l = 0; l < layers.length; l++) {
            float[] k = keys[l].clone(), v = values[l].clone();
            for (int b = 0; b < batch; b++) {
                System.arraycopy(k, rows[b] * rowLen, keys[l], b * rowLen, rowLen);
                System.arraycopy(v, rows[b] * rowLen, values[l], b * rowLen, rowLen);
            }
        }
        boolean[] oldReal = real.clone();
        int[] oldCount = validCount.clone();
        for (int b = 0; b < batch; b++) {
            System.arraycopy(oldReal, rows[b] * maxLen, real, b * maxLen, maxLen);
            validCount[b] = oldCount[rows[b]];
        }
    }

    /** Takes over the contents of an ND4J cache (e.g. after {@link Qwen2Model#forward} prefilled it). */
    public void load(KvCache cache) {
        int s = cache.length();
        if (cache.batch() != batch || s > maxLen) {
            throw new IllegalArgumentException("fast decoder holds " + batch + " rows × " + maxLen + " positions; cache has "
                    + cache.batch() + " × " + s);
        }
        for (int l = 0; l < layers.length; l++) {
            float[] k = cache.keys(l).dup('c').data().asFloat();                                 // [B, KV, s, hd]
            float[] v = cache.values(l).dup('c').data().asFloat();
            for (int bg = 0; bg < batch * kvHeads; bg++) {
                System.arraycopy(k, bg * s * hd, keys[l], bg * maxLen * hd, s * hd);
                System.arraycopy(v, bg * s * hd, values[l], bg * maxLen * hd, s * hd);
            }
        }
        for (int b = 0; b < batch; b++) {
            for (int j = 0; j < s; j++) real[b * maxLen + j] = cache.isReal(b, j);
            validCount[b] = cache.validCount(b);
        }
        length = s;
    }

    /**
     * One decode step: token ids [B] at RoPE positions [B] (real tokens) → logits [B·V], row-major. The
     * new keys/values are appended at position {@link #length()}.
     */
    public float[] step(long[] tokens, long[] positions) {
        if (tokens.length != batch || positions.length != batch) {
            throw new IllegalArgumentException("fast decoder step: expected " + batch + " tokens and positions, got "
                    + tokens.length + " and " + positions.length);
        }
        if (length >= maxLen) throw new IllegalStateException("fast decoder cache full: maxLen " + maxLen);
        float[] x = new float[batch * d];                                                         // [B, D]
        for (int b = 0; b < batch; b++) {
            if (tokens[b] < 0 || tokens[b] >= vocab) throw new IllegalArgumentException("token " + tokens[b] + " outside [0, " + vocab + ")");
            System.arraycopy(embed, (int) tokens[b] * d, x, b * d, d);
        }
        float[] cos = new float[batch * hd], sin = new float[batch * hd];                          // [B, hd]
        int half = hd / 2;
        for (int b = 0; b < batch; b++) {
            float p = positions[b];
            for (int i = 0; i < half; i++) {
                float a = p * invFreq[i];
                cos[b * hd + i] = cos[b * hd + half + i] = (float) Math.cos(a);
                sin[b * hd + i] = sin[b * hd + half + i] = (float) Math.sin(a);
            }
            real[b * maxLen + length] = true;
            validCount[b]++;
        }
        int s = length + 1;
        float[] h = new float[batch * d], q = new float[batch * heads * hd], k = new float[batch * kvHeads * hd],
                v = new float[batch * kvHeads * hd], att = new float[batch * heads * hd], o = new float[batch * d],
                g = new float[batch * inter], u = new float[batch * inter], scores = new float[s];
        for (int l = 0; l < layers.length; l++) {
            Layer w = layers[l];
            rmsNorm(x, w.n1(), h);
            matmul(h, w.qT(), w.bq(), q, d, heads * hd);
            matmul(h, w.kT(), w.bk(), k, d, kvHeads * hd);
            matmul(h, w.vT(), w.bv(), v, d, kvHeads * hd);
            for (int b = 0; b < batch; b++) {
                for (int j = 0; j < heads; j++) rope(q, (b * heads + j) * hd, cos, sin, b * hd);
                for (int j = 0; j < kvHeads; j++) {
                    rope(k, (b * kvHeads + j) * hd, cos, sin, b * hd);
                    int at = ((b * kvHeads + j) * maxLen + length) * hd;
                    System.arraycopy(k, (b * kvHeads + j) * hd, keys[l], at, hd);
                    System.arraycopy(v, (b * kvHeads + j) * hd, values[l], at, hd);
                }
                for (int j = 0; j < heads; j++) attend(l, b, j, q, att, scores, s);
            }
            matmul(att, w.oT(), null, o, heads * hd, d);
            for (int i = 0; i < x.length; i++) x[i] += o[i];
            rmsNorm(x, w.n2(), h);
            matmul(h, w.gT(), null, g, d, inter);
            matmul(h, w.uT(), null, u, d, inter);
            for (int i = 0; i < g.length; i++) g[i] = g[i] / (1f + (float) Math.exp(-g[i])) * u[i];   // silu(gate) ⊙ up
            matmul(g, w.dT(), null, o, inter, d);
            for (int i = 0; i < x.length; i++) x[i] += o[i];
        }
        length = s;
        rmsNorm(x, finalNorm, h);
        float[] logits = new float[batch * vocab];
        matmul(h, headT, null, logits, d, vocab);
        return logits;
    }

    /** Query head j of row b attends over the s cached positions of its KV head (real tokens only). */
    private void attend(int l, int b, int j, float[] q, float[] out, float[] scores, int s) {
        int qo = (b * heads + j) * hd, base = (b * kvHeads + j / group) * maxLen * hd;
        float[] kc = keys[l], vc = values[l];
        float max = Float.NEGATIVE_INFINITY;
        for (int t = 0; t < s; t++) {
            if (!real[b * maxLen + t]) continue;
            float acc = 0;
            for (int i = 0; i < hd; i++) acc += q[qo + i] * kc[base + t * hd + i];
            scores[t] = acc * scale;
            max = Math.max(max, scores[t]);
        }
        float sum = 0;
        for (int t = 0; t < s; t++) {
            if (!real[b * maxLen + t]) continue;
            scores[t] = (float) Math.exp(scores[t] - max);
            sum += scores[t];
        }
        Arrays.fill(out, qo, qo + hd, 0f);
        for (int t = 0; t < s; t++) {
            if (!real[b * maxLen + t]) continue;
            float p = scores[t] / sum;
            for (int i = 0; i < hd; i++) out[qo + i] += p * vc[base + t * hd + i];
        }
    }

    /** rotate-half RoPE of one head vector in place. */
    private void rope(float[] t, int off, float[] cos, float[] sin, int co) {
        int half = hd / 2;
        for (int i = 0; i < half; i++) {
            float a = t[off + i], b = t[off + half + i];
            t[off + i] = a * cos[co + i] - b * sin[co + i];
            t[off + half + i] = b * cos[co + half + i] + a * sin[co + half + i];
        }
    }

    /** Row-wise RMSNorm of [B, D]. */
    private void rmsNorm(float[] x, float[] w, float[] y) {
        for (int b = 0; b < batch; b++) {
            float ss = 0;
            for (int i = 0; i < d; i++) ss += x[b * d + i] * x[b * d + i];
            float r = (float) (1.0 / Math.sqrt(ss / d + eps));
            for (int i = 0; i < d; i++) y[b * d + i] = w[i] * (x[b * d + i] * r);
        }
    }

    /**
     * y [B, out] = x [B, in] · Wᵀ (+ bias), with wT = Wᵀ [in, out]: y += Σ x_i · wT[i, :], four input rows
     * per pass (fewer loads/stores of y; the inner loop is contiguous, so the JIT vectorises it).
     */
    private void matmul(float[] x, float[] wT, float[] bias, float[] y, int in, int out) {
        for (int b = 0; b < batch; b++) {
            if (bias != null) System.arraycopy(bias, 0, y, b * out, out);
            else Arrays.fill(y, b * out, (b + 1) * out, 0f);
        }
        int i = 0;
        for (; i + 3 < in; i += 4) {
            int w0 = i * out, w1 = w0 + out, w2 = w1 + out, w3 = w2 + out;
            for (int b = 0; b < batch; b++) {
                int xo = b * in + i, yo = b * out;
                float x0 = x[xo], x1 = x[xo + 1], x2 = x[xo + 2], x3 = x[xo + 3];
                for (int o = 0; o < out; o++) {
                    y[yo + o] += x0 * wT[w0 + o] + x1 * wT[w1 + o] + x2 * wT[w2 + o] + x3 * wT[w3 + o];
                }
            }
        }
        for (; i < in; i++) {
            int wo = i * out;
            for (int b = 0; b < batch; b++) {
                float xi = x[b * in + i];
                int yo = b * out;
                for (int o = 0; o < out; o++) y[yo + o] += xi * wT[wo + o];
            }
        }
    }

    /**
     * Greedy decoding: ND4J prefill of {@code prefixEmbeds} [B, P, D] (mask/positions as in
     * {@link Qwen2Model#greedyFromEmbeds}), then plain-Java steps. {@code chosenBy} (may be null) receives the
     * logits [B·V] that chose each token. Returns [B][steps] ids.
     */
    public static long[][] greedy(Qwen2Model m, INDArray prefixEmbeds, INDArray attentionMask, INDArray positionIds,
                                  int steps, List<float[]> chosenBy) {
        int b = (int) prefixEmbeds.size(0), p = (int) prefixEmbeds.size(1), v = m.config().vocabSize();
        KvCache cache = m.newCache(b, p + steps);
        INDArray mask = attentionMask != null ? attentionMask : Nd4j.ones(org.nd4j.linalg.api.buffer.DataType.INT64, b, p);
        INDArray pos = positionIds != null ? positionIds : Qwen2Model.generatePositions(mask);
        INDArray last = m.forward(prefixEmbeds, mask, pos, cache, false).logits()
                .get(NDArrayIndex.all(), NDArrayIndex.point(p - 1), NDArrayIndex.all());      // [B, V]
        float[] logits = last.dup('c').data().asFloat();                                       // [B·V]
        Qwen2FastDecoder fd = of(m, b, p + steps);
        fd.load(cache);
        long[][] tokens = new long[b][steps];
        for (int s = 0; s < steps; s++) {
            if (chosenBy != null) chosenBy.add(logits);
            long[] next = new long[b], nextPos = new long[b];
            for (int r = 0; r < b; r++) {
                int best = 0;
                for (int i = 1; i < v; i++) if (logits[r * v + i] > logits[r * v + best]) best = i;
                next[r] = best;
                tokens[r][s] = best;
                nextPos[r] = fd.validCount(r);
            }
            if (s == steps - 1) break;
            logits = fd.step(next, nextPos);
        }
        return tokens;
    }
}
