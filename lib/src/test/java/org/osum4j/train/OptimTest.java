package org.osum4j.train;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.LinkedHashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * Optimizer, schedules and clipping against numbers printed by PyTorch 1.13.1 (torch.optim.AdamW,
 * torch.nn.utils.clip_grad_norm_) for the same inputs.
 */
class OptimTest {

    @Test
    void adamW_threeSteps_matchTorch() {
        INDArray p = Nd4j.createFromArray(0.5f, -1.0f, 2.0f, 0.0f, 3.0f);
        Map<String, INDArray> params = Map.of("p", p);
        AdamW opt = new AdamW(new AdamW.Options(0.1, 0.9, 0.99, 1e-6, 0.01));
        float[][] grads = {{0.1f, -0.2f, 0.3f, 0.0f, 1.0f}, {-0.5f, 0.4f, 0.1f, 0.2f, -1.0f}, {0.05f, 0.05f, -0.3f, 0.7f, 0.2f}};
        for (float[] g : grads) opt.step(params, Map.of("p", Nd4j.createFromArray(g)), 0.1);
        // torch.optim.AdamW(lr=0.1, betas=(0.9, 0.99), eps=1e-6, weight_decay=0.01) after the same three steps:
        float[] torchP = {0.49815359711647034f, -0.9689839482307434f, 1.802190899848938f, -0.15107077360153198f, 2.8915326595306396f};
        float[] torchM = {-0.03189999982714653f, 0.024800000712275505f, 0.0032999995164573193f, 0.08799999952316284f, 0.010999996215105057f};
        float[] torchV = {0.002598010003566742f, 0.0020010401494801044f, 0.0018810902256518602f, 0.005295999813824892f, 0.020100999623537064f};
        assertArrayEquals(torchP, p.toFloatVector(), 2e-6f);
        assertArrayEquals(torchM, opt.state().get("m.p").toFloatVector(), 1e-7f);
        assertArrayEquals(torchV, opt.state().get("v.p").toFloatVector(), 1e-8f);
        assertEquals(3, opt.steps());
    }

    @Test
    void adamW_fusedUpdate_matchesFormulaOnRandomData() {
        java.util.Random rng = new java.util.Random(7);
        int rows = 37, cols = 53;                                       // odd sizes: no lane-aligned shortcut hides a bug
        float[] p0 = new float[rows * cols];
        for (int i = 0; i < p0.length; i++) p0[i] = (float) rng.nextGaussian();
        INDArray packed = Nd4j.create(p0.clone(), new long[]{rows, cols}, 'c');
        INDArray parent = Nd4j.create(org.nd4j.linalg.api.buffer.DataType.FLOAT, cols, rows);  // the parameter as a transposed view
        INDArray view = parent.transpose();
        view.assign(packed);
        Map<String, INDArray> params = new LinkedHashMap<>();
        params.put("packed", packed);
        params.put("view", view);
        AdamW.Options o = new AdamW.Options(3e-3, 0.9, 0.99, 1e-6, 0.01);
        AdamW opt = new AdamW(o);
        double[] p = new double[p0.length], m = new double[p0.length], v = new double[p0.length];
        double[] mScale = new double[p0.length], pScale = new double[p0.length];  // the terms in magnitude: m and p can cancel to ~0
        for (int i = 0; i < p.length; i++) {
            p[i] = p0[i];
            pScale[i] = Math.abs(p0[i]);
        }
        double[] lrs = {3e-3, 2e-3, 1e-3};
        for (int t = 1; t <= lrs.length; t++) {
            float[] g = new float[p0.length];
            for (int i = 0; i < g.length; i++) g[i] = (float) (rng.nextGaussian() * Math.pow(10, rng.nextInt(5) - 3));
            INDArray ga = Nd4j.create(g, new long[]{rows, cols}, 'c');
            opt.step(params, Map.of("packed", ga, "view", ga.dup()), lrs[t - 1]);
            // torch.optim.AdamW, written out in double
            double bc1 = 1 - Math.pow(o.beta1(), t), bc2 = 1 - Math.pow(o.beta2(), t), lr = lrs[t - 1];
            for (int i = 0; i < p.length; i++) {
                p[i] *= 1 - lr * o.weightDecay();
                m[i] = o.beta1() * m[i] + (1 - o.beta1()) * g[i];
                mScale[i] = o.beta1() * mScale[i] + (1 - o.beta1()) * Math.abs(g[i]);
                v[i] = o.beta2() * v[i] + (1 - o.beta2()) * g[i] * g[i];
                double update = lr / bc1 * m[i] / (Math.sqrt(v[i]) / Math.sqrt(bc2) + o.eps());
                p[i] -= update;
                pScale[i] = pScale[i] * (1 - lr * o.weightDecay()) + Math.abs(update);
            }
        }
        for (String name : new String[]{"packed", "view"}) {
            float[] got = flat(params.get(name)), gm = flat(opt.state().get("m." + name)), gv = flat(opt.state().get("v." + name));
            for (int i = 0; i < p.length; i++) {
                assertEquals(p[i], got[i], 1e-6 * pScale[i] + 1e-12, name + " p[" + i + "]");
                assertEquals(m[i], gm[i], 1e-6 * mScale[i] + 1e-12, name + " m[" + i + "]");
                assertEquals(v[i], gv[i], 1e-6 * Math.abs(v[i]) + 1e-12, name + " v[" + i + "]");
            }
        }
        assertArrayEquals(flat(params.get("packed")), flat(params.get("view")), 0f,
                "a view parameter is updated exactly like a packed one");
    }

