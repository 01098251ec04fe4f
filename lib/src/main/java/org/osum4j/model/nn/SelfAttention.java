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
 * 576 MB for it) and each block stays in cache between its GEMM, softmax and GEMM.
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
            INDArray ctx = Nd4j.createUninitialized(DataType.FLOAT, b * heads, t, hd); // [B·H, T, hd]
            for (int bh = 0; bh < b * heads; bh++) {
                int valid = mask == null ? (int) t : mask.valid()[(int) (bh / heads)];
                long keys = valid == 0 ? t : valid;                                   // keys [0, keys) are attended
                INDArray kj = kh.slice(bh).get(NDArrayIndex.interval(0, keys), NDArrayIndex.all()); // [keys, hd]
                INDArray vj = vh.slice(bh).get(NDArrayIndex.interval(0, keys), NDArrayIndex.all()); // [keys, hd]
                for (long q0 = 0; q0 < t; q0 += QUERY_BLOCK) {
                    long q1 = Math.min(t, q0 + QUERY_BLOCK);
                    INDArray qb = qh.slice(bh).get(NDArrayIndex.interval(q0, q1), NDArrayIndex.all()); // [n, hd]
                    INDArray scores = Nd4j.createUninitialized(DataType.FLOAT, q1 - q0, keys);
                    Nd4j.gemm(qb, kj, scores, false, true, 1.0, 0.0);                 // [n, keys] = q·kᵀ
                    Nd4j.exec(new SoftMax(scores, scores, 1));                        // over keys (axis 1, positive)
                    Nd4j.gemm(scores, vj, ctx.slice(bh).get(NDArrayIndex.interval(q0, q1), NDArrayIndex.all()),
                            false, false, 1.0, 0.0);                                  // [n, hd] = weights·v
                }
            }
            merged = ctx.reshape('c', b, heads, t, hd).permute(0, 2, 1, 3).dup('c')
                    .reshape('c', b, t, d).detach();                                   // [B, T, D] heads concatenated, out of the workspace
        }
        return out.apply(merged);                                                     // [B, T, D]
    }

    /** [B, T, D] → [B·H, T, hd] (contiguous; row bh = item bh / H, head bh % H). */
    private INDArray split(INDArray x, long b, long t, long hd) {
        return x.reshape('c', b, t, heads, hd).permute(0, 2, 1, 3).dup('c').reshape('c', b * heads, t, hd);
    }
}
