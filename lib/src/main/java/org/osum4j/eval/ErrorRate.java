package org.osum4j.eval;

import java.util.List;

/**
 * Corpus-level error rate: errors and reference tokens summed over utterances, then divided (OSUM's
 * compute-wer.py "Overall"), not a mean of per-utterance rates.
 */
public record ErrorRate(long refTokens, long substitutions, long deletions, long insertions, int utterances) {

    /** Sums the alignments of a test set. */
    public static ErrorRate of(List<Alignment> alignments) {
        long n = 0, s = 0, d = 0, i = 0;
        for (Alignment a : alignments) {
            n += a.refLength();
            s += a.substitutions();
            d += a.deletions();
            i += a.insertions();
        }
        return new ErrorRate(n, s, d, i, alignments.size());
    }

    /** Scores parallel lists of reference and hypothesis transcripts. */
    public static ErrorRate score(List<String> refs, List<String> hyps) {
        if (refs.size() != hyps.size()) {
            throw new IllegalArgumentException(refs.size() + " references but " + hyps.size() + " hypotheses");
        }
        List<Alignment> al = new java.util.ArrayList<>(refs.size());
        for (int k = 0; k < refs.size(); k++) al.add(Alignment.ofText(refs.get(k), hyps.get(k)));
        return of(al);
    }

    public long errors() {
        return substitutions + deletions + insertions;
    }

    /** (S + D + I) / N as a fraction (0.05 = 5 %). */
    public double rate() {
        return refTokens == 0 ? (errors() == 0 ? 0 : Double.POSITIVE_INFINITY) : (double) errors() / refTokens;
    }

    @Override
    public String toString() {
        return String.format("%.2f %% (N=%d, S=%d, D=%d, I=%d, %d utts)", 100 * rate(), refTokens, substitutions, deletions, insertions, utterances);
    }
}
