package org.osum4j.eval;

import org.osum4j.data.Timestamps;

import java.util.ArrayList;
import java.util.List;

/**
 * SRWT's timestamp metric, AAS ("accumulated averaging shift", Shi et al. 2022, as OSUM reports it): the mean
 * absolute shift, in milliseconds, of word start and end boundaries between hypothesis and reference. Words are
 * paired by the transcript alignment ({@link Alignment}, {@link WerTokenizer}'s case and punctuation rules);
 * only words it marks CORRECT are measured, so the number is read together with {@link #coverage()} (matched /
 * reference words). The record holds sums, so utterances add up ({@link #plus}) to the corpus value.
 *
 * @param startShiftMs sum over matched words of |ref start − hyp start|, ms
 * @param endShiftMs   sum over matched words of |ref end − hyp end|, ms
 * @param matched      reference words paired with an identical hypothesis word
 * @param refWords     reference words
 * @param utterances   utterances summed
 */
public record Aas(double startShiftMs, double endShiftMs, int matched, int refWords, int utterances) {

    /** Milliseconds per SRWT tick (0.1 s). */
    public static final double MS_PER_TICK = 1000.0 / Timestamps.TICKS_PER_SECOND;

    public static final Aas ZERO = new Aas(0, 0, 0, 0, 0);

    /** One utterance: pairs words by alignment and sums the boundary shifts of the matched ones. */
    public static Aas of(List<Timestamps.Word> ref, List<Timestamps.Word> hyp) {
        Alignment a = Alignment.of(keys(ref), keys(hyp));
        double start = 0, end = 0;
        int matched = 0;
        int i = 0, j = 0;                                  // positions in ref and hyp as the steps walk them
        for (Alignment.Step s : a.steps()) {
            switch (s.op()) {
                case CORRECT -> {
                    start += Math.abs(ref.get(i).startTicks() - hyp.get(j).startTicks()) * MS_PER_TICK;
                    end += Math.abs(ref.get(i).endTicks() - hyp.get(j).endTicks()) * MS_PER_TICK;
                    matched++;
                    i++;
                    j++;
                }
                case SUBSTITUTION -> { i++; j++; }
                case DELETION -> i++;
                case INSERTION -> j++;
            }
        }
        return new Aas(start, end, matched, ref.size(), 1);
    }

    /** The corpus value: sums over utterances. */
    public static Aas pooled(List<Aas> utterances) {
        Aas sum = ZERO;
        for (Aas u : utterances) sum = sum.plus(u);
        return sum;
    }

    public Aas plus(Aas o) {
        return new Aas(startShiftMs + o.startShiftMs, endShiftMs + o.endShiftMs, matched + o.matched,
                refWords + o.refWords, utterances + o.utterances);
    }

    /** AAS: mean absolute shift over all matched boundaries (two per word), ms; NaN when nothing matched. */
    public double meanShiftMs() {
        return matched == 0 ? Double.NaN : (startShiftMs + endShiftMs) / (2.0 * matched);
    }

    public double meanStartShiftMs() {
        return matched == 0 ? Double.NaN : startShiftMs / matched;
    }

    public double meanEndShiftMs() {
        return matched == 0 ? Double.NaN : endShiftMs / matched;
    }

    /** Matched / reference words: the share of the reference the shift was measured on. */
    public double coverage() {
        return refWords == 0 ? Double.NaN : (double) matched / refWords;
    }

    /** Per-utterance (shift sum, boundary count) pairs for {@link Bootstrap#ratio}. */
    public static double[][] bootstrapPairs(List<Aas> utterances) {
        double[] num = new double[utterances.size()];
        double[] den = new double[utterances.size()];
        for (int k = 0; k < num.length; k++) {
            num[k] = utterances.get(k).startShiftMs() + utterances.get(k).endShiftMs();
            den[k] = 2.0 * utterances.get(k).matched();
        }
        return new double[][]{num, den};
    }

    private static List<String> keys(List<Timestamps.Word> words) {
        List<String> out = new ArrayList<>(words.size());
        for (Timestamps.Word w : words) out.add(String.join(" ", WerTokenizer.tokens(w.text())));
        return out;
    }

    @Override
    public String toString() {
        return String.format("AAS %.1f ms (start %.1f, end %.1f) over %d/%d words (coverage %.1f%%), %d utts",
                meanShiftMs(), meanStartShiftMs(), meanEndShiftMs(), matched, refWords, 100 * coverage(), utterances);
    }
}
