package org.osum4j.eval;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * A minimum edit-distance alignment of hypothesis tokens to reference tokens (unit costs for substitution,
 * deletion and insertion), with the operations themselves so errors can be shown and counted. Among alignments
 * of equal cost, backtracking prefers a match/substitution, then a deletion, then an insertion.
 */
public final class Alignment {

    /** What happened to one position. */
    public enum Op { CORRECT, SUBSTITUTION, DELETION, INSERTION }

    /** One aligned pair: {@code ref} is null for insertions, {@code hyp} is null for deletions. */
    public record Step(Op op, String ref, String hyp) {}

    private final List<Step> steps;
    private final int substitutions;
    private final int deletions;
    private final int insertions;
    private final int refLength;

    private Alignment(List<Step> steps, int refLength) {
        this.steps = Collections.unmodifiableList(steps);
        int s = 0, d = 0, in = 0;
        for (Step st : steps) {
            switch (st.op()) {
                case SUBSTITUTION -> s++;
                case DELETION -> d++;
                case INSERTION -> in++;
                default -> { }
            }
        }
        this.substitutions = s;
        this.deletions = d;
        this.insertions = in;
        this.refLength = refLength;
    }

    /** Aligns two token sequences. */
    public static Alignment of(List<String> ref, List<String> hyp) {
        int n = ref.size(), m = hyp.size();
        int[][] cost = new int[n + 1][m + 1];                 // cost[i][j]: ref[0..i) vs hyp[0..j)
        for (int i = 0; i <= n; i++) cost[i][0] = i;
        for (int j = 0; j <= m; j++) cost[0][j] = j;
        for (int i = 1; i <= n; i++) {
            for (int j = 1; j <= m; j++) {
                int sub = cost[i - 1][j - 1] + (ref.get(i - 1).equals(hyp.get(j - 1)) ? 0 : 1);
                cost[i][j] = Math.min(sub, Math.min(cost[i - 1][j] + 1, cost[i][j - 1] + 1));
            }
        }
        List<Step> steps = new ArrayList<>();
        int i = n, j = m;
        while (i > 0 || j > 0) {
            if (i > 0 && j > 0) {
                boolean same = ref.get(i - 1).equals(hyp.get(j - 1));
                if (cost[i][j] == cost[i - 1][j - 1] + (same ? 0 : 1)) {
                    steps.add(new Step(same ? Op.CORRECT : Op.SUBSTITUTION, ref.get(i - 1), hyp.get(j - 1)));
                    i--;
                    j--;
                    continue;
                }
            }
            if (i > 0 && cost[i][j] == cost[i - 1][j] + 1) {
                steps.add(new Step(Op.DELETION, ref.get(i - 1), null));
                i--;
            } else {
                steps.add(new Step(Op.INSERTION, null, hyp.get(j - 1)));
                j--;
            }
        }
        Collections.reverse(steps);
        return new Alignment(steps, n);
    }

    /** Aligns two transcripts after OSUM's scoring tokenisation ({@link WerTokenizer}). */
    public static Alignment ofText(String ref, String hyp) {
        return of(WerTokenizer.tokens(ref), WerTokenizer.tokens(hyp));
    }

    public List<Step> steps() { return steps; }

    public int substitutions() { return substitutions; }

    public int deletions() { return deletions; }

    public int insertions() { return insertions; }

    /** Number of reference tokens (the WER denominator). */
    public int refLength() { return refLength; }

    /** S + D + I. */
    public int errors() { return substitutions + deletions + insertions; }

    /** (S + D + I) / N; an empty reference gives 0 when the hypothesis is empty too, else +∞. */
    public double errorRate() {
        if (refLength == 0) return errors() == 0 ? 0 : Double.POSITIVE_INFINITY;
        return (double) errors() / refLength;
    }

    @Override
    public String toString() {
        return String.format("N=%d S=%d D=%d I=%d err=%.2f%%", refLength, substitutions, deletions, insertions, 100 * errorRate());
    }
}
