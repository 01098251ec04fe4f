package org.osum4j.model.nn;

import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.memory.conf.WorkspaceConfiguration;
import org.nd4j.linalg.api.memory.enums.AllocationPolicy;
import org.nd4j.linalg.api.memory.enums.LearningPolicy;
import org.nd4j.linalg.api.memory.enums.ResetPolicy;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * One pre-LN transformer block (Whisper encoder layer, wenet {@code TransformerEncoderLayer} with
 * {@code normalize_before: true}): {@code x += attn(LN1(x)); x += fc2(act(fc1(LN2(x))))}. Dropout is
 * absent (inference and deterministic training both run it at 0).
 *
 * @param norm1 LayerNorm before attention (HF {@code self_attn_layer_norm}, wenet {@code norm1})
 * @param attn  self-attention
 * @param norm2 LayerNorm before the feed-forward (HF {@code final_layer_norm}, wenet {@code norm2})
 * @param fc1   [F, D] (HF {@code fc1}, wenet {@code feed_forward.w_1})
 * @param fc2   [D, F] (HF {@code fc2}, wenet {@code feed_forward.w_2})
 * @param act   exact GELU (encoder) or ReLU (OSUM adapter)
 */
public record PreLnBlock(LayerNorm norm1, SelfAttention attn, LayerNorm norm2, Linear fc1, Linear fc2, Activation act) {

    /**
     * Scratch memory for the block's temporaries ([B, T, F] feed-forward activations and the like): one
     * per-thread ND4J workspace reused from call to call instead of fresh off-heap arrays each time. Only
     * the block output leaves it (detached).
     */
    private static final WorkspaceConfiguration SCRATCH = WorkspaceConfiguration.builder()
            .policyAllocation(AllocationPolicy.OVERALLOCATE).policyLearning(LearningPolicy.OVER_TIME)
            .policyReset(ResetPolicy.BLOCK_LEFT).cyclesBeforeInitialization(1).build();

    /** x [B, T, D] → [B, T, D] (a new array; x is not modified). */
    public INDArray apply(INDArray x, FrameMask mask) {
        try (MemoryWorkspace ws = Nd4j.getWorkspaceManager().getAndActivateWorkspace(SCRATCH, "osum4j-pre-ln-block")) {
            INDArray h = Kernels.addInPlace(attn.apply(norm1.apply(x), mask), x);   // [B, T, D] attn(LN1(x)) + x
            INDArray ff = fc2.apply(act.apply(fc1.apply(norm2.apply(h))));         // [B, T, F] → [B, T, D]
            return Kernels.addInPlace(ff, h).detach();                              // [B, T, D] ffn + h, out of the workspace
        }
    }
}
