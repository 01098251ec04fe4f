package org.osum4j.model.nn;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.util.SplittableRandom;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Finite-difference checks of the layer backward passes on small random inputs: for L = Σ probe·f(θ), the
 * analytic ⟨dL/dθ, v⟩ must equal (L(θ + h·v) − L(θ − h·v)) / 2h along a random direction v, for the input
 * and every parameter. Their agreement with torch is the golden test (OsumGradientParityTest).
 */
class LayerBackwardTest {

    /** Central-difference step: large enough for fp32 round-off, small enough for the O(h²) error. */
    private static final double STEP = 1e-2;
    /** Agreement of analytic and numeric directional derivatives, relative to Σ|g_i·v_i| (smooth functions). */
    private static final double REL_TOL = 5e-4;
    /** With ReLU a step may cross a kink (an O(h) error): a smaller step and a looser bound. */
    private static final double RELU_STEP = 2e-3;
    private static final double RELU_REL_TOL = 2e-3;

    private final RandomInit init = new RandomInit(new SplittableRandom(11), 0.4);

    @Test
    void conv1dBackward_strideTwoCausalLeftPad_matchesFiniteDifferences() {
        Conv1d conv = init.conv1d(6, 5, 3, 2, 2, 0);                    // k3 s2, left pad 2: OSUM's down_sample_2
        INDArray bias = init.normal(6);
        INDArray x = init.normal(2, 9, 5);                               // odd length: last window partly outside
        Function<INDArray[], INDArray> f = a -> Activation.GELU_ERF.apply(new Conv1d(a[1], a[2], 2, 2, 0).apply(a[0]));
        INDArray[] args = {x, conv.weight(), bias};
        INDArray y = f.apply(args);
        INDArray probe = init.normal(y.shape());
        Conv1d c = new Conv1d(conv.weight(), bias, 2, 2, 0);
        INDArray pre = c.apply(x);
        Conv1d.Grad g = c.backward(Activation.GELU_ERF.backward(probe, pre), x);
        assertArrayEquals(new long[]{6, 5, 3}, g.dWeight().shape());
        INDArray[] grads = {g.dInput(), g.dWeight(), g.dBias()};
        for (int i = 0; i < args.length; i++) assertDirectional(f, args, i, grads[i], probe, "conv arg " + i);
    }

    @Test
    void geluBackwardFromOutput_matchesErfFormToFp32Rounding() {
        // random inputs over GELU's whole range plus the edge cases: 0, tiny, deep negative (Φ underflows), large positive;
        // more than one parallel range's worth of elements
        int n = 300_000;
        float[] xs = new float[n];
        SplittableRandom r = new SplittableRandom(11);
        for (int i = 0; i < n; i++) xs[i] = (float) (r.nextGaussian() * 4);
        float[] edges = {0f, 1e-38f, -1e-38f, 1e-20f, -1e-7f, -9f, -20f, -40f, 9f, 40f};
        System.arraycopy(edges, 0, xs, 0, edges.length);
        INDArray x = org.nd4j.linalg.factory.Nd4j.create(xs, new long[]{3, n / 3}, 'c');
        INDArray dy = init.normal(3, n / 3);
        float[] ref = GradKernels.geluBackward(dy, x).reshape(n).toFloatVector();
        float[] got = GradKernels.geluBackwardFromOutput(dy, x, Activation.GELU_ERF.apply(x)).reshape(n).toFloatVector();
        float[] up = dy.reshape(n).toFloatVector();
        for (int i = 0; i < n; i++) {
            // slope = Φ(x) + x·φ(x) ∈ [−0.17, 1.13]: a few fp32 ulps of the slope, times |dy|
            assertEquals(ref[i], got[i], 4e-7 * Math.abs(up[i]) + 1e-30, "x = " + xs[i]);
        }
    }

    @Test
    void conv1dBackward_whisperStemPadding_matchesFiniteDifferences() {
        INDArray w = init.normal(4, 3, 3), bias = init.normal(4), x = init.normal(1, 8, 3);
        Function<INDArray[], INDArray> f = a -> new Conv1d(a[1], a[2], 2, 1, 1).apply(a[0]);
        INDArray[] args = {x, w, bias};
        INDArray probe = init.normal(f.apply(args).shape());
        Conv1d.Grad g = new Conv1d(w, bias, 2, 1, 1).backward(probe, x);
        INDArray[] grads = {g.dInput(), g.dWeight(), g.dBias()};
        for (int i = 0; i < args.length; i++) assertDirectional(f, args, i, grads[i], probe, "conv arg " + i);
    }

