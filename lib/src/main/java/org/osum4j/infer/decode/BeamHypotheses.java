package org.osum4j.infer.decode;

import java.util.ArrayList;
import java.util.List;

/**
 * The finished hypotheses of one input, HF {@code BeamHypotheses} with {@code early_stopping=False}: keeps the
 * {@code n} best by {@code sum_logprobs / generated_len ^ length_penalty}; eos counts in generated_len.
 * Tie rules follow HF's Python: the oldest of equally bad entries is evicted, the newest of equally good wins.
 */
final class BeamHypotheses {

    /** A finished sequence: tokens (eos included when it ended with eos) and its per-token model log-probs. */
    record Finished(double score, int[] tokens, double[] logprobs, String reason) {
    }

    private final int n;
    private final double lengthPenalty;
    private final List<Finished> beams = new ArrayList<>();
    private double worst = 1e9; // HF's initial worst_score

    BeamHypotheses(int n, double lengthPenalty) {
        this.n = n;
        this.lengthPenalty = lengthPenalty;
    }

    int size() {
        return beams.size();
    }

    void add(int[] tokens, double[] logprobs, double sumLogprobs, int generatedLen, String reason) {
        double score = sumLogprobs / Math.pow(generatedLen, lengthPenalty);
        if (beams.size() < n || score > worst) {
            beams.add(new Finished(score, tokens, logprobs, reason));
            if (beams.size() > n) {
                int worstIdx = 0;
                for (int i = 1; i < beams.size(); i++) {
                    if (beams.get(i).score() < beams.get(worstIdx).score()) worstIdx = i;
                }
                beams.remove(worstIdx);
                worst = Double.POSITIVE_INFINITY;
                for (Finished f : beams) worst = Math.min(worst, f.score());
            } else {
                worst = Math.min(score, worst);
            }
        }
    }

    /**
     * HF's heuristic: done once n hypotheses are finished and none of the running beams could beat the worst
     * of them, judging a running beam by {@code best_running_sum / cur_len ^ length_penalty}.
     */
    boolean isDone(double bestRunningSum, int curLen) {
        if (beams.size() < n) return false;
        return worst >= bestRunningSum / Math.pow(curLen, lengthPenalty);
    }

    Finished best() {
        Finished best = null;
        for (Finished f : beams) {
            if (best == null || f.score() >= best.score()) best = f;
        }
        return best;
    }
}
