package org.osum4j.model.nn;

import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.memory.conf.WorkspaceConfiguration;
import org.nd4j.linalg.api.memory.enums.AllocationPolicy;
import org.nd4j.linalg.api.memory.enums.LearningPolicy;
import org.nd4j.linalg.api.memory.enums.ResetPolicy;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.transforms.custom.SoftMax;
import org.nd4j.linalg.factory.Nd4j;
import org.osum4j.model.io.SafeTensors;

/**
 * Bidirectional multi-head self-attention of Whisper and wenet (no causal mask, no RoPE): per head
 * {@code softmax(q·kᵀ/√hd + keyBias)·v}, heads concatenated, then the output projection. Head j owns
 * feature columns [j·hd, (j+1)·hd). The Qwen2 decoder has its own attention (causal, GQA, RoPE).
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

    /**
     * Scratch memory for the per-call temporaries (q/k/v heads, the [B, H, T, T] scores): an ND4J workspace
     * reuses one block across calls instead of allocating (and page-faulting) ~B·H·T² floats each time.
     * Workspaces are per thread, so concurrent calls stay independent.
     */
    private static final WorkspaceConfiguration SCRATCH = WorkspaceConfiguration.builder()
            .policyAllocation(AllocationPolicy.OVERALLOCATE).policyLearning(LearningPolicy.OVER_TIME)
            .policyReset(ResetPolicy.BLOCK_LEFT).cyclesBeforeInitialization(1).build();

    /** x [B, T, D], mask over the T keys (null = all valid) → [B, T, D]. */
    public INDArray apply(INDArray x, FrameMask mask) {
        long b = x.size(0), t = x.size(1), d = q.out(), hd = headDim();
        if (mask != null && (mask.batch() != b || mask.frames() != t)) {
            throw new IllegalArgumentException("attention mask " + mask + " does not fit input " + Params.shape(x));
        }
        INDArray merged;
        try (MemoryWorkspace ws = Nd4j.getWorkspaceManager().getAndActivateWorkspace(SCRATCH, "osum4j-self-attention")) {
            INDArray qh = split(Kernels.addRowVectorAndScale(q.apply(x), null, 1.0 / Math.sqrt(hd)), b, t, hd); // [B, H, T, hd]·hd^-½
            INDArray kh = split(k.apply(x), b, t, hd);                                // [B, H, T, hd]
            INDArray vh = split(v.apply(x), b, t, hd);                                // [B, H, T, hd]
            INDArray scores = Nd4j.matmul(qh, kh, false, true, false);                // [B, H, T, T] = q·kᵀ
            if (mask != null && !mask.isFull()) {
                scores.addi(mask.keyBias());                                          // + [B, 1, 1, T] broadcast: 0 / MASKED_SCORE per key
            }
            Nd4j.exec(new SoftMax(scores, scores, 3));                                // over keys (axis 3, positive)
            INDArray ctx = Nd4j.matmul(scores, vh);                                   // [B, H, T, hd]
            merged = ctx.permute(0, 2, 1, 3).dup('c').reshape('c', b, t, d).detach(); // [B, T, D] heads concatenated, out of the workspace
        }
        return out.apply(merged);                                                     // [B, T, D]
    }

    /** [B, T, D] → [B, H, T, hd] (contiguous). */
    private INDArray split(INDArray x, long b, long t, long hd) {
        return x.reshape('c', b, t, heads, hd).permute(0, 2, 1, 3).dup('c');
    }
}
