package org.osum4j.infer.decode;

import java.util.SplittableRandom;

/**
 * Ancestral sampling (HF {@code do_sample=True, num_beams=1}): processors, then temperature / top-k / top-p, then
 * one draw from softmax(scores). Input {@code b} owns {@code new SplittableRandom(seed + b)}, so a batch gives the
 * same tokens as decoding each input alone with seed {@code seed + b}. torch's RNG is not reproduced.
 */
public final class SamplingDecoder extends RowDecoder {

    private final SplittableRandom[] rngs;

    public SamplingDecoder(DecodingOptions opts, int batch, int vocab) {
        super(opts, batch, vocab);
        rngs = new SplittableRandom[batch];
        for (int b = 0; b < batch; b++) rngs[b] = new SplittableRandom(opts.seed() + b);
    }

    @Override
    int choose(int item, float[] scores, int step) {
        return draw(scores, rngs[item], step, item);
    }

    /** One draw from softmax(scores) by inverse CDF in token order. */
    static int draw(float[] scores, SplittableRandom rng, int step, int item) {
        float max = Float.NEGATIVE_INFINITY;
        for (float s : scores) max = Math.max(max, s);
        if (max == Float.NEGATIVE_INFINITY) {
            throw new IllegalStateException("input " + item + " at step " + step + ": every token was filtered out");
        }
        double sum = 0;
        for (float s : scores) sum += Math.exp((double) s - max);
        double u = rng.nextDouble() * sum;
        int last = -1;
        for (int i = 0; i < scores.length; i++) {
            if (scores[i] == Float.NEGATIVE_INFINITY) continue;
            last = i;
            u -= Math.exp((double) scores[i] - max);
            if (u < 0) return i;
        }
        return last; // rounding left u a hair above 0: the last possible token
    }
}
