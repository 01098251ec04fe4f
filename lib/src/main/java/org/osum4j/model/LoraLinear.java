package org.osum4j.model;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.osum4j.model.nn.Kernels;

import java.util.Arrays;
import java.util.Random;

/**
 * A linear layer {@code y = x·Wᵀ (+ b)} with an optional, unmerged LoRA branch
 * {@code + scaling·(x·Aᵀ)·Bᵀ} (peft semantics), and its backward pass. Each tensor remembers the name it
 * has in the checkpoint, so gradients come back under the same names. Not a general-purpose layer
 * library (that is {@code model.nn}); this is the Qwen2 decoder's linear. LoRA dropout (peft: on the
 * branch's input only) is applied when a training forward passes a random source.
 */
public final class LoraLinear {

    /**
     * What a training forward keeps for {@link #backward}: the LoRA hidden {@code u = drop(x)·Aᵀ} [N, r] and
     * the dropout mask [N, in] with kept entries 1/(1−p) (null: no dropout); both null without LoRA.
     */
    record Saved(INDArray loraHidden, INDArray dropMask) {
    }

    private final String weightName;
    private final String biasName;        // null: no bias (o_proj, MLP)
    private INDArray weight;              // [out, in]
    private final INDArray bias;          // [out] or null
    private String loraAName;
    private String loraBName;
    private INDArray loraA;               // [r, in] or null
    private INDArray loraB;               // [out, r] or null
    private float scaling;                // alpha / r
    private boolean merged;               // true: W already holds W + scaling·B·A

    LoraLinear(String weightName, INDArray weight, String biasName, INDArray bias) {
        if (weight.rank() != 2) {
            throw new IllegalArgumentException(weightName + ": expected a [out, in] matrix, got " + Arrays.toString(weight.shape()));
        }
        if (bias != null && (bias.rank() != 1 || bias.length() != weight.size(0))) {
            throw new IllegalArgumentException(biasName + ": expected shape [" + weight.size(0) + "], got " + Arrays.toString(bias.shape()));
        }
        this.weightName = weightName;
        this.weight = weight;
        this.biasName = biasName;
        this.bias = bias;
    }

    /** Attaches a LoRA branch: A [r, in], B [out, r]; the output gains {@code scaling·(x·Aᵀ)·Bᵀ}. */
    void attachLora(String aName, INDArray a, String bName, INDArray b, double scaling) {
        if (a.rank() != 2 || a.size(1) != inFeatures()) {
            throw new IllegalArgumentException(aName + ": expected [r, " + inFeatures() + "], got " + Arrays.toString(a.shape()));
        }
        if (b.rank() != 2 || b.size(0) != outFeatures() || b.size(1) != a.size(0)) {
            throw new IllegalArgumentException(bName + ": expected [" + outFeatures() + ", " + a.size(0) + "], got " + Arrays.toString(b.shape()));
        }
        if (merged) throw new IllegalStateException(weightName + ": cannot attach LoRA to a merged layer");
        this.loraAName = aName;
        this.loraA = a;
        this.loraBName = bName;
        this.loraB = b;
        this.scaling = (float) scaling;
    }

    /**
     * A fresh branch as peft initialises it: A ~ U(−1/√in, 1/√in) (kaiming-uniform with a = √5), B = 0, so
     * the layer's output is unchanged until B is trained.
     */
    void initLora(String aName, String bName, int r, double scaling, Random rng) {
        int in = (int) inFeatures();
        float bound = (float) (1.0 / Math.sqrt(in));
        float[] a = new float[r * in];
        for (int i = 0; i < a.length; i++) a[i] = (rng.nextFloat() * 2 - 1) * bound;
        attachLora(aName, Nd4j.create(a, new long[]{r, in}, 'c'),
                bName, Nd4j.zeros(DataType.FLOAT, outFeatures(), r), scaling);
    }

    public long inFeatures() {
        return weight.size(1);
    }

    public long outFeatures() {
        return weight.size(0);
    }

    public boolean hasLora() {
        return loraA != null;
    }

    public boolean isMerged() {
        return merged;
    }

    public String weightName() {
        return weightName;
    }

    public String biasName() {
        return biasName;
    }

    public String loraAName() {
        return loraAName;
    }

    public String loraBName() {
        return loraBName;
    }

    public float scaling() {
        return scaling;
    }

    /** The base weight [out, in] (includes the LoRA product while merged). */
    public INDArray weight() {
        return weight;
    }

    public INDArray bias() {
        return bias;
    }

    public INDArray loraA() {
        return loraA;
    }

    public INDArray loraB() {
        return loraB;
    }

