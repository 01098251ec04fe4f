package org.osum4j.model;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;
import org.osum4j.model.io.Qwen2Config;
import org.osum4j.model.nn.Kernels;

import java.util.Arrays;
import java.util.List;

/**
 * One Qwen2 decoder layer, forward and backward, in the order of the math:
 * x += o_proj(attn(RoPE(q), RoPE(k), v)) on RMSNorm(x); x += down(silu(gate(h)) ⊙ up(h)) on RMSNorm(x).
 * Grouped-query attention with q/k/v bias, no o bias, additive causal + padding mask. The same forward
 * serves inference (nothing saved) and training (activations saved for {@link #backward}).
 */
final class Qwen2Layer {

    /** Activations a training forward keeps for the backward pass (shapes with N = B·L, S = L). */
    static final class Saved {
        INDArray x;          // [N, D] layer input
        INDArray h1;         // [N, D] input_layernorm(x)
        INDArray rinv1;      // [N, 1]
        INDArray qg;         // [B, KV, G·L, hd] rotated queries, grouped by KV head
        INDArray k;          // [B, KV, S, hd] rotated keys
        INDArray v;          // [B, KV, S, hd]
        INDArray p;          // [B, KV, G·L, S] attention probabilities
        INDArray attn;       // [N, H·hd] concatenated heads (o_proj input)
        INDArray x2;         // [N, D] after the attention residual
        INDArray h2;         // [N, D] post_attention_layernorm(x2)
        INDArray rinv2;      // [N, 1]
        INDArray gate;       // [N, I] gate_proj(h2), before SiLU
        INDArray sig;        // [N, I] sigmoid(gate)
        INDArray up;         // [N, I] up_proj(h2)
        INDArray act;        // [N, I] silu(gate) ⊙ up (down_proj input)
        final LoraLinear.Saved[] q = new LoraLinear.Saved[1], kk = new LoraLinear.Saved[1], vv = new LoraLinear.Saved[1],
                o = new LoraLinear.Saved[1], g = new LoraLinear.Saved[1], u = new LoraLinear.Saved[1], d = new LoraLinear.Saved[1];

        /**
         * Frees every saved activation, the layer input x included, once the backward has consumed them (a
         * training forward made them all: x is the previous layer's output or the model's own copy of the
         * embeddings). Unusable after.
         */
        void release() {
            Kernels.release(x, h1, rinv1, qg, k, v, p, attn, x2, h2, rinv2, gate, sig, up, act);
            for (LoraLinear.Saved[] l : List.of(q, kk, vv, o, g, u, d)) {
                if (l[0] != null) Kernels.release(l[0].loraHidden(), l[0].dropMask());
            }
        }
    }

    final String prefix;                 // e.g. "model.layers.3." (checkpoint names start with it)
    final INDArray inputNorm;            // [D]
    final INDArray postNorm;             // [D]
    final LoraLinear qProj;              // [H·hd, D] + bias
    final LoraLinear kProj;              // [KV·hd, D] + bias
    final LoraLinear vProj;              // [KV·hd, D] + bias
    final LoraLinear oProj;              // [D, H·hd], no bias
    final LoraLinear gateProj;           // [I, D]
    final LoraLinear upProj;             // [I, D]
    final LoraLinear downProj;           // [D, I]
    private final int heads, kvHeads, headDim, group;
    private final double eps;
    private final float scale;           // 1/√hd

    Qwen2Layer(Qwen2Config c, String prefix, INDArray inputNorm, INDArray postNorm, LoraLinear q, LoraLinear k,
               LoraLinear v, LoraLinear o, LoraLinear gate, LoraLinear up, LoraLinear down) {
        int d = c.hiddenSize(), hd = c.headDim(), i = c.intermediateSize();
        expect(prefix + "input_layernorm.weight", inputNorm, d);
        expect(prefix + "post_attention_layernorm.weight", postNorm, d);
        expect(q.weightName(), q.weight(), (long) c.numHeads() * hd, d);
        expect(k.weightName(), k.weight(), (long) c.numKvHeads() * hd, d);
        expect(v.weightName(), v.weight(), (long) c.numKvHeads() * hd, d);
        expect(o.weightName(), o.weight(), d, (long) c.numHeads() * hd);
        expect(gate.weightName(), gate.weight(), i, d);
        expect(up.weightName(), up.weight(), i, d);
        expect(down.weightName(), down.weight(), d, i);
        this.prefix = prefix;
        this.inputNorm = inputNorm;
        this.postNorm = postNorm;
        this.qProj = q;
        this.kProj = k;
        this.vProj = v;
        this.oProj = o;
        this.gateProj = gate;
        this.upProj = up;
        this.downProj = down;
        this.heads = c.numHeads();
        this.kvHeads = c.numKvHeads();
        this.headDim = hd;
        this.group = c.groupSize();
        this.eps = c.rmsNormEps();
        this.scale = (float) (1.0 / Math.sqrt(hd));
    }

    private static void expect(String name, INDArray t, long... shape) {
        if (!Arrays.equals(t.shape(), shape)) {
            throw new IllegalArgumentException(name + ": expected shape " + Arrays.toString(shape) + ", got " + Arrays.toString(t.shape()));
        }
    }

