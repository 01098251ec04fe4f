package org.osum4j.infer.decode;

import org.junit.jupiter.api.Test;
import org.osum4j.infer.decode.DecodingOptions.Strategy;
import org.osum4j.infer.decode.FakeModels.FunctionModel;

import java.util.Arrays;
import java.util.List;
import java.util.function.BiFunction;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DecodingTest {

    private static final int V = 16;
    private static final int EOS = 0;

    private static List<Hypothesis> run(BiFunction<Integer, int[], float[]> f, int batch, DecodingOptions o) {
        FunctionModel m = new FunctionModel(V, batch, f);
        return Decoding.run(m, m.first(), o);
    }

    private static DecodingOptions small(DecodingOptions o) {
        return o.withEosId(EOS).withMaxNewTokens(12);
    }

    /** Every token's recorded log-prob must equal log_softmax(logits(input, prefix)) of the pure model. */
    private static void assertLogprobsMatchModel(BiFunction<Integer, int[], float[]> f, int input, Hypothesis h) {
        for (int t = 0; t < h.tokens().length; t++) {
            float[] logits = f.apply(input, Arrays.copyOf(h.tokens(), t));
            assertEquals(FakeModels.logProb(logits, h.tokens()[t]), h.tokenLogprobs()[t], 1e-5, "token " + t + " of " + h);
        }
    }

    @Test
    void greedy_picksArgmaxEachStep_andStopsAtEos() {
        var f = FakeModels.random(V, 1, 2f);
        List<Hypothesis> hs = run(f, 6, small(DecodingOptions.greedy()).withMaxNewTokens(40));
        for (int b = 0; b < hs.size(); b++) {
            int[] t = hs.get(b).tokens();
            for (int s = 0; s < t.length; s++) {
                assertEquals(Scores.argmax(f.apply(b, Arrays.copyOf(t, s))), t[s], "input " + b + " step " + s);
            }
            if (hs.get(b).stopReason().equals(Hypothesis.EOS)) assertEquals(EOS, t[t.length - 1]);
            for (int s = 0; s < t.length - 1; s++) assertNotEquals(EOS, t[s]);
            assertLogprobsMatchModel(f, b, hs.get(b));
        }
    }

    @Test
    void greedy_stopsAtEos_onTable() {
        // start: token 3; after 3: token 5; after 5: eos
        double[][] p = new double[V + 1][];
        Arrays.setAll(p, i -> new double[]{0.1, 0.2, 0.1, 0.2, 0.2, 0.2});
        p[0] = new double[]{0, 0.1, 0, 0.9};
        p[3 + 1] = new double[]{0, 0.1, 0, 0, 0, 0.9};
        p[5 + 1] = new double[]{0.9, 0.1};
        Hypothesis h = run(FakeModels.table(V, p), 1, small(DecodingOptions.greedy())).get(0);
        assertArrayEquals(new int[]{3, 5, EOS}, h.tokens());
        assertArrayEquals(new int[]{3, 5}, h.textTokens());
        assertEquals(Hypothesis.EOS, h.stopReason());
        assertEquals(h.sumLogprob(), h.score(), 0);
        assertEquals(FakeModels.logProb(FakeModels.table(V, p).apply(0, new int[]{3, 5}), EOS), h.tokenLogprobs()[2], 1e-6);
    }

    @Test
    void beamSearchOfOne_equalsGreedy() {
        for (long seed = 0; seed < 5; seed++) {
            var f = FakeModels.random(V, seed, 2f);
            List<Hypothesis> g = run(f, 4, small(DecodingOptions.greedy()));
            FunctionModel m = new FunctionModel(V, 4, f);
            List<Hypothesis> b = Decoding.run(m, m.first(), new BeamSearchDecoder(small(DecodingOptions.beam(1)), 4, V));
            for (int i = 0; i < 4; i++) {
                assertArrayEquals(g.get(i).tokens(), b.get(i).tokens(), "seed " + seed + " input " + i);
                assertEquals(g.get(i).stopReason(), b.get(i).stopReason());
                assertEquals(g.get(i).sumLogprob(), b.get(i).sumLogprob(), 1e-9);
            }
        }
    }

    @Test
    void beamOptionsWithOneBeam_runGreedyLikeHf() {
        var f = FakeModels.random(V, 6, 2f);
        DecodingOptions penal = small(DecodingOptions.greedy()).withRepetitionPenalty(1.5);
        List<Hypothesis> g = run(f, 3, penal);
        List<Hypothesis> b = run(f, 3, penal.withStrategy(Strategy.BEAM, 1));
        for (int i = 0; i < 3; i++) assertArrayEquals(g.get(i).tokens(), b.get(i).tokens());
    }

    @Test
    void run_decoderForAnotherBatchSize_isRejected() {
        FunctionModel m = new FunctionModel(V, 2, FakeModels.random(V, 1, 1f));
        assertMessage(() -> Decoding.run(m, m.first(), new GreedyDecoder(DecodingOptions.greedy(), 3, V)), "expected 3 rows");
    }

    @Test
    void beam_findsHigherScoringSequenceThanGreedy_onTrap() {
        // start: A=1 (0.5) beats B=2 (0.4); after A everything is flat; after B eos is nearly certain
        double[][] p = new double[V + 1][];
        Arrays.setAll(p, i -> flat(V));
        p[0] = new double[]{0, 0.5, 0.4, 0.1};
        p[2 + 1] = new double[]{0.99};
        var f = FakeModels.table(V, p);
        Hypothesis g = run(f, 1, small(DecodingOptions.greedy())).get(0);
        Hypothesis b = run(f, 1, small(DecodingOptions.beam(3))).get(0);
        assertEquals(1, g.tokens()[0]);
        assertArrayEquals(new int[]{2, EOS}, b.tokens());
        assertTrue(b.sumLogprob() > g.sumLogprob(), b.sumLogprob() + " vs greedy " + g.sumLogprob());
        double sum = FakeModels.logProb(f.apply(0, new int[0]), 2) + FakeModels.logProb(f.apply(0, new int[]{2}), EOS);
        assertEquals(sum / 2, b.score(), 1e-6); // HF: sum / len^1, eos counted in len
    }

    private static double[] flat(int v) {
        double[] x = new double[v];
        Arrays.fill(x, 1.0 / v);
        return x;
    }

    @Test
    void batch_equalsSingle_forEveryStrategy() {
        var f = FakeModels.random(V, 7, 1.5f);
        DecodingOptions[] all = {
                small(DecodingOptions.greedy()),
                small(DecodingOptions.beam(3)),
                small(DecodingOptions.sampling(1.0, 0, 1.0, 42)),
                small(DecodingOptions.osumBeamSample(42)),
                small(DecodingOptions.beam(4).withRepetitionPenalty(1.3).withLengthPenalty(0.5)),
        };
        int batch = 5;
        for (DecodingOptions o : all) {
            List<Hypothesis> together = run(f, batch, o);
            for (int b = 0; b < batch; b++) {
                int input = b;
                FunctionModel alone = new FunctionModel(V, 1, (i, h) -> f.apply(input, h));
                Hypothesis single = Decoding.run(alone, alone.first(), o.withSeed(o.seed() + b)).get(0);
                assertArrayEquals(single.tokens(), together.get(b).tokens(), o.strategy() + " input " + b);
                assertEquals(single.score(), together.get(b).score(), 1e-6);
                assertEquals(single.stopReason(), together.get(b).stopReason());
            }
        }
    }

    @Test
    void beamStrategies_tokenLogprobsFollowTheReorderedCache() {
        var f = FakeModels.random(V, 3, 1.5f);
        for (DecodingOptions o : List.of(small(DecodingOptions.beam(4)), small(DecodingOptions.osumBeamSample(5)))) {
            FunctionModel m = new FunctionModel(V, 3, f);
            List<Hypothesis> hs = Decoding.run(m, m.first(), o);
            assertEquals(12, m.maxRows, "3 inputs x 4 beams");
            for (int b = 0; b < 3; b++) assertLogprobsMatchModel(f, b, hs.get(b));
        }
    }

    @Test
    void beam_scoreIsHfLengthNormalisedSum() {
        var f = FakeModels.random(V, 11, 1.5f);
        for (Hypothesis h : run(f, 3, small(DecodingOptions.beam(3)).withLengthPenalty(0.7))) {
            // penalty 1.0: processed log-probs are the model's, so the score is sum / len^0.7
            assertEquals(h.sumLogprob() / Math.pow(h.tokens().length, 0.7), h.score(), 1e-5);
        }
    }

    @Test
    void sampling_sameSeedReproduces_differentSeedsDiffer() {
        var f = FakeModels.random(V, 5, 0.3f); // flat distributions: high entropy
        DecodingOptions o = DecodingOptions.sampling(1.0, 0, 1.0, 123).withEosId(-1).withMaxNewTokens(30);
        List<Hypothesis> a = run(f, 2, o);
        List<Hypothesis> b = run(f, 2, o);
        List<Hypothesis> c = run(f, 2, o.withSeed(124));
        assertArrayEquals(a.get(0).tokens(), b.get(0).tokens());
        assertArrayEquals(a.get(1).tokens(), b.get(1).tokens());
        assertFalse(Arrays.equals(a.get(0).tokens(), c.get(0).tokens()));
    }

    @Test
    void beamSample_sameSeedReproduces_differentSeedsDiffer() {
        var f = FakeModels.random(V, 5, 0.3f);
        DecodingOptions o = DecodingOptions.osumBeamSample(9).withEosId(-1).withMaxNewTokens(30);
        Hypothesis a = run(f, 1, o).get(0);
        Hypothesis b = run(f, 1, o).get(0);
        Hypothesis c = run(f, 1, o.withSeed(10)).get(0);
        assertArrayEquals(a.tokens(), b.tokens());
        assertEquals(a.score(), b.score());
        assertFalse(Arrays.equals(a.tokens(), c.tokens()));
    }

    @Test
    void sampling_topKOne_equalsGreedy() {
        var f = FakeModels.random(V, 2, 1f);
        List<Hypothesis> g = run(f, 3, small(DecodingOptions.greedy()));
        List<Hypothesis> s = run(f, 3, small(DecodingOptions.sampling(0.7, 1, 1.0, 99)));
        for (int i = 0; i < 3; i++) assertArrayEquals(g.get(i).tokens(), s.get(i).tokens());
    }

    @Test
    void maxNewTokens_isRespectedByEveryStrategy() {
        var f = FakeModels.random(V, 4, 1f);
        for (Strategy st : Strategy.values()) {
            int beams = st == Strategy.BEAM || st == Strategy.BEAM_SAMPLE ? 3 : 1;
            DecodingOptions o = DecodingOptions.greedy().withStrategy(st, beams).withEosId(-1).withMaxNewTokens(7);
            FunctionModel m = new FunctionModel(V, 2, f);
            for (Hypothesis h : Decoding.run(m, m.first(), o)) {
                assertEquals(7, h.tokens().length, st.toString());
                assertEquals(Hypothesis.MAX_NEW_TOKENS, h.stopReason());
            }
            assertEquals(6, m.steps, st + ": the 7th token needs no forward pass");
        }
    }

    @Test
    void minNewTokens_suppressesEos() {
        double[][] p = new double[V + 1][];
        Arrays.setAll(p, i -> new double[]{0.6, 0.1, 0.1, 0.2}); // eos always most likely
        var f = FakeModels.table(V, p);
        Hypothesis g = run(f, 1, small(DecodingOptions.greedy()).withMinNewTokens(3)).get(0);
        assertEquals(4, g.tokens().length);
        assertEquals(EOS, g.tokens()[3]);
        for (int s = 0; s < 3; s++) assertNotEquals(EOS, g.tokens()[s]);
        Hypothesis b = run(f, 1, small(DecodingOptions.beam(2)).withMinNewTokens(3)).get(0);
        assertTrue(b.tokens().length >= 4);
        Hypothesis none = run(f, 1, small(DecodingOptions.greedy())).get(0);
        assertArrayEquals(new int[]{EOS}, none.tokens());
    }

    @Test
    void repetitionPenalty_changesGreedyPathAwayFromRepeats() {
        // after token 1 the model prefers 1 again only slightly: the penalty must break the loop
        double[][] p = new double[V + 1][];
        Arrays.setAll(p, i -> flat(V));
        p[0] = new double[]{0, 0.9};
        p[1 + 1] = new double[]{0, 0.30, 0.28, 0.02};
        var f = FakeModels.table(V, p);
        int[] plain = run(f, 1, small(DecodingOptions.greedy()).withMaxNewTokens(3)).get(0).tokens();
        int[] penal = run(f, 1, small(DecodingOptions.greedy()).withMaxNewTokens(3).withRepetitionPenalty(1.2)).get(0).tokens();
        assertArrayEquals(new int[]{1, 1, 1}, plain);
        assertArrayEquals(new int[]{1, 2}, Arrays.copyOf(penal, 2));
    }

    @Test
    void loopGuardStop_endsRunawayRepetition() {
        double[][] p = new double[V + 1][];
        Arrays.setAll(p, i -> flat(V));
        p[0] = new double[]{0, 0.9};
        p[1 + 1] = new double[]{0.01, 0, 0.9};
        p[2 + 1] = new double[]{0.01, 0.9};
        var f = FakeModels.table(V, p);
        DecodingOptions o = small(DecodingOptions.greedy()).withMaxNewTokens(40);
        assertEquals(40, run(f, 1, o).get(0).tokens().length);
        Hypothesis h = run(f, 1, o.withLoopGuard(LoopGuard.stop(4, 3, EOS))).get(0);
        assertArrayEquals(new int[]{1, 2, 1, 2, 1, 2, EOS}, h.tokens());
        assertEquals(Hypothesis.LOOP, h.stopReason());
        Hypothesis beam = run(f, 1, small(DecodingOptions.beam(2)).withMaxNewTokens(40).withLoopGuard(LoopGuard.stop(4, 3, EOS))).get(0);
        assertTrue(beam.tokens().length < 40, beam.toString());
    }

    @Test
    void loopGuardBan_neverLetsAnNgramRepeatThreeTimes() {
        var f = FakeModels.random(V, 8, 3f);
        LoopGuard g = LoopGuard.ban(3, 3);
        for (Hypothesis h : run(f, 4, DecodingOptions.greedy().withEosId(-1).withMaxNewTokens(40).withLoopGuard(g))) {
            LoopGuard probe = LoopGuard.stop(3, 3, 0);
            for (int len = 1; len <= h.tokens().length; len++) assertFalse(probe.loops(h.tokens(), len), h.toString());
        }
    }

    @Test
    void options_osumBeamSample_matchesOsumGenerateCall() {
        DecodingOptions o = DecodingOptions.osumBeamSample(777);
        assertEquals(Strategy.BEAM_SAMPLE, o.strategy());
        assertEquals(4, o.beams());
        assertEquals(1.0, o.temperature());
        assertEquals(5, o.topK());
        assertEquals(0.9, o.topP());
        assertEquals(1.05, o.repetitionPenalty());
        assertEquals(1.0, o.lengthPenalty());
        assertEquals(400, o.maxNewTokens());
        assertEquals(0, o.minNewTokens());
        assertEquals(151643, o.eosId());
        assertEquals(777, o.seed());
    }

    @Test
    void options_invalid_areRejectedWithMessages() {
        DecodingOptions g = DecodingOptions.greedy();
        assertMessage(() -> g.withTemperature(0), "temperature");
        assertMessage(() -> DecodingOptions.sampling(0, 5, 0.9, 1), "temperature");
        assertMessage(() -> g.withBeams(2), "beams");
        assertMessage(() -> DecodingOptions.beam(0), "beams");
        assertMessage(() -> g.withTopP(0), "topP");
        assertMessage(() -> g.withTopK(-1), "topK");
        assertMessage(() -> g.withMaxNewTokens(0), "maxNewTokens");
        assertMessage(() -> g.withMaxNewTokens(5).withMinNewTokens(6), "minNewTokens");
        assertMessage(() -> g.withRepetitionPenalty(0), "repetitionPenalty");
        assertMessage(() -> g.withLengthPenalty(Double.NaN), "lengthPenalty");
        assertMessage(() -> g.withLoopGuard(LoopGuard.stop(2, 3, 5)), "loop guard");
    }

    @Test
    void run_wrongLogitShapes_areReported() {
        FunctionModel m = new FunctionModel(V, 2, FakeModels.random(V, 1, 1f));
        assertMessage(() -> Decoding.run(m, new float[][]{new float[V], new float[V - 1]}, DecodingOptions.greedy()), "row 1");
        StepModel broken = new StepModel() {
            public int vocabSize() { return V; }
            public float[][] step(int[] tokens) { return new float[tokens.length + 1][V]; }
            public void reorder(int[] rows) { }
        };
        assertMessage(() -> Decoding.run(broken, new float[1][V], DecodingOptions.greedy().withEosId(-1)), "expected 1 rows");
        float[][] nan = new float[1][V];
        nan[0][3] = Float.NaN;
        assertMessage(() -> Decoding.run(m, nan, DecodingOptions.greedy()), "NaN");
    }

    private static void assertMessage(org.junit.jupiter.api.function.Executable e, String part) {
        Throwable t = assertThrows(RuntimeException.class, e);
        assertTrue(t.getMessage().contains(part), "message '" + t.getMessage() + "' should mention " + part);
    }
}
