package org.osum4j.train;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** CTC against brute-force enumeration of alignments, and its gradient against finite differences. */
class CtcTest {

    private static float[] randomLogits(int t, int v, long seed) {
        Random r = new Random(seed);
        float[] x = new float[t * v];
        for (int i = 0; i < x.length; i++) x[i] = (float) (r.nextGaussian() * 1.5);
        return x;
    }

    /** −log Σ over every frame labelling that collapses (merge repeats, drop blanks) to the target. */
    private static double bruteForce(float[] logits, int t, int v, long[] target, int blank) {
        double total = 0;
        int paths = (int) Math.pow(v, t);
        for (int p = 0; p < paths; p++) {
            int[] path = new int[t];
            int code = p;
            for (int i = 0; i < t; i++) {
                path[i] = code % v;
                code /= v;
            }
            List<Long> collapsed = new ArrayList<>();
            int prev = -1;
            for (int c : path) {
                if (c != prev && c != blank) collapsed.add((long) c);
                prev = c;
            }
            if (collapsed.size() != target.length) continue;
            boolean same = true;
            for (int i = 0; i < target.length; i++) same &= collapsed.get(i) == target[i];
            if (!same) continue;
            double prob = 1;
            for (int i = 0; i < t; i++) prob *= softmax(logits, i, v)[path[i]];
            total += prob;
        }
        return -Math.log(total);
    }

    private static double[] softmax(float[] logits, int row, int v) {
        double max = Double.NEGATIVE_INFINITY, sum = 0;
        for (int j = 0; j < v; j++) max = Math.max(max, logits[row * v + j]);
        double[] out = new double[v];
        for (int j = 0; j < v; j++) sum += out[j] = Math.exp(logits[row * v + j] - max);
        for (int j = 0; j < v; j++) out[j] /= sum;
        return out;
    }

    @Test
    void loss_equalsTheSumOverAllAlignments_forDistinctRepeatedAndEmptyTargets() {
        int t = 5, v = 4, blank = 3;
        for (long[] target : new long[][]{{0, 1}, {1, 1}, {2}, {}, {0, 2, 0}}) {
            float[] logits = randomLogits(t, v, 11 + target.length);
            double expected = bruteForce(logits, t, v, target, blank);
            assertEquals(expected, Ctc.lossAndGradient(logits, t, v, target, blank).loss(), 1e-9 * Math.max(1, expected),
                    "target " + java.util.Arrays.toString(target));
        }
    }

    @Test
    void gradient_matchesFiniteDifferences() {
        int t = 6, v = 5, blank = 0;
        long[] target = {2, 2, 4};
        float[] logits = randomLogits(t, v, 7);
        Ctc.Result r = Ctc.lossAndGradient(logits, t, v, target, blank);
        double eps = 1e-3;
        for (int i = 0; i < logits.length; i++) {
            float[] up = logits.clone(), down = logits.clone();
            up[i] += (float) eps;
            down[i] -= (float) eps;
            double numeric = (Ctc.lossAndGradient(up, t, v, target, blank).loss() - Ctc.lossAndGradient(down, t, v, target, blank).loss()) / (2 * eps);
            assertEquals(numeric, r.dLogits()[i], 2e-3, "dL/dlogit[" + i / v + ", " + i % v + "]");
        }
        // each frame's gradient sums to zero (softmax minus a distribution)
        for (int f = 0; f < t; f++) {
            double s = 0;
            for (int j = 0; j < v; j++) s += r.dLogits()[f * v + j];
            assertEquals(0, s, 1e-5);
        }
    }

    @Test
    void targetTooLongForTheFrames_isInfiniteWithZeroGradient_badIdsAreErrors() {
        // a repeated label needs a blank between: {1, 1} needs 3 frames
        Ctc.Result r = Ctc.lossAndGradient(randomLogits(2, 3, 1), 2, 3, new long[]{1, 1}, 0);
        assertEquals(Double.POSITIVE_INFINITY, r.loss());
        for (float g : r.dLogits()) assertEquals(0f, g);
        assertTrue(Double.isFinite(Ctc.lossAndGradient(randomLogits(3, 3, 1), 3, 3, new long[]{1, 1}, 0).loss()));
        assertThrows(IllegalArgumentException.class, () -> Ctc.lossAndGradient(randomLogits(3, 3, 1), 3, 3, new long[]{0}, 0));
        assertThrows(IllegalArgumentException.class, () -> Ctc.lossAndGradient(randomLogits(3, 3, 1), 3, 3, new long[]{3}, 0));
        assertThrows(IllegalArgumentException.class, () -> Ctc.lossAndGradient(new float[5], 3, 3, new long[]{1}, 0));
    }
}
