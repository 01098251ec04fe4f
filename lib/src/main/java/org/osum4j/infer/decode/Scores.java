package org.osum4j.infer.decode;

/** Small numerics on score vectors shared by the decoders: log-sum-exp, log-softmax, argmax, NaN checks. */
final class Scores {

    private Scores() {
    }

    /** log(sum(exp(x))) in double; throws when a logit is NaN or +inf (a broken model, not a decoding choice). */
    static double logSumExp(float[] x, int step, int row) {
        float max = Float.NEGATIVE_INFINITY;
        for (int i = 0; i < x.length; i++) {
            float v = x[i];
            if (Float.isNaN(v) || v == Float.POSITIVE_INFINITY) {
                throw new IllegalStateException("logits of row " + row + " at step " + step + " hold " + v + " at token " + i);
            }
            if (v > max) max = v;
        }
        if (max == Float.NEGATIVE_INFINITY) {
            throw new IllegalStateException("logits of row " + row + " at step " + step + " are all -inf");
        }
        double sum = 0;
        for (float v : x) sum += Math.exp((double) v - max);
        return max + Math.log(sum);
    }

    /** float32 log-softmax (HF computes it on float32 logits), given the log-sum-exp. */
    static float[] logSoftmax(float[] x, double lse) {
        float[] out = new float[x.length];
        for (int i = 0; i < x.length; i++) out[i] = (float) (x[i] - lse);
        return out;
    }

    /** Index of the largest score; the first one on ties (torch.argmax). */
    static int argmax(float[] x) {
        int best = 0;
        for (int i = 1; i < x.length; i++) {
            if (x[i] > x[best]) best = i;
        }
        return best;
    }
}
