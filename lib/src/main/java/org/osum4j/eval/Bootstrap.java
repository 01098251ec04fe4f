package org.osum4j.eval;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Bootstrap confidence intervals and a paired significance test for test-set metrics.
 *
 * <p>Utterances are resampled with replacement (percentile bootstrap). A metric is a ratio of sums over
 * utterances — errors/reference tokens for WER, correct/1 per utterance for accuracy — so each utterance is
 * given as a (numerator, denominator) pair and every resample recomputes the pooled ratio, as the headline
 * number is computed. The random generator is seeded, so intervals are reproducible.
 */
public final class Bootstrap {

    /** A point estimate with its two-sided confidence interval. */
    public record Interval(double estimate, double low, double high, double level, int resamples) {
        @Override
        public String toString() {
            return String.format("%.4f [%.4f, %.4f] (%.0f%% CI, %d resamples)", estimate, low, high, 100 * level, resamples);
        }
    }

    /**
     * Paired comparison of two systems on the same utterances: the difference B − A of the pooled metric, its
     * interval, and the two-sided bootstrap p-value of "no difference" (the share of resampled differences on
     * the other side of zero, doubled).
     */
    public record Comparison(Interval difference, double pValue) {}

    public static final int DEFAULT_RESAMPLES = 1000;
    public static final double DEFAULT_LEVEL = 0.95;

    private Bootstrap() {}

    /** Percentile interval of sum(num)/sum(den) over utterances. */
    public static Interval ratio(double[] num, double[] den, int resamples, double level, long seed) {
        check(num, den);
        double est = ratioOf(num, den, null);
        double[] stats = new double[resamples];
        SplittableRandom rnd = new SplittableRandom(seed);
        int[] idx = new int[num.length];
        for (int r = 0; r < resamples; r++) {
            for (int i = 0; i < idx.length; i++) idx[i] = rnd.nextInt(num.length);
            stats[r] = ratioOf(num, den, idx);
        }
        return interval(est, stats, level);
    }

    /** Paired bootstrap of the difference (B − A) between two systems' pooled ratios on the same utterances. */
    public static Comparison paired(double[] numA, double[] denA, double[] numB, double[] denB,
                                    int resamples, double level, long seed) {
        check(numA, denA);
        check(numB, denB);
        if (numA.length != numB.length) {
            throw new IllegalArgumentException("systems scored on different utterance counts: " + numA.length + " vs " + numB.length);
        }
        double est = ratioOf(numB, denB, null) - ratioOf(numA, denA, null);
        double[] stats = new double[resamples];
        SplittableRandom rnd = new SplittableRandom(seed);
        int[] idx = new int[numA.length];
        int below = 0, above = 0;
        for (int r = 0; r < resamples; r++) {
            for (int i = 0; i < idx.length; i++) idx[i] = rnd.nextInt(numA.length);
            stats[r] = ratioOf(numB, denB, idx) - ratioOf(numA, denA, idx);
            if (stats[r] <= 0) below++;
            if (stats[r] >= 0) above++;
        }
        double p = Math.min(1.0, 2.0 * Math.min(below, above) / resamples);
        return new Comparison(interval(est, stats, level), p);
    }

    /** Per-utterance (errors, reference tokens) pairs of a list of alignments, for {@link #ratio}. */
    public static double[][] werPairs(java.util.List<Alignment> alignments) {
        double[] num = new double[alignments.size()];
        double[] den = new double[alignments.size()];
        for (int i = 0; i < num.length; i++) {
            num[i] = alignments.get(i).errors();
            den[i] = alignments.get(i).refLength();
        }
        return new double[][]{num, den};
    }

    /** Per-utterance (correct, 1) pairs for accuracy. */
    public static double[][] accuracyPairs(boolean[] correct) {
        double[] num = new double[correct.length];
        double[] den = new double[correct.length];
        for (int i = 0; i < num.length; i++) {
            num[i] = correct[i] ? 1 : 0;
            den[i] = 1;
        }
        return new double[][]{num, den};
    }

    private static double ratioOf(double[] num, double[] den, int[] idx) {
        double n = 0, d = 0;
        int len = idx == null ? num.length : idx.length;
        for (int k = 0; k < len; k++) {
            int i = idx == null ? k : idx[k];
            n += num[i];
            d += den[i];
        }
        return d == 0 ? 0 : n / d;
    }

    private static Interval interval(double est, double[] stats, double level) {
        double[] s = stats.clone();
        Arrays.sort(s);
        double alpha = (1 - level) / 2;
        return new Interval(est, quantile(s, alpha), quantile(s, 1 - alpha), level, s.length);
    }

    /** Linear-interpolated quantile of sorted values. */
    static double quantile(double[] sorted, double q) {
        double pos = q * (sorted.length - 1);
        int lo = (int) Math.floor(pos);
        int hi = Math.min(sorted.length - 1, lo + 1);
        return sorted[lo] + (pos - lo) * (sorted[hi] - sorted[lo]);
    }

    private static void check(double[] num, double[] den) {
        if (num.length != den.length) throw new IllegalArgumentException("numerators " + num.length + " vs denominators " + den.length);
        if (num.length == 0) throw new IllegalArgumentException("no utterances to bootstrap");
    }
}