    @Test
    void attentionBackward_keyPaddingMaskOverSeveralQueryBlocks_matchesFiniteDifferences() {
        int t = SelfAttention.QUERY_BLOCK + 44;                          // two query blocks
        FrameMask mask = new FrameMask(new int[]{t, 37}, t);             // item 1: 37 valid keys
        SelfAttention base = init.block(8, 16, 2, true, Activation.RELU, 1e-5).attn();
        INDArray x = init.normal(2, t, 8);
        // args: x, then weight and bias of q, k, v, out
        INDArray[] args = {x, base.q().weight(), base.q().bias(), base.k().weight(), base.k().bias(),
                base.v().weight(), base.v().bias(), base.out().weight(), base.out().bias()};
        Function<INDArray[], INDArray> f = a -> new SelfAttention(new Linear(a[1], a[2]), new Linear(a[3], a[4]),
                new Linear(a[5], a[6]), new Linear(a[7], a[8]), 2).apply(a[0], mask);
        INDArray probe = init.normal(2, t, 8);
        SelfAttention.Trace tr = base.trace(x, mask);
        assertEquals(0.0, tr.output().sub(base.apply(x, mask)).amaxNumber().doubleValue(), "trace must give apply's numbers");
        SelfAttention.Grad g = base.backward(probe, tr);
        INDArray[] grads = {g.dInput(), g.q().dWeight(), g.q().dBias(), g.k().dWeight(), g.k().dBias(),
                g.v().dWeight(), g.v().dBias(), g.out().dWeight(), g.out().dBias()};
        for (int i = 0; i < args.length; i++) {
            if (i == 4) continue;                                        // key bias: exactly 0 (softmax shift), below
            assertDirectional(f, args, i, grads[i], probe, "attention arg " + i);
        }
        assertTrue(g.k().dBias().amaxNumber().doubleValue() < 1e-5, "key-bias gradient must vanish: " + g.k().dBias());
        // with no gradient arriving at item 1's padded queries, its padded frames get none at all (masked keys)
        INDArray validOnly = probe.dup();
        validOnly.get(NDArrayIndex.point(1), NDArrayIndex.interval(37, t), NDArrayIndex.all()).assign(0);
        INDArray dx = base.backward(validOnly, tr).dInput();
        assertEquals(0.0, dx.get(NDArrayIndex.point(1), NDArrayIndex.interval(37, t), NDArrayIndex.all()).amaxNumber().doubleValue());
        assertTrue(dx.get(NDArrayIndex.point(0), NDArrayIndex.interval(37, t), NDArrayIndex.all()).amaxNumber().doubleValue() > 0);
    }

    @Test
    void preLnBlockBackward_maskedBatch_matchesFiniteDifferences() {
        for (Activation act : Activation.values()) {
            PreLnBlock blk = init.block(8, 12, 2, false, act, 1e-5);
            LayerNorm n1 = new LayerNorm(init.normal(8).addi(1), init.normal(8), 1e-5);   // non-trivial γ, β
            PreLnBlock b = new PreLnBlock(n1, blk.attn(), blk.norm2(), blk.fc1(), blk.fc2(), act);
            FrameMask mask = new FrameMask(new int[]{7, 4}, 7);
            INDArray x = init.normal(2, 7, 8);
            INDArray[] args = {x, n1.gamma(), n1.beta(), b.fc1().weight(), b.fc2().bias()};
            Function<INDArray[], INDArray> f = a -> new PreLnBlock(new LayerNorm(a[1], a[2], 1e-5), b.attn(), b.norm2(),
                    new Linear(a[3], b.fc1().bias()), new Linear(b.fc2().weight(), a[4]), act).apply(a[0], mask);
            INDArray probe = init.normal(2, 7, 8);
            PreLnBlock.Trace tr = b.trace(x, mask);
            assertEquals(0.0, tr.output().sub(b.apply(x, mask)).amaxNumber().doubleValue(), "trace must give apply's numbers");
            PreLnBlock.Grad g = b.backward(probe, tr);
            INDArray[] grads = {g.dInput(), g.norm1().dGamma(), g.norm1().dBeta(), g.fc1().dWeight(), g.fc2().dBias()};
            boolean kinked = act == Activation.RELU;
            for (int i = 0; i < args.length; i++) {
                assertDirectional(f, args, i, grads[i], probe, act + " block arg " + i,
                        kinked ? RELU_STEP : STEP, kinked ? RELU_REL_TOL : REL_TOL);
            }
        }
    }

    /** ⟨grad, v⟩ against the central difference of Σ probe·f along a random v of args[which]. */
    private void assertDirectional(Function<INDArray[], INDArray> f, INDArray[] args, int which, INDArray grad, INDArray probe, String what) {
        assertDirectional(f, args, which, grad, probe, what, STEP, REL_TOL);
    }

    private void assertDirectional(Function<INDArray[], INDArray> f, INDArray[] args, int which, INDArray grad, INDArray probe, String what,
                                   double step, double tol) {
        assertArrayEquals(args[which].shape(), grad.shape(), what + ": gradient shape");
        INDArray v = init.normal(args[which].shape());
        double analytic = dot(grad, v);
        INDArray saved = args[which];
        args[which] = saved.add(v.mul(step));
        double plus = dot(f.apply(args), probe);
        args[which] = saved.sub(v.mul(step));
        double minus = dot(f.apply(args), probe);
        args[which] = saved;
        double numeric = (plus - minus) / (2 * step);
        // scale: Σ|g_i·v_i| ≥ |⟨g, v⟩|, so a directional derivative that happens to cancel is not judged on its round-off
        double err = Math.abs(numeric - analytic) / Math.max(1e-6, absDot(grad, v));
        assertTrue(err < tol, what + ": analytic " + analytic + " vs finite difference " + numeric + " (rel " + err + ")");
    }

    private static double absDot(INDArray a, INDArray b) {
        float[] x = a.dup('c').data().asFloat(), y = b.dup('c').data().asFloat();
        double s = 0;
        for (int i = 0; i < x.length; i++) s += Math.abs((double) x[i] * y[i]);
        return s;
    }

    private static double dot(INDArray a, INDArray b) {
        float[] x = a.dup('c').data().asFloat(), y = b.dup('c').data().asFloat();
        double s = 0;
        for (int i = 0; i < x.length; i++) s += (double) x[i] * y[i];
        return s;
    }
}
