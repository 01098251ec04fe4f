package org.osum4j.model.nn;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.memory.conf.WorkspaceConfiguration;
import org.nd4j.linalg.api.memory.enums.AllocationPolicy;
import org.nd4j.linalg.api.memory.enums.LearningPolicy;
import org.nd4j.linalg.api.memory.enums.ResetPolicy;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.transforms.custom.SoftMax;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.INDArrayIndex;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.osum4j.model.io.SafeTensors;

/**
 * Bidirectional multi-head self-attention of Whisper and wenet (no causal mask, no RoPE): per head
 * {@code softmax(q·kᵀ/√hd)·v} over the valid keys, heads concatenated, then the output projection. Head j
 * owns feature columns [j·hd, (j+1)·hd). The Qwen2 decoder has its own attention (causal, GQA, RoPE).
 *
 * <p>Key padding: masks here are prefixes (see {@link FrameMask}), so item b simply attends to its first
 * valid[b] keys. That is exactly OSUM's rule (masked scores −inf, their weights then zeroed), with no
 * large-negative constant and no NaN risk. Scores are computed in blocks of {@link #QUERY_BLOCK} queries
 * per head, so the [T, T] score matrix never exists whole (30 s of Whisper-medium at batch 4 would need
 * 576 MB for it) and each block stays in cache between its GEMM, softmax and GEMM. Heads with the same
 * number of attended keys (all of them without padding, else those of one item) go through each block
 * together, as one batched GEMM, up to {@link #SCORE_BUDGET} scores: one ND4J call per block instead of one
 * per head (at 250 frames × 64 per head, the per-head calls cost 4× the arithmetic). The backward
 * ({@link #trace}, {@link #backward}) recomputes each block's probabilities the same way instead of storing them,
 * unless the whole attention is one such block (short inputs): then the trace keeps it.
 *
 * @param q     [D, D] query projection (with bias)
 * @param k     [D, D] key projection (no bias in Whisper / the OSUM encoder; biased in the OSUM adapter)
 * @param v     [D, D] value projection (with bias)
 * @param out   [D, D] output projection (with bias)
 * @param heads number of heads H; head size hd = D / H
 */
public record SelfAttention(Linear q, Linear k, Linear v, Linear out, int heads) {

    public SelfAttention {
        if (q.out() % heads != 0) throw new IllegalArgumentException("attention width " + q.out() + " not divisible by " + heads + " heads");
    }

    /**
     * Loads {@code prefix.<qName>}, … with the given leaf names (HF: q_proj/k_proj/v_proj/out_proj;
     * wenet: linear_q/linear_k/linear_v/linear_out).
     */
    public static SelfAttention load(SafeTensors st, String prefix, String[] qkvoNames, long d, int heads, boolean keyBias) {
        return new SelfAttention(
                Linear.load(st, prefix + qkvoNames[0], d, d, true),
                Linear.load(st, prefix + qkvoNames[1], d, d, keyBias),
                Linear.load(st, prefix + qkvoNames[2], d, d, true),
                Linear.load(st, prefix + qkvoNames[3], d, d, true), heads);
    }

    public long headDim() {
        return q.out() / heads;
    }

    /** Queries per score block: [QUERY_BLOCK, T] floats per step (1.5 MB at T = 1500). */
    public static final int QUERY_BLOCK = 256;

    /**
     * Scratch memory for the per-call temporaries (q/k/v heads, score blocks, per-head context): an ND4J
     * workspace reuses one block across calls instead of allocating (and page-faulting) fresh off-heap
     * arrays. Workspaces are per thread, so concurrent calls stay independent.
     */
    private static final WorkspaceConfiguration SCRATCH = WorkspaceConfiguration.builder()
            .policyAllocation(AllocationPolicy.OVERALLOCATE).policyLearning(LearningPolicy.OVER_TIME)
            .policyReset(ResetPolicy.BLOCK_LEFT).cyclesBeforeInitialization(1).build();

    /**
     * x [B, T, D], mask over the T keys (null = all valid) → [B, T, D]. Outputs at invalid query frames
     * are computed like the others (finite, meaningless); an item with no valid frame attends to all keys.
     */
    public INDArray apply(INDArray x, FrameMask mask) {
        long b = x.size(0), t = x.size(1), d = q.out(), hd = headDim();
        if (mask != null && (mask.batch() != b || mask.frames() != t)) {
            throw new IllegalArgumentException("attention mask " + mask + " does not fit input " + Params.shape(x));
        }
        INDArray merged;
        try (MemoryWorkspace ws = Nd4j.getWorkspaceManager().getAndActivateWorkspace(SCRATCH, "osum4j-self-attention")) {
            INDArray qh = split(Kernels.addRowVectorAndScale(q.apply(x), null, 1.0 / Math.sqrt(hd)), b, t, hd); // [B·H, T, hd]·hd^-½
            INDArray kh = split(k.apply(x), b, t, hd);                                // [B·H, T, hd]
            INDArray vh = split(v.apply(x), b, t, hd);                                // [B·H, T, hd]
            merged = attend(qh, kh, vh, mask, b, t, null).detach();                  // [B, T, D], out of the workspace
        }
        return out.apply(merged);                                                     // [B, T, D]
    }

