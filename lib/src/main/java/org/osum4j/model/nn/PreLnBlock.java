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

    // ---- training -------------------------------------------------------------------------------

    /**
     * What a training forward keeps for {@link #backward}, in the order of the math.
     *
     * @param x      [B, T, D] block input
     * @param n1     [B, T, D] LN1(x)
     * @param attn   the attention's own trace (its output is attn(n1))
     * @param h      [B, T, D] x + attn(n1)
     * @param n2     [B, T, D] LN2(h)
     * @param f1     [B, T, F] fc1(n2), before the activation
     * @param a      [B, T, F] act(f1)
     * @param output [B, T, D] h + fc2(a)
     */
    public record Trace(INDArray x, INDArray n1, SelfAttention.Trace attn, INDArray h, INDArray n2, INDArray f1, INDArray a,
                        INDArray output) {

        /**
         * Frees the block's own activations (everything but {@code x}, the previous block's output, and
         * {@code output}, the next block's input) once {@link #backward} has consumed them: the trace is unusable after.
         */
        public void release() {
            attn.release();
            Kernels.release(n1, h, n2, f1, a);
        }
    }

    /** Gradients of one block call; {@code dInput} [B, T, D] is dL/dx. */
    public record Grad(INDArray dInput, LayerNorm.Grad norm1, SelfAttention.Grad attn, LayerNorm.Grad norm2,
                       Linear.Grad fc1, Linear.Grad fc2) {
    }

    /** {@link #apply} keeping every activation {@link #backward} needs (no workspace: they outlive the call). */
    public Trace trace(INDArray x, FrameMask mask) {
        INDArray n1 = norm1.apply(x);                                           // [B, T, D]
        SelfAttention.Trace at = attn.trace(n1, mask);
        INDArray h = Kernels.addInPlace(at.output().dup('c'), x);               // [B, T, D] attn(LN1(x)) + x
        INDArray n2 = norm2.apply(h);                                           // [B, T, D]
        INDArray f1 = fc1.apply(n2);                                            // [B, T, F]
        INDArray a = act.apply(f1);                                             // [B, T, F]
        INDArray out = Kernels.addInPlace(fc2.apply(a), h);                     // [B, T, D] ffn + h
        return new Trace(x, n1, at, h, n2, f1, a, out);
    }

    /**
     * Backward of {@link #trace}: dy [B, T, D] → dL/dx and every parameter's gradient. The intermediate
     * gradients are released as soon as they are consumed (the returned {@link Grad}'s nested ones carry no
     * {@code dInput}); dy and the trace are left to the caller.
     */
    public Grad backward(INDArray dy, Trace tr) {
        // out = h + fc2(act(fc1(LN2(h))))
        Linear.Grad g2 = fc2.backward(dy, tr.a());                              // da [B, T, F]
        INDArray df1 = act.backward(g2.dInput(), tr.f1(), tr.a());              // [B, T, F]
        Kernels.release(g2.dInput());
        Linear.Grad g1 = fc1.backward(df1, tr.n2());                            // dn2 [B, T, D]
        Kernels.release(df1);
        LayerNorm.Grad gn2 = norm2.backward(g1.dInput(), tr.h());
        Kernels.release(g1.dInput());
        INDArray dh = Kernels.addInPlace(gn2.dInput(), dy);                     // [B, T, D]
        // h = x + attn(LN1(x))
        SelfAttention.Grad ga = attn.backward(dh, tr.attn());                   // dn1 [B, T, D]
        LayerNorm.Grad gn1 = norm1.backward(ga.dInput(), tr.x());
        Kernels.release(ga.dInput());
        INDArray dx = Kernels.addInPlace(gn1.dInput(), dh);                     // [B, T, D]
        Kernels.release(dh);
        return new Grad(dx, gn1.withoutInput(), ga.withoutInput(), gn2.withoutInput(), g1.withoutInput(), g2.withoutInput());
    }
}
