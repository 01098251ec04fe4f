package org.osum4j.train;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The encoder CTC pre-training stage: letters, gradients against finite differences, and that it learns. */
class EncoderCtcTrainableTest {

    @Test
    void letters_upperCaseLettersSpaceAndApostropheOnly() {
        long[] l = EncoderCtcTrainable.letters("  Don't  stop, 42 now! ");
        assertEquals("DON'T STOP NOW", EncoderCtcTrainable.text(l));
        for (long x : l) assertTrue(x > EncoderCtcTrainable.BLANK && x < EncoderCtcTrainable.ALPHABET.length(), "index " + x);
        assertArrayEquals(new long[0], EncoderCtcTrainable.letters("123 ?!"));
    }

    /** Every parameter kind (head weight, head bias, an encoder conv and a block weight) against central differences. */
    @Test
    void gradients_matchFiniteDifferencesOfTheLoss() throws Exception {
        TinyOsum tiny = TinyOsum.get();
        EncoderCtcTrainable t = new EncoderCtcTrainable(tiny.model(1).encoder(), null, ids -> tiny.tokenizer.decode(ids), 3, 0.3);
        OsumBatch batch = tiny.collator.firstBatch(7, 2);
        String conv = t.parameters().keySet().stream().filter(n -> n.startsWith("encoder.conv1")).findFirst().orElseThrow();
        Set<String> names = Set.of(EncoderCtcTrainable.HEAD_WEIGHT, EncoderCtcTrainable.HEAD_BIAS, conv, "encoder.layers.0.fc1.weight");
        Trainable.StepResult r = t.lossAndGradients(batch, names, false, new TrainRandom(1));
        assertEquals(names, r.gradients().keySet());
        assertTrue(r.loss() > 0 && r.tokens() > 10, "loss " + r.loss() + " over " + r.tokens() + " letters");
        double largest = 0;
        for (String name : names) {
            long n = t.parameters().get(name).length();
            for (long flat : new long[]{2, n / 2 + 1, n - 1})
                largest = Math.max(largest, Math.abs(OsumTrainableTest.check(t, batch, name, r, flat)));
        }
        assertTrue(largest > 1e-3, "the checked entries must carry a real gradient, largest " + largest);
        assertThrows(IllegalArgumentException.class, () -> t.lossAndGradients(batch, Set.of("llm.norm.weight"), true, new TrainRandom(1)));
    }

    /** A few dozen Adam steps on two utterances drive the loss down and the greedy transcript towards the reference. */
    @Test
    void training_fitsTwoUtterances() throws Exception {
        TinyOsum tiny = TinyOsum.get();
        EncoderCtcTrainable t = new EncoderCtcTrainable(tiny.model(2).encoder(), null, ids -> tiny.tokenizer.decode(ids), 3, 0.02);
        OsumBatch batch = tiny.collator.firstBatch(7, 2);
        Set<String> all = t.parameters().keySet().stream().filter(n -> !n.equals(OsumTrainable.ENCODER_POSITIONS))
                .collect(java.util.stream.Collectors.toCollection(java.util.LinkedHashSet::new));
        AdamW adam = new AdamW(new AdamW.Options(3e-3, 0.9, 0.98, 1e-8, 0));
        java.util.Map<String, INDArray> params = new java.util.LinkedHashMap<>();
        for (String n : all) params.put(n, t.parameters().get(n));
        double first = Double.NaN, last = Double.NaN;
        for (int s = 0; s < 60; s++) {
            Trainable.StepResult r = t.lossAndGradients(batch, all, true, new TrainRandom(s));
            if (s == 0) first = r.loss();
            last = r.loss();
            adam.step(params, r.gradients(), 3e-3);
            t.parametersChanged();
        }
        assertTrue(last < 0.5 * first, "CTC loss per letter " + first + " -> " + last);
        List<String> hyps = t.greedy(batch), refs = t.references(batch);
        assertEquals(refs.size(), hyps.size());
        System.out.printf("encoder CTC: loss %.3f -> %.3f; greedy %s vs %s%n", first, last, hyps, refs);
    }
}