    /** Scores per batched block at most: a group of heads × queries × keys stays within 16 MB of fp32. */
    public static final long SCORE_BUDGET = 4L << 20;

    /**
     * softmax(q·kᵀ)·v per head over the valid keys, in query blocks: qh (already scaled by hd^-½), kh, vh
     * [B·H, T, hd] → heads concatenated [B, T, D] (a new array). With {@code keep} non-null and the whole
     * attention one batched block ({@link #oneBlock}), keep[0] receives its probabilities [B·H, T, keys].
     */
    private INDArray attend(INDArray qh, INDArray kh, INDArray vh, FrameMask mask, long b, long t, INDArray[] keep) {
        long hd = headDim();
        int rows = (int) (b * heads);
        boolean keepProbs = keep != null && oneBlock(mask, rows, t);
        INDArray ctx = Nd4j.createUninitialized(DataType.FLOAT, rows, t, hd);         // [B·H, T, hd]
        for (int g0 = 0, g1; g0 < rows; g0 = g1) {
            long keys = validKeys(mask, g0, t);                                       // keys [0, keys) are attended
            g1 = groupEnd(mask, g0, rows, t, keys);
            INDArray kj = kh.get(NDArrayIndex.interval(g0, g1), NDArrayIndex.interval(0, keys), NDArrayIndex.all()); // [G, keys, hd]
            INDArray vj = vh.get(NDArrayIndex.interval(g0, g1), NDArrayIndex.interval(0, keys), NDArrayIndex.all()); // [G, keys, hd]
            for (long q0 = 0; q0 < t; q0 += QUERY_BLOCK) {
                long q1 = Math.min(t, q0 + QUERY_BLOCK);
                INDArray qb = qh.get(NDArrayIndex.interval(g0, g1), NDArrayIndex.interval(q0, q1), NDArrayIndex.all()); // [G, n, hd]
                INDArray weights = probabilities(qb, kj);                             // [G, n, keys]
                INDArray c = Nd4j.matmul(weights, vj);                                // [G, n, hd] = weights·v
                ctx.get(NDArrayIndex.interval(g0, g1), NDArrayIndex.interval(q0, q1), NDArrayIndex.all()).assign(c);
                Kernels.release(c);
                if (keepProbs) keep[0] = weights;
                else Kernels.release(weights);
            }
        }
        INDArray merged = merge(ctx, b, t);                                           // [B, T, D]
        Kernels.release(ctx);
        return merged;
    }

    /**
     * Whether all rows attend to the same keys and fit one batched block (one query block, within
     * {@link #SCORE_BUDGET}): then a trace keeps the probabilities (at most 16 MB per layer) and the backward
     * reads them instead of computing them again.
     */
    private boolean oneBlock(FrameMask mask, int rows, long t) {
        return t <= QUERY_BLOCK && groupEnd(mask, 0, rows, t, validKeys(mask, 0, t)) == rows;
    }

    /** Attended key count of row bh = (item bh / H, head bh % H): its valid prefix, all keys if none is valid. */
    private long validKeys(FrameMask mask, int bh, long t) {
        int valid = mask == null ? (int) t : mask.valid()[bh / heads];
        return valid == 0 ? t : valid;
    }

    /**
     * The end of the group of rows from g0 that attend to the same {@code keys} and whose score block (up to
     * {@link #QUERY_BLOCK} queries each) fits {@link #SCORE_BUDGET}: at least g0 + 1.
     */
    private int groupEnd(FrameMask mask, int g0, int rows, long t, long keys) {
        long perRow = Math.min(t, QUERY_BLOCK) * keys;
        int g1 = g0 + 1;
        while (g1 < rows && validKeys(mask, g1, t) == keys && (g1 - g0 + 1) * perRow <= SCORE_BUDGET) g1++;
        return g1;
    }

    /** softmax over keys of qb·kjᵀ: qb [G, n, hd] (scaled), kj [G, keys, hd] → [G, n, keys] (a new packed array). */
    private static INDArray probabilities(INDArray qb, INDArray kj) {
        INDArray scores = Kernels.packed(Nd4j.matmul(qb, kj, false, true, false));   // [G, n, keys] = q·kᵀ
        Nd4j.exec(new SoftMax(scores, scores, 2));                                    // over keys (last axis)
        return scores;
    }

