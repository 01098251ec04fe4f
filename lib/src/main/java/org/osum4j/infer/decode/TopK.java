package org.osum4j.infer.decode;

import java.util.Arrays;

/**
 * HF {@code TopKLogitsWarper}: k' = min(max(k, minKeep), V); every score strictly below the k'-th largest becomes
 * {@code -inf}. Ties with the k'-th value survive, so more than k' tokens can remain (as in HF).
 */
public record TopK(int k, int minKeep) implements LogitFilter {

    public TopK {
        if (k < 1) throw new IllegalArgumentException("top-k must be >= 1, got " + k);
        if (minKeep < 1) throw new IllegalArgumentException("top-k minKeep must be >= 1, got " + minKeep);
    }

    @Override
    public void apply(float[] scores, int[] generated) {
        int kk = Math.min(Math.max(k, minKeep), scores.length);
        float kth = kthLargest(scores, kk);
        for (int i = 0; i < scores.length; i++) {
            if (scores[i] < kth) scores[i] = Float.NEGATIVE_INFINITY;
        }
    }

    /** The k-th largest value (k >= 1), keeping a small sorted buffer: O(V·k), fine for the usual k <= 50. */
    static float kthLargest(float[] x, int k) {
        float[] top = new float[k]; // descending
        Arrays.fill(top, Float.NEGATIVE_INFINITY);
        int filled = 0;
        for (float v : x) {
            if (filled == k && !(v > top[k - 1])) continue;
            int pos = filled < k ? filled++ : k - 1;
            while (pos > 0 && top[pos - 1] < v) {
                top[pos] = top[pos - 1];
                pos--;
            }
            top[pos] = v;
        }
        return top[k - 1];
    }
}
