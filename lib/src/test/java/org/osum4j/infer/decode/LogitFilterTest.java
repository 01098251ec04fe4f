package org.osum4j.infer.decode;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LogitFilterTest {

    private static final float NEG_INF = Float.NEGATIVE_INFINITY;

    @Test
    void repetitionPenalty_dividesPositiveMultipliesNegative_onlyForGeneratedIds() {
        float[] s = {2.0f, -1.0f, 0.5f, -3.0f, 0.0f};
        new RepetitionPenalty(1.05).apply(s, new int[]{0, 1, 1, 4});
        float p = 1.05f;
        assertArrayEquals(new float[]{2.0f / p, -1.0f * p, 0.5f, -3.0f, 0.0f}, s, 0f);
    }

    @Test
    void repetitionPenalty_repeatedIdPenalisedOnce() {
        float[] s = {4.0f, -2.0f};
        new RepetitionPenalty(2.0).apply(s, new int[]{0, 0, 0, 1, 1});
        assertArrayEquals(new float[]{2.0f, -4.0f}, s, 0f);
    }

    @Test
    void repetitionPenalty_nonPositive_isRejected() {
        assertThrows(IllegalArgumentException.class, () -> new RepetitionPenalty(0));
    }

    @Test
    void topK_keepsKLargest() {
        float[] s = {1, 5, 3, 4, 2};
        new TopK(2, 1).apply(s, new int[0]);
        assertArrayEquals(new float[]{NEG_INF, 5, NEG_INF, 4, NEG_INF}, s, 0f);
    }

    @Test
    void topK_tiesWithKthValueSurvive() {
        float[] s = {3, 3, 3, 1};
        new TopK(1, 1).apply(s, new int[0]);
        assertArrayEquals(new float[]{3, 3, 3, NEG_INF}, s, 0f);
    }

    @Test
    void topK_minKeepWinsOverSmallK() {
        float[] s = {1, 5, 3, 4};
        new TopK(1, 2).apply(s, new int[0]);
        assertArrayEquals(new float[]{NEG_INF, 5, NEG_INF, 4}, s, 0f);
    }

    @Test
    void topP_keepsSmallestSetReachingP() {
        float[] s = logs(0.5, 0.3, 0.15, 0.05);
        float[] orig = s.clone();
        new TopP(0.9, 1).apply(s, new int[0]);
        assertArrayEquals(new float[]{orig[0], orig[1], orig[2], NEG_INF}, s, 0f);
    }

    @Test
    void topP_removesTokensWhoseAscendingCumulativeMassIsAtMostOneMinusP() {
        float[] s = logs(0.15, 0.5, 0.05, 0.3);
        float[] orig = s.clone();
        new TopP(0.7, 1).apply(s, new int[0]); // ascending cum: .05, .20 (<= .3, removed), .50, 1.0
        assertArrayEquals(new float[]{NEG_INF, orig[1], NEG_INF, orig[3]}, s, 0f);
    }

    @Test
    void topP_tinyP_keepsMinKeepTokens() {
        float[] s = logs(0.1, 0.6, 0.3);
        new TopP(0.01, 2).apply(s, new int[0]);
        assertEquals(NEG_INF, s[0]);
        assertTrue(s[1] > NEG_INF && s[2] > NEG_INF);
    }

    @Test
    void topP_ignoresAlreadyRemovedTokens() {
        float[] s = {NEG_INF, (float) Math.log(0.95), NEG_INF, (float) Math.log(0.05)};
        new TopP(0.9, 1).apply(s, new int[0]);
        assertTrue(s[1] > NEG_INF);
        assertEquals(NEG_INF, s[3]);
        assertEquals(NEG_INF, s[0]);
    }

    @Test
    void topP_outOfRange_isRejected() {
        assertThrows(IllegalArgumentException.class, () -> new TopP(0, 1));
        assertThrows(IllegalArgumentException.class, () -> new TopP(1.5, 1));
    }

    @Test
    void temperature_dividesScores() {
        float[] s = {1, -2, 4};
        new Temperature(2).apply(s, new int[0]);
        assertArrayEquals(new float[]{0.5f, -1f, 2f}, s, 0f);
    }

    @Test
    void temperature_zero_isRejectedWithHint() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new Temperature(0));
        assertTrue(e.getMessage().contains("greedy"), e.getMessage());
    }

    @Test
    void minNewTokens_suppressesEosOnlyBeforeMinimum() {
        float[] s = {1, 2, 3};
        new MinNewTokens(2, 2).apply(s, new int[]{0});
        assertEquals(NEG_INF, s[2]);
        float[] t = {1, 2, 3};
        new MinNewTokens(2, 2).apply(t, new int[]{0, 1});
        assertEquals(3f, t[2]);
    }

    @Test
    void loopGuardBan_forbidsTokenCompletingThirdRepeat() {
        float[] s = {0, 0, 0, 0, 0, 0, 0, 0};
        LoopGuard.ban(2, 3).apply(s, new int[]{5, 6, 5, 6, 5});
        assertEquals(NEG_INF, s[6]);
        for (int i = 0; i < s.length; i++) if (i != 6) assertEquals(0f, s[i]);
    }

    @Test
    void loopGuardBan_singleTokenRun() {
        float[] s = {0, 0, 0};
        LoopGuard.ban(1, 3).apply(s, new int[]{1, 2, 2});
        assertEquals(NEG_INF, s[2]);
        float[] t = {0, 0, 0};
        LoopGuard.ban(1, 3).apply(t, new int[]{2, 1, 2});
        assertArrayEquals(new float[]{0, 0, 0}, t, 0f);
    }

    @Test
    void loopGuardStop_forcesEosAfterRepeats() {
        LoopGuard g = LoopGuard.stop(2, 3, 0);
        assertTrue(g.loops(new int[]{9, 1, 2, 1, 2, 1, 2}, 7));
        assertFalse(g.loops(new int[]{1, 2, 1, 2, 1}, 5));
        float[] s = {-5, 1, 2, 3};
        g.apply(s, new int[]{1, 2, 1, 2, 1, 2});
        assertArrayEquals(new float[]{-5, NEG_INF, NEG_INF, NEG_INF}, s, 0f);
    }

    @Test
    void filterChain_osumBeamSample_hasHfOrderAndMinKeepTwo() {
        FilterChain c = FilterChain.of(DecodingOptions.osumBeamSample(1));
        assertEquals(1, c.processors().size());
        assertEquals(new RepetitionPenalty(1.05), c.processors().get(0));
        assertEquals(java.util.List.of(new TopK(5, 2), new TopP(0.9, 2)), c.warpers());
    }

    @Test
    void filterChain_beamSearch_hasNoWarpers() {
        FilterChain c = FilterChain.of(DecodingOptions.beam(4).withTopK(5).withTemperature(0.5));
        assertTrue(c.warpers().isEmpty());
    }

    private static float[] logs(double... p) {
        float[] out = new float[p.length];
        for (int i = 0; i < p.length; i++) out[i] = (float) Math.log(p[i]);
        return out;
    }
}