    // ---- training -------------------------------------------------------------------------------

    /**
     * What a training forward keeps for {@link #backward}: the input, the heads and the concatenated context.
     * The attention probabilities are kept only when they are one batched block of at most {@link #SCORE_BUDGET}
     * floats ([B·H, T, T] would dominate memory at Whisper's 30 s windows); otherwise the backward recomputes
     * them block by block with the same {@link #probabilities} call.
     *
     * @param x      [B, T, D] input
     * @param qh     [B·H, T, hd] queries, scaled by hd^-½
     * @param kh     [B·H, T, hd]
     * @param vh     [B·H, T, hd]
     * @param merged [B, T, D] heads concatenated (input of the output projection)
     * @param mask   key mask (null = all valid)
     * @param probs  [B·H, T, keys] the probabilities when the attention was one block ({@link #oneBlock}), else null
     * @param output [B, T, D] what {@link #apply} returns
     */
    public record Trace(INDArray x, INDArray qh, INDArray kh, INDArray vh, INDArray merged, FrameMask mask, INDArray probs,
                        INDArray output) {

        /** Frees the attention's own arrays (heads, context, output; not the input x): the trace is unusable after. */
        public void release() {
            Kernels.release(qh, kh, vh, merged, probs, output);
        }
    }

    /**
     * Gradients of one attention call.
     *
     * @param dInput [B, T, D] dL/dx (sum over the q, k and v projections)
     */
    public record Grad(INDArray dInput, Linear.Grad q, Linear.Grad k, Linear.Grad v, Linear.Grad out) {

        /** Puts the four projections' gradients under {@code prefix + qkvoNames[i]} (see {@link #load}). */
        public void putInto(java.util.Map<String, INDArray> grads, String prefix, String[] qkvoNames) {
            q.putInto(grads, prefix + qkvoNames[0]);
            k.putInto(grads, prefix + qkvoNames[1]);
            v.putInto(grads, prefix + qkvoNames[2]);
            out.putInto(grads, prefix + qkvoNames[3]);
        }

        /** The same parameter gradients with {@code dInput} dropped (after a caller consumed and released it). */
        public Grad withoutInput() {
            return new Grad(null, q, k, v, out);
        }
    }

    /** {@link #apply} keeping what {@link #backward} needs; the same numbers as {@link #apply}. */
    public Trace trace(INDArray x, FrameMask mask) {
        long b = x.size(0), t = x.size(1), hd = headDim();
        if (mask != null && (mask.batch() != b || mask.frames() != t)) {
            throw new IllegalArgumentException("attention mask " + mask + " does not fit input " + Params.shape(x));
        }
        INDArray qh = splitAndRelease(Kernels.addRowVectorAndScale(q.apply(x), null, 1.0 / Math.sqrt(hd)), b, t, hd); // [B·H, T, hd]·hd^-½
        INDArray kh = splitAndRelease(k.apply(x), b, t, hd);                          // [B·H, T, hd]
        INDArray vh = splitAndRelease(v.apply(x), b, t, hd);                          // [B·H, T, hd]
        INDArray[] probs = new INDArray[1];
        INDArray merged = attend(qh, kh, vh, mask, b, t, probs);                      // [B, T, D]
        return new Trace(x, qh, kh, vh, merged, mask, probs[0], out.apply(merged));
    }