    LoraLinear[] linears() {
        return new LoraLinear[]{qProj, kProj, vProj, oProj, gateProj, upProj, downProj};
    }

    /**
     * x [N = B·L, D] → [N, D]. {@code mask} [B, 1, L, S] additive; with a cache, new keys/values are
     * written into it and attention runs over all S = cached + L; {@code saved} non-null records the
     * activations for training (no cache then).
     */
    INDArray forward(INDArray x, int batch, int len, Qwen2Ops.Rope rope, INDArray mask, KvCache cache, int layer, Saved saved) {
        return forward(x, batch, len, rope, mask, cache, layer, saved, null, 0);
    }

    /** {@link #forward} with LoRA dropout p on every adapted linear when {@code rng} is non-null (training). */
    INDArray forward(INDArray x, int batch, int len, Qwen2Ops.Rope rope, INDArray mask, KvCache cache, int layer, Saved saved,
                     java.util.Random rng, double dropout) {
        // --- attention block
        Qwen2Ops.Norm n1 = Qwen2Ops.rmsNorm(x, inputNorm, eps);                                    // [N, D]
        INDArray q = heads(qProj.forward(n1.y(), saved == null ? null : saved.q, rng, dropout), batch, len, heads);     // [B, H, L, hd]
        INDArray k = heads(kProj.forward(n1.y(), saved == null ? null : saved.kk, rng, dropout), batch, len, kvHeads); // [B, KV, L, hd]
        INDArray v = heads(vProj.forward(n1.y(), saved == null ? null : saved.vv, rng, dropout), batch, len, kvHeads); // [B, KV, L, hd]
        INDArray qPlain = q, kPlain = k;
        q = Qwen2Ops.rope(q, rope);
        k = Qwen2Ops.rope(k, rope);
        Kernels.release(qPlain, kPlain);                                                           // temporaries: freed now, not at a GC
        if (cache != null) {
            INDArray[] kv = cache.write(layer, k, v);                                              // [B, KV, S, hd] each
            k = kv[0];
            v = kv[1];
        }
        long s = k.size(2);
        // GQA: query head j uses KV head j / G; [B, H, L, hd] is [B, KV, G·L, hd] in memory.
        INDArray qg = q.reshape('c', batch, kvHeads, (long) group * len, headDim);                 // [B, KV, G·L, hd]
        INDArray scores = Nd4j.matmul(qg, k, false, true, false).muli(scale);                      // [B, KV, G·L, S]
        scores = scores.reshape('c', batch, heads, len, s).addi(mask);                            // [B, H, L, S] + [B, 1, L, S]
        INDArray p = Qwen2Ops.softmaxLast(scores).reshape('c', batch, kvHeads, (long) group * len, s);  // [B, KV, G·L, S]
        Kernels.release(scores);
        INDArray ctx = Nd4j.matmul(p, v).reshape('c', batch, heads, len, headDim);                 // [B, H, L, hd]
        INDArray attn = Qwen2Ops.fromHeads(ctx);                                                   // [N, H·hd]
        Kernels.release(ctx);
        INDArray o = oProj.forward(attn, saved == null ? null : saved.o, rng, dropout);            // [N, D]
        INDArray x2 = x.add(o);                                                                    // [N, D]
        Kernels.release(o);
        // --- MLP block (SwiGLU)
        Qwen2Ops.Norm n2 = Qwen2Ops.rmsNorm(x2, postNorm, eps);                                    // [N, D]
        INDArray gate = gateProj.forward(n2.y(), saved == null ? null : saved.g, rng, dropout);                  // [N, I]
        INDArray up = upProj.forward(n2.y(), saved == null ? null : saved.u, rng, dropout);                      // [N, I]
        INDArray sig = Transforms.sigmoid(gate, true);                                             // [N, I]
        INDArray act = gate.mul(sig).muli(up);                                                     // [N, I] silu(gate) ⊙ up
        INDArray down = downProj.forward(act, saved == null ? null : saved.d, rng, dropout);       // [N, D]
        INDArray out = x2.add(down);                                                               // [N, D]
        Kernels.release(down);
        if (saved != null) {
            saved.x = x;
            saved.h1 = n1.y();
            saved.rinv1 = n1.rinv();
            saved.qg = qg;
            saved.k = k;
            saved.v = v;
            saved.p = p;
            saved.attn = attn;
            saved.x2 = x2;
            saved.h2 = n2.y();
            saved.rinv2 = n2.rinv();
            saved.gate = gate;
            saved.sig = sig;
            saved.up = up;
            saved.act = act;
        }
        return out;
    }

    /** A projection's output [N, n·hd] as heads [B, n, L, hd] (a contiguous copy; the projection output is released). */
    private INDArray heads(INDArray y, int batch, int len, int n) {
        INDArray h = Qwen2Ops.toHeads(y, batch, len, n, headDim);
        Kernels.release(y);
        return h;
    }

