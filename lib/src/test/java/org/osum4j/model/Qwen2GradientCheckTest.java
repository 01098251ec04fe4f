package org.osum4j.model;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.osum4j.model.io.LoraConfig;
import org.osum4j.model.io.Qwen2Config;

import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The training-mode LoRA dropout path, which no golden fixture covers (the fixtures run with dropout
 * off): its gradients are checked against central finite differences of the (golden-checked) forward.
 */
class Qwen2GradientCheckTest {

    private static final Qwen2Config SMALL = new Qwen2Config(40, 16, 24, 2, 4, 2, 1e-6, 1e4, false, 64);
    private static final double EPS = 3e-3;     // central difference step; float32 loss noise ~1e-7 / EPS
    private static final long SEED = 7;

    @Test
    void loraDropoutGradients_matchFiniteDifferences() {
        Qwen2Model m = Qwen2Model.random(SMALL, LoraConfig.osum().withDropout(0.5), 0.2, 3);
        Random init = new Random(5);
        for (Map.Entry<String, INDArray> e : m.parameters().entrySet()) {
            if (e.getKey().contains(".lora_B")) e.getValue().assign(randn(init, 0.2, e.getValue().shape()));
        }
        INDArray embeds = randn(init, 1.0, 2, 5, SMALL.hiddenSize());                              // [B, L, D]
        INDArray labels = Nd4j.createFromArray(new long[][]{{-100, 3, 9, 1, 30}, {-100, -100, 4, 8, 2}});
        Qwen2Gradients g = m.lossAndGradients(embeds, null, null, labels, null, n -> true, new Random(SEED));

        String[] params = {"model.layers.0.self_attn.q_proj.lora_A.default.weight", "model.layers.1.mlp.down_proj.lora_B.default.weight",
                "model.layers.0.mlp.gate_proj.lora_A.default.weight", "model.layers.1.self_attn.v_proj.weight"};
        for (String p : params) {
            INDArray w = m.parameters().get(p);
            for (int trial = 0; trial < 4; trial++) {
                long idx = init.nextInt((int) w.length());
                double fd = finiteDifference(m, embeds, labels, w, idx);
                double an = g.get(p).getDouble(idx);
                assertEquals(fd, an, 2e-3 + 0.03 * Math.abs(fd), p + "[" + idx + "]");
            }
        }
        for (int trial = 0; trial < 8; trial++) {
            long idx = init.nextInt((int) embeds.length());
            double fd = finiteDifference(m, embeds, labels, embeds, idx);
            assertEquals(fd, g.inputsEmbeds().getDouble(idx), 2e-3 + 0.03 * Math.abs(fd), "inputs_embeds[" + idx + "]");
        }
    }

    @Test
    void loraDropout_appliesOnlyWithARandomSource() {
        Qwen2Model m = Qwen2Model.random(SMALL, LoraConfig.osum().withDropout(0.5), 0.2, 3);
        Random init = new Random(5);
        for (Map.Entry<String, INDArray> e : m.parameters().entrySet()) {
            if (e.getKey().contains(".lora_B")) e.getValue().assign(randn(init, 0.2, e.getValue().shape()));
        }
        INDArray ids = Nd4j.createFromArray(new long[][]{{3, 7, 9, 1}});
        double eval = m.lossAndGradients(m.embed(ids), null, null, ids, null, Qwen2Model.loraOnly()).loss();
        double a = m.lossAndGradients(m.embed(ids), null, null, ids, null, Qwen2Model.loraOnly(), new Random(SEED)).loss();
        double b = m.lossAndGradients(m.embed(ids), null, null, ids, null, Qwen2Model.loraOnly(), new Random(SEED)).loss();
        assertEquals(a, b, 0.0, "same seed, same dropout masks");
        assertNotEquals(eval, a, "dropout changed nothing");
        assertTrue(Double.isFinite(a));
    }

    private static INDArray randn(Random r, double std, long... shape) {
        float[] v = new float[(int) org.osum4j.model.io.TensorData.numel(shape)];
        for (int i = 0; i < v.length; i++) v[i] = (float) (r.nextGaussian() * std);
        return Nd4j.create(v, shape, 'c');
    }

    private static double finiteDifference(Qwen2Model m, INDArray embeds, INDArray labels, INDArray t, long idx) {
        double orig = t.getDouble(idx);
        t.putScalar(idx, orig + EPS);
        double up = m.lossAndGradients(embeds, null, null, labels, null, n -> false, new Random(SEED)).loss();
        t.putScalar(idx, orig - EPS);
        double down = m.lossAndGradients(embeds, null, null, labels, null, n -> false, new Random(SEED)).loss();
        t.putScalar(idx, orig);
        return (up - down) / (2 * EPS);
    }
}
