package org.osum4j.infer.decode;

import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BeamInternalsTest {

    private static final float NEG_INF = Float.NEGATIVE_INFINITY;

    @Test
    void hypotheses_keepNBest_andEvictTheWorst() {
        BeamHypotheses h = new BeamHypotheses(2, 1.0);
        h.add(new int[]{1}, new double[]{-1}, -1.0, 1, Hypothesis.EOS);          // score -1
        h.add(new int[]{2, 0}, new double[]{-1, -1}, -3.0, 2, Hypothesis.EOS);   // -1.5
        h.add(new int[]{3, 0}, new double[]{-1, -1}, -1.0, 2, Hypothesis.EOS);   // -0.5, evicts -1.5
        assertEquals(2, h.size());
        assertArrayEquals(new int[]{3, 0}, h.best().tokens());
        h.add(new int[]{4, 0}, new double[]{-1, -1}, -4.0, 2, Hypothesis.EOS);   // -2 < worst (-1): ignored
        assertEquals(2, h.size());
    }

    @Test
    void hypotheses_isDone_usesHfHeuristic() {
        BeamHypotheses h = new BeamHypotheses(1, 1.0);
        assertFalse(h.isDone(-0.1, 3), "fewer than n finished");
        h.add(new int[]{1, 0}, new double[2], -2.0, 2, Hypothesis.EOS);          // score -1
        assertFalse(h.isDone(-2.9, 3), "a running beam at -2.9/3 could still beat -1");
        assertTrue(h.isDone(-3.0, 3), "-3/3 = -1 cannot beat -1");
    }

    @Test
    void hypotheses_tieOnBestScore_newestWins() {
        BeamHypotheses h = new BeamHypotheses(2, 1.0);
        h.add(new int[]{1}, new double[1], -1.0, 1, Hypothesis.EOS);
        h.add(new int[]{2}, new double[1], -1.0, 1, Hypothesis.EOS);
        assertArrayEquals(new int[]{2}, h.best().tokens());
    }

    @Test
    void beamSample_firstStep_drawsOnlyFromBeamZero_thenFillsByScore() {
        DecodingOptions o = DecodingOptions.osumBeamSample(3).withEosId(-1);
        BeamSampleDecoder d = new BeamSampleDecoder(o, 1, 6);
        float[] beam0 = {NEG_INF, -0.5f, NEG_INF, -1.0f, NEG_INF, NEG_INF}; // 2 tokens left after top-k/top-p
        float[][] processed = {beam0, beam0, beam0, beam0};
        double[] scores = {0, BeamDecoder.INACTIVE_BEAM, BeamDecoder.INACTIVE_BEAM, BeamDecoder.INACTIVE_BEAM};
        List<BeamDecoder.Candidate> c = d.select(0, processed, scores, 0);
        assertEquals(8, c.size());
        assertEquals(new BeamDecoder.Candidate(0, 1, -0.5), c.get(0));
        assertEquals(new BeamDecoder.Candidate(0, 3, -1.0), c.get(1));
        for (int i = 2; i < 8; i++) assertTrue(c.get(i).score() < -1e8, c.get(i).toString());
        for (int i = 1; i < 8; i++) assertTrue(c.get(i - 1).score() >= c.get(i).score(), "sorted descending");
    }

    @Test
    void beamSearch_select_takesTopTwoNAcrossBeams() {
        BeamSearchDecoder d = new BeamSearchDecoder(DecodingOptions.beam(2).withEosId(-1), 1, 4);
        float[][] processed = {{-1, -2, -3, -4}, {-0.5f, -5, -6, -0.7f}};
        List<BeamDecoder.Candidate> c = d.select(0, processed, new double[]{0, -1}, 0);
        // totals: beam0 -1 -2 -3 -4; beam1 -1.5 -6 -7 -1.7
        assertEquals(List.of(new BeamDecoder.Candidate(0, 0, -1), new BeamDecoder.Candidate(1, 0, -1.5),
                new BeamDecoder.Candidate(1, 3, -0.7f - 1.0), new BeamDecoder.Candidate(0, 1, -2)), c);
    }

    @Test
    void greedy_finishedRowsAreDroppedFromTheModel() {
        int v = 4;
        FakeModels.FunctionModel m = new FakeModels.FunctionModel(v, 3, (input, h) -> {
            float[] x = new float[v];
            x[input == 1 ? 0 : 2] = 5; // input 1 says eos (0) at once, the others never
            return x;
        });
        List<Hypothesis> hs = Decoding.run(m, m.first(), DecodingOptions.greedy().withEosId(0).withMaxNewTokens(5));
        assertArrayEquals(new int[]{0}, hs.get(1).tokens());
        assertEquals(List.of(0, 2), m.inputs, "input 1 left the batch after its eos");
        assertEquals(5, hs.get(0).tokens().length);
        assertEquals(Arrays.asList(Hypothesis.MAX_NEW_TOKENS, Hypothesis.EOS, Hypothesis.MAX_NEW_TOKENS),
                hs.stream().map(Hypothesis::stopReason).toList());
    }
}
