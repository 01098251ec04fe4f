package org.osum4j.infer.decode;

import java.util.Arrays;

/**
 * HF {@code TopPLogitsWarper} (nucleus): sort scores ascending, take the cumulative softmax, remove every token
 * whose cumulative probability is {@code <= 1 - p}, but always keep the {@code minKeep} largest. The result is the
 * smallest set of top tokens whose probability mass reaches p. Ties in the sort are broken by token id (HF's
 * unstable sort breaks them arbitrarily); the threshold is compared in float32 as in torch.
 *
 * <p>Only finite scores are sorted: {@code -inf} tokens sit at the start of HF's ascending order with cumulative
 * probability 0, so HF removes them too (they stay {@code -inf}). After top-k this makes the sort tiny.
 */
public record TopP(double p, int minKeep) implements LogitFilter {

    public TopP {
        if (!(p > 0 && p <= 1)) throw new IllegalArgumentException("top-p must be in (0, 1], got " + p);
        if (minKeep < 1) throw new IllegalArgumentException("top-p minKeep must be >= 1, got " + minKeep);
    }

    @Override
    public void apply(float[] scores, int[] generated) {
        // ascending (value, id) keys of the finite scores, packed into longs for a primitive sort
        long[] keys = new long[scores.length];
        int n = 0;
        for (int i = 0; i < scores.length; i++) {
            if (scores[i] != Float.NEGATIVE_INFINITY) keys[n++] = sortKey(scores[i], i);
        }
        if (n == 0) return;
        keys = Arrays.copyOf(keys, n);
        Arrays.sort(keys);
        double max = scores[idOf(keys[n - 1])];
        double sum = 0;
        for (long key : keys) sum += Math.exp(scores[idOf(key)] - max);
        float threshold = (float) (1.0 - p);
        int keepFrom = Math.max(0, n - minKeep); // ranks >= keepFrom are always kept
        double cum = 0;
        for (int r = 0; r < n; r++) {
            int id = idOf(keys[r]);
            cum += Math.exp(scores[id] - max) / sum;
            if (r < keepFrom && (float) cum <= threshold) scores[id] = Float.NEGATIVE_INFINITY;
        }
    }

    /** Orders by float value (as a signed int after flipping negative floats), then by id. */
    private static long sortKey(float value, int id) {
        int bits = Float.floatToIntBits(value);
        int ordered = bits ^ ((bits >> 31) & 0x7fffffff);
        return ((long) ordered << 32) | (id & 0xffffffffL);
    }

    private static int idOf(long key) {
        return (int) key;
    }
}
