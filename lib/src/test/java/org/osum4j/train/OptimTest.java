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