    /**
     * Backward of {@link #trace}: dy [B, T, D] → dL/dx and the projections' gradients. Per head and query
     * block, with P = softmax(S), S = q̃·kᵀ (q̃ = q·hd^-½): dP = dC·vᵀ, dv += Pᵀ·dC, dS = P·(dP − Σ dP·P),
     * dq̃ = dS·k, dk += dSᵀ·q̃; masked keys get nothing (their weights are 0, as OSUM's −inf fill gives).
     */
    public Grad backward(INDArray dy, Trace tr) {
        long b = tr.x().size(0), t = tr.x().size(1), hd = headDim();
        Linear.Grad gOut = out.backward(dy, tr.merged());                             // dMerged [B, T, D]
        INDArray dCtx = splitAndRelease(gOut.dInput(), b, t, hd);                     // [B·H, T, hd]
        INDArray dq = Nd4j.zeros(DataType.FLOAT, b * heads, t, hd);                   // [B·H, T, hd] d q̃
        INDArray dk = Nd4j.zeros(DataType.FLOAT, b * heads, t, hd);
        INDArray dv = Nd4j.zeros(DataType.FLOAT, b * heads, t, hd);
        int rows = (int) (b * heads);
        for (int g0 = 0, g1; g0 < rows; g0 = g1) {
            long keys = validKeys(tr.mask(), g0, t);
            g1 = groupEnd(tr.mask(), g0, rows, t, keys);
            INDArrayIndex group = NDArrayIndex.interval(g0, g1), keyRange = NDArrayIndex.interval(0, keys);
            INDArray kj = tr.kh().get(group, keyRange, NDArrayIndex.all());          // [G, keys, hd]
            INDArray vj = tr.vh().get(group, keyRange, NDArrayIndex.all());          // [G, keys, hd]
            INDArray dkj = dk.get(group, keyRange, NDArrayIndex.all());              // [G, keys, hd]
            INDArray dvj = dv.get(group, keyRange, NDArrayIndex.all());              // [G, keys, hd]
            for (long q0 = 0; q0 < t; q0 += QUERY_BLOCK) {
                long q1 = Math.min(t, q0 + QUERY_BLOCK);
                INDArrayIndex queries = NDArrayIndex.interval(q0, q1);
                INDArray qb = tr.qh().get(group, queries, NDArrayIndex.all());        // [G, n, hd]
                INDArray dcb = dCtx.get(group, queries, NDArrayIndex.all());          // [G, n, hd]
                INDArray p = tr.probs() != null ? tr.probs() : probabilities(qb, kj); // [G, n, keys], as in the forward
                INDArray dp = Kernels.packed(Nd4j.matmul(dcb, vj, false, true, false));  // [G, n, keys] = dC·vᵀ
                accumulate(dvj, Nd4j.matmul(p, dcb, true, false, false));             // dv += Pᵀ·dC  [G, keys, hd]
                GradKernels.softmaxBackwardInPlace(dp, p);                            // dS [G, n, keys]
                INDArray dqb = Nd4j.matmul(dp, kj);                                   // dq̃ = dS·k  [G, n, hd]
                dq.get(group, queries, NDArrayIndex.all()).assign(dqb);
                accumulate(dkj, Nd4j.matmul(dp, qb, true, false, false));             // dk += dSᵀ·q̃  [G, keys, hd]
                Kernels.release(dp, dqb);
                if (p != tr.probs()) Kernels.release(p);
            }
        }
        Kernels.release(dCtx);
        Kernels.addRowVectorAndScale(dq, null, 1.0 / Math.sqrt(hd));                  // d q = d q̃ · hd^-½
        Linear.Grad gq = backwardAndRelease(q, mergeAndRelease(dq, b, t), tr.x());
        Linear.Grad gk = backwardAndRelease(k, mergeAndRelease(dk, b, t), tr.x());
        Linear.Grad gv = backwardAndRelease(v, mergeAndRelease(dv, b, t), tr.x());
        INDArray dx = Kernels.addInPlace(Kernels.addInPlace(gq.dInput(), gk.dInput()), gv.dInput());  // [B, T, D]
        Kernels.release(gk.dInput(), gv.dInput());
        return new Grad(dx, gq.withoutInput(), gk.withoutInput(), gv.withoutInput(), gOut.withoutInput());
    }

    /** sum += part, then part (a fresh product) is released. */
    private static void accumulate(INDArray sum, INDArray part) {
        sum.addi(part);
        Kernels.release(part);
    }

    /** {@link Linear#backward} of a projection for an output gradient dy [B, T, D] the caller owns and releases here. */
    private static Linear.Grad backwardAndRelease(Linear proj, INDArray dy, INDArray x) {
        Linear.Grad g = proj.backward(dy, x);
        Kernels.release(dy);
        return g;
    }

    /** {@link #split} of an array the caller owns and no longer needs, which is released. */
    private INDArray splitAndRelease(INDArray x, long b, long t, long hd) {
        INDArray heads3 = split(x, b, t, hd);
        Kernels.release(x);
        return heads3;
    }

    /** {@link #merge} of an array the caller owns and no longer needs, which is released. */
    private INDArray mergeAndRelease(INDArray heads3, long b, long t) {
        INDArray merged = merge(heads3, b, t);
        Kernels.release(heads3);
        return merged;
    }

    /** [B·H, T, hd] → [B, T, D] heads concatenated (a new contiguous array). */
    private INDArray merge(INDArray heads3, long b, long t) {
        return heads3.reshape('c', b, heads, t, headDim()).permute(0, 2, 1, 3).dup('c').reshape('c', b, t, q.out());
    }

    /** [B, T, D] → [B·H, T, hd] (contiguous; row bh = item bh / H, head bh % H). */
    private INDArray split(INDArray x, long b, long t, long hd) {
        return x.reshape('c', b, t, heads, hd).permute(0, 2, 1, 3).dup('c').reshape('c', b * heads, t, hd);
    }
}