    /** Inference forward: x [N, in] → y [N, out]. */
    INDArray forward(INDArray x) {
        return forward(x, null);
    }

    /** Forward; when {@code saved} is non-null, slot 0 receives what {@link #backward} needs. */
    INDArray forward(INDArray x, Saved[] saved) {
        return forward(x, saved, null, 0);
    }

    /**
     * Training forward with LoRA dropout: with {@code rng} non-null and p > 0, the branch input is
     * {@code x ⊙ mask}, mask entries 0 (probability p) or 1/(1−p), as peft's {@code lora_dropout}.
     */
    INDArray forward(INDArray x, Saved[] saved, Random rng, double p) {
        if (x.rank() != 2 || x.size(1) != inFeatures()) {
            throw new IllegalArgumentException(weightName + ": input expected [N, " + inFeatures() + "], got " + Arrays.toString(x.shape()));
        }
        INDArray y = Nd4j.gemm(x, weight, false, true);                     // [N, out] = x·Wᵀ
        if (bias != null) y.addiRowVector(bias);                           // + b
        INDArray u = null, drop = null;
        if (loraA != null && !merged) {
            INDArray xl = x;
            if (rng != null && p > 0) {
                drop = dropoutMask(x.size(0), x.size(1), p, rng);          // [N, in]
                xl = x.mul(drop);
            }
            u = Nd4j.gemm(xl, loraA, false, true);                          // [N, r] = drop(x)·Aᵀ
            INDArray branch = Nd4j.gemm(u, loraB, false, true).muli(scaling);  // [N, out] s·u·Bᵀ
            y.addi(branch);
            Kernels.release(branch, xl == x ? null : xl);                   // temporaries (xl is x itself without dropout)
        }
        if (saved != null) saved[0] = new Saved(u, drop);
        return y;
    }

    private static INDArray dropoutMask(long rows, long cols, double p, Random rng) {
        float keep = (float) (1.0 / (1.0 - p));
        float[] m = new float[Math.toIntExact(rows * cols)];
        for (int i = 0; i < m.length; i++) m[i] = rng.nextDouble() < p ? 0f : keep;
        return Nd4j.create(m, new long[]{rows, cols}, 'c');
    }

    /**
     * Backward of {@link #forward}: given dL/dy [N, out] and the forward's input x [N, in], returns dL/dx
     * [N, in] and adds dL/dW, dL/db, dL/dA, dL/dB to {@code grads} for the names it asks for.
     */
    INDArray backward(INDArray dy, INDArray x, Saved saved, Qwen2Gradients grads) {
        if (grads.wants(weightName)) grads.accumulate(weightName, Nd4j.gemm(dy, x, true, false));   // [out, in] = dyᵀ·x
        if (bias != null && grads.wants(biasName)) grads.accumulate(biasName, dy.sum(0));         // [out]
        INDArray dx = Nd4j.gemm(dy, weight, false, false);                                        // [N, in] = dy·W
        if (loraA != null && !merged) {
            INDArray u = saved.loraHidden();                                                       // [N, r]
            if (grads.wants(loraBName)) grads.accumulate(loraBName, Nd4j.gemm(dy, u, true, false).muli(scaling)); // [out, r]
            INDArray du = Nd4j.gemm(dy, loraB, false, false).muli(scaling);                          // [N, r]
            INDArray drop = saved.dropMask();                                                      // [N, in] or null
            INDArray xl = drop == null ? x : x.mul(drop);
            if (grads.wants(loraAName)) grads.accumulate(loraAName, Nd4j.gemm(du, xl, true, false)); // [r, in]
            INDArray dxl = Nd4j.gemm(du, loraA, false, false);                                     // [N, in]
            dx.addi(drop == null ? dxl : dxl.muli(drop));
            Kernels.release(du, dxl, drop == null ? null : xl);                                    // xl is x itself without dropout
        } else if (loraA != null && (grads.wants(loraAName) || grads.wants(loraBName))) {
            throw new IllegalStateException(weightName + ": LoRA is merged into the weight; unmerge before training it");
        }
        return dx;
    }

    /** Folds the branch into the weight: W ← W + scaling·B·A (for fast inference). */
    void merge() {
        if (loraA == null || merged) return;
        weight = weight.add(Nd4j.gemm(loraB, loraA, false, false).muli(scaling));   // [out, in]
        merged = true;
    }

    /** Undoes {@link #merge} (W ← W − scaling·B·A; equal up to float rounding). */
    void unmerge() {
        if (loraA == null || !merged) return;
        weight = weight.sub(Nd4j.gemm(loraB, loraA, false, false).muli(scaling));
        merged = false;
    }
}