    /**
     * Backward of {@link #forward} (no cache): dOut [N, D] → dx [N, D], parameter gradients into {@code grads}.
     * Every intermediate gradient is released as soon as it is consumed; dOut and {@code sv} are the caller's.
     */
    INDArray backward(INDArray dOut, int batch, int len, Qwen2Ops.Rope rope, Saved sv, Qwen2Gradients grads) {
        // --- MLP block: out = x2 + down(silu(gate) ⊙ up)
        INDArray dAct = downProj.backward(dOut, sv.act, sv.d[0], grads);                          // [N, I]
        INDArray silu = sv.gate.mul(sv.sig);                                                       // [N, I]
        INDArray dUp = dAct.mul(silu);                                                             // [N, I]
        // d silu(g)/dg = σ(g)·(1 + g·(1 − σ(g)))
        INDArray oneMinusSig = sv.sig.rsub(1.0);                                                   // [N, I]
        INDArray inner = sv.gate.mul(oneMinusSig).addi(1.0);                                       // [N, I]
        INDArray dSilu = sv.sig.mul(inner);                                                        // [N, I]
        INDArray dGate = dAct.mul(sv.up).muli(dSilu);                                              // [N, I]
        Kernels.release(silu, oneMinusSig, inner, dSilu, dAct);
        INDArray dh2 = gateProj.backward(dGate, sv.h2, sv.g[0], grads);                           // [N, D]
        INDArray dh2Up = upProj.backward(dUp, sv.h2, sv.u[0], grads);                             // [N, D]
        dh2.addi(dh2Up);
        Kernels.release(dGate, dUp, dh2Up);
        INDArray[] dw = grads.wants(prefix + "post_attention_layernorm.weight") ? new INDArray[1] : null;
        INDArray dNorm2 = Qwen2Ops.rmsNormBackward(dh2, sv.x2, postNorm, sv.rinv2, dw);            // [N, D]
        INDArray dx2 = dOut.add(dNorm2);                                                           // [N, D]
        Kernels.release(dh2, dNorm2);
        if (dw != null) grads.accumulate(prefix + "post_attention_layernorm.weight", dw[0]);
        // --- attention block: x2 = x + o_proj(attn)
        INDArray dAttn = oProj.backward(dx2, sv.attn, sv.o[0], grads);                             // [N, H·hd]
        long s = sv.k.size(2);
        INDArray dCtx = Qwen2Ops.toHeads(dAttn, batch, len, heads, headDim)
                .reshape('c', batch, kvHeads, (long) group * len, headDim);                        // [B, KV, G·L, hd]
        Kernels.release(dAttn);
        INDArray dP = Nd4j.matmul(dCtx, sv.v, false, true, false);                                 // [B, KV, G·L, S]
        INDArray dV = Nd4j.matmul(sv.p, dCtx, true, false, false);                                 // [B, KV, S, hd] (sums the group)
        Kernels.release(dCtx);
        INDArray dScores = Qwen2Ops.softmaxLastBackward(dP, sv.p).muli(scale);                     // [B, KV, G·L, S]
        Kernels.release(dP);
        INDArray dQ = Nd4j.matmul(dScores, sv.k).reshape('c', batch, heads, len, headDim);          // [B, H, L, hd]
        INDArray dK = Nd4j.matmul(dScores, sv.qg, true, false, false);                             // [B, KV, S, hd]
        Kernels.release(dScores);
        if (s != len) throw new IllegalStateException("training backward runs without a KV cache (S " + s + " != L " + len + ")");
        INDArray dQr = Qwen2Ops.ropeBackward(dQ, rope);
        INDArray dKr = Qwen2Ops.ropeBackward(dK, rope);
        Kernels.release(dQ, dK);
        INDArray dh1 = projectionBackward(qProj, dQr, sv.h1, sv.q[0], grads);                    // [N, D]
        INDArray dh1k = projectionBackward(kProj, dKr, sv.h1, sv.kk[0], grads);
        dh1.addi(dh1k);
        INDArray dh1v = projectionBackward(vProj, dV, sv.h1, sv.vv[0], grads);
        dh1.addi(dh1v);
        Kernels.release(dQr, dKr, dV, dh1k, dh1v);
        dw = grads.wants(prefix + "input_layernorm.weight") ? new INDArray[1] : null;
        INDArray dNorm1 = Qwen2Ops.rmsNormBackward(dh1, sv.x, inputNorm, sv.rinv1, dw);           // [N, D]
        INDArray dx = dx2.addi(dNorm1);                                                            // [N, D]
        Kernels.release(dh1, dNorm1);
        if (dw != null) grads.accumulate(prefix + "input_layernorm.weight", dw[0]);
        return dx;
    }

    /** A q/k/v projection's backward from its head-split output gradient [B, n, L, hd] (the merged copy is released). */
    private static INDArray projectionBackward(LoraLinear proj, INDArray dHeads, INDArray input, LoraLinear.Saved saved,
                                               Qwen2Gradients grads) {
        INDArray dy = Qwen2Ops.fromHeads(dHeads);                                                 // [N, n·hd]
        INDArray dx = proj.backward(dy, input, saved, grads);
        Kernels.release(dy);
        return dx;
    }
}