    /** The elements of any array in C order. */
    private static float[] flat(INDArray x) {
        return x.dup('c').reshape(x.length()).toFloatVector();
    }

    @Test
    void adamW_frozenParameters_getNoState() {
        Map<String, INDArray> params = new LinkedHashMap<>();
        params.put("trained", Nd4j.ones(3));
        params.put("frozen", Nd4j.ones(3));
        AdamW opt = new AdamW(AdamW.Options.osum());
        opt.step(params, Map.of("trained", Nd4j.ones(3)), 1e-3);
        assertEquals(2, opt.state().size(), "m and v for the trained tensor only");
        assertArrayEquals(new float[]{1, 1, 1}, params.get("frozen").toFloatVector());
    }

    @Test
    void adamW_shapeMismatch_namesTensor() {
        AdamW opt = new AdamW(AdamW.Options.osum());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> opt.step(Map.of("w", Nd4j.ones(2, 3)), Map.of("w", Nd4j.ones(3, 2)), 1e-3));
        assertEquals(true, e.getMessage().contains("'w'"), e.getMessage());
    }

    @Test
    void clip_scalesToMaxNormLikeTorch() {
        Map<String, INDArray> g = new LinkedHashMap<>();
        g.put("a", Nd4j.createFromArray(3f, 4f));
        g.put("b", Nd4j.createFromArray(12f));
        double norm = GradClip.clip(g, 5.0);
        assertEquals(13.0, norm, 1e-6);
        assertArrayEquals(new float[]{1.153846025466919f, 1.538461446762085f}, g.get("a").toFloatVector(), 1e-6f);
        assertArrayEquals(new float[]{4.615384101867676f}, g.get("b").toFloatVector(), 1e-6f);
    }

    @Test
    void warmupLr_rampsToPeakAtWarmupThenDecaysAsInverseSqrt() {
        LrSchedule s = LrSchedule.warmup(5e-5, 8000);
        assertEquals(5e-5 / 8000, s.lr(1), 1e-15);
        assertEquals(5e-5, s.lr(8000), 1e-15);
        assertEquals(5e-5 * Math.sqrt(8000.0 / 32000), s.lr(32000), 1e-15);
    }

    @Test
    void cosine_warmsUpThenReachesMinAtEnd() {
        LrSchedule s = LrSchedule.cosine(1e-3, 10, 110, 1e-5);
        assertEquals(1e-4, s.lr(1), 1e-12);
        assertEquals(1e-3, s.lr(10), 1e-12);
        assertEquals((1e-3 + 1e-5) / 2, s.lr(60), 1e-12);
        assertEquals(1e-5, s.lr(110), 1e-12);
        assertEquals(1e-5, s.lr(500), 1e-12);
    }
}
