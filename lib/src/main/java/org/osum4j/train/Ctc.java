package org.osum4j.train;

import java.util.Arrays;

/**
 * Connectionist temporal classification (Graves et al. 2006) for one utterance: the loss −log p(target | logits)
 * summed over all monotonic alignments with blanks, and its gradient with respect to the logits, by the
 * forward–backward recursion in log space. Plain Java on small arrays: in training it scores the adapter's
 * speech frames (tens per utterance) against the transcript's tokens (about ten), so no tensor library is needed.
 * What it is not: a decoder (no beam search) and not batched (the caller loops over utterances).
 */
public final class Ctc {

    private Ctc() {}

    /**
     * Loss and gradient of one utterance.
     *
     * @param loss     −log p(target | logits), +∞ when no alignment exists (target too long for the frames)
     * @param dLogits  dLoss/dLogits [T, V] row-major: softmax(logits) − (state occupancy per label); all zeros
     *                 when the loss is infinite (such an utterance contributes nothing)
     */
    public record Result(double loss, float[] dLogits) {
    }

    /**
     * @param logits unnormalised scores [frames, vocab] row-major
     * @param frames T
     * @param vocab  V
     * @param target label ids, none equal to {@code blank} (may be empty)
     * @param blank  the blank label id
     */
    public static Result lossAndGradient(float[] logits, int frames, int vocab, long[] target, int blank) {
        if (frames < 1 || vocab < 2) throw new IllegalArgumentException("CTC needs >= 1 frame and >= 2 labels, got " + frames + " x " + vocab);
        if (logits.length != frames * vocab) {
            throw new IllegalArgumentException("CTC logits hold " + logits.length + " values, expected " + frames + " x " + vocab);
        }
        if (blank < 0 || blank >= vocab) throw new IllegalArgumentException("CTC blank " + blank + " outside [0, " + vocab + ")");
        for (long y : target) {
            if (y < 0 || y >= vocab || y == blank) {
                throw new IllegalArgumentException("CTC target id " + y + " must be in [0, " + vocab + ") and not the blank " + blank);
            }
        }
        // log-softmax per frame
        double[] logp = new double[frames * vocab];
        for (int t = 0; t < frames; t++) {
            double max = Double.NEGATIVE_INFINITY;
            for (int v = 0; v < vocab; v++) max = Math.max(max, logits[t * vocab + v]);
            double sum = 0;
            for (int v = 0; v < vocab; v++) sum += Math.exp(logits[t * vocab + v] - max);
            double lse = max + Math.log(sum);
            for (int v = 0; v < vocab; v++) logp[t * vocab + v] = logits[t * vocab + v] - lse;
        }
        // extended label sequence: blank, y1, blank, y2, ..., blank
        int s = 2 * target.length + 1;
        int[] ext = new int[s];
        for (int i = 0; i < s; i++) ext[i] = i % 2 == 0 ? blank : (int) target[i / 2];

        double[] alpha = new double[frames * s], beta = new double[frames * s];
        Arrays.fill(alpha, Double.NEGATIVE_INFINITY);
        Arrays.fill(beta, Double.NEGATIVE_INFINITY);
        alpha[0] = logp[ext[0]];
        if (s > 1) alpha[1] = logp[ext[1]];
        for (int t = 1; t < frames; t++) {
            for (int i = 0; i < s; i++) {
                double a = alpha[(t - 1) * s + i];
                if (i >= 1) a = logAdd(a, alpha[(t - 1) * s + i - 1]);
                if (i >= 2 && ext[i] != blank && ext[i] != ext[i - 2]) a = logAdd(a, alpha[(t - 1) * s + i - 2]);
                alpha[t * s + i] = a + logp[t * vocab + ext[i]];
            }
        }
        int last = (frames - 1) * s;
        beta[last + s - 1] = logp[(frames - 1) * vocab + ext[s - 1]];
        if (s > 1) beta[last + s - 2] = logp[(frames - 1) * vocab + ext[s - 2]];
        for (int t = frames - 2; t >= 0; t--) {
            for (int i = 0; i < s; i++) {
                double b = beta[(t + 1) * s + i];
                if (i + 1 < s) b = logAdd(b, beta[(t + 1) * s + i + 1]);
                if (i + 2 < s && ext[i] != blank && ext[i] != ext[i + 2]) b = logAdd(b, beta[(t + 1) * s + i + 2]);
                beta[t * s + i] = b + logp[t * vocab + ext[i]];
            }
        }
        double logLik = alpha[last + s - 1];
        if (s > 1) logLik = logAdd(logLik, alpha[last + s - 2]);
        float[] grad = new float[frames * vocab];
        if (logLik == Double.NEGATIVE_INFINITY) return new Result(Double.POSITIVE_INFINITY, grad);

        // dL/dlogit[t, v] = softmax[t, v] − Σ_{i: ext[i] = v} exp(α_t(i) + β_t(i) − logp[t, v] − logLik)
        double[] occupancy = new double[vocab];
        for (int t = 0; t < frames; t++) {
            Arrays.fill(occupancy, Double.NEGATIVE_INFINITY);
            for (int i = 0; i < s; i++) {
                double ab = alpha[t * s + i] + beta[t * s + i];
                occupancy[ext[i]] = logAdd(occupancy[ext[i]], ab);
            }
            for (int v = 0; v < vocab; v++) {
                double lp = logp[t * vocab + v];
                double post = occupancy[v] == Double.NEGATIVE_INFINITY ? 0 : Math.exp(occupancy[v] - lp - logLik);
                grad[t * vocab + v] = (float) (Math.exp(lp) - post);
            }
        }
        return new Result(-logLik, grad);
    }

    /** log(exp(a) + exp(b)) without overflow; −∞ is the identity. */
    static double logAdd(double a, double b) {
        if (a == Double.NEGATIVE_INFINITY) return b;
        if (b == Double.NEGATIVE_INFINITY) return a;
        double m = Math.max(a, b);
        return m + Math.log1p(Math.exp(-Math.abs(a - b)));
    }
}
