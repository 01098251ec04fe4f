package org.osum4j.infer.decode;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Shared loop of the beam strategies, HF {@code _beam_search} + {@code BeamSearchScorer} (transformers 4.43):
 * <ol>
 *   <li>each beam's logits become float32 log-softmax, then processors (and, when sampling, warpers) run on them;</li>
 *   <li>candidate score = processed log-prob + the beam's running score; beams start at 0, -1e9, -1e9, ... so the
 *       first step expands one copy of the prompt;</li>
 *   <li>{@link #select} picks 2·n candidates per input, sorted by score (top-k, or sampling);</li>
 *   <li>in that order, an eos candidate ranked below n is dropped, one ranked above n finishes a hypothesis
 *       (scored {@code sum / (len incl. eos) ^ length_penalty}); the first n others become the new beams;</li>
 *   <li>an input is done when n hypotheses are finished and the best candidate could not beat the worst
 *       (early_stopping=False); its rows are dropped from the model instead of padded;</li>
 *   <li>at maxNewTokens the open beams of unfinished inputs are added as hypotheses; the best one is returned.</li>
 * </ol>
 * Running scores are doubles (HF: float32); only exact ties could decide differently.
 */
abstract class BeamDecoder implements TokenDecoder {

    /** HF's initial score of beams 1..n-1: they exist but are never preferred at the first step. */
    static final double INACTIVE_BEAM = -1e9;

    /** One running beam: its tokens, model log-probs, running (processed) score and current model row. */
    private record Beam(int[] tokens, double[] logprobs, double score, int row) {
    }

    /** A candidate continuation: beam index within the input, token, and total score. */
    record Candidate(int beam, int token, double score) {
    }

    protected final DecodingOptions opts;
    protected final int n;
    private final FilterChain chain;
    private final int batch;
    private final Beam[][] beams;            // [B][n]
    private final BeamHypotheses[] hyps;     // [B]
    private final boolean[] done;            // [B]
    private int[] liveItems;                 // inputs still decoding, in model-row order (n rows each)
    private int step;
    private boolean over;

    BeamDecoder(DecodingOptions opts, int batch, int vocab) {
        if (batch < 1) throw new IllegalArgumentException("batch must be >= 1, got " + batch);
        this.opts = opts;
        this.n = opts.beams();
        this.chain = FilterChain.of(opts);
        this.batch = batch;
        this.beams = new Beam[batch][n];
        this.hyps = new BeamHypotheses[batch];
        this.done = new boolean[batch];
        this.liveItems = new int[batch];
        for (int b = 0; b < batch; b++) {
            liveItems[b] = b;
            hyps[b] = new BeamHypotheses(n, opts.lengthPenalty());
            for (int j = 0; j < n; j++) {
                // before the first step every beam of input b is row b of firstLogits
                beams[b][j] = new Beam(new int[0], new double[0], j == 0 ? 0.0 : INACTIVE_BEAM, b);
            }
        }
    }

    /**
     * The 2·n candidates of input {@code item}, sorted by score descending.
     *
     * @param processed  [n][V] filtered log-probs of each beam
     * @param beamScores [n] running scores
     */
    abstract List<Candidate> select(int item, float[][] processed, double[] beamScores, int step);

    @Override
    public Advance advance(float[][] logits) {
        if (over) return null;
        int curLen = step; // tokens generated so far by every beam
        List<Integer> nextItems = new ArrayList<>();
        for (int item : liveItems) {
            Beam[] bs = beams[item];
            float[][] processed = new float[n][];
            double[] lse = new double[n]; // log-sum-exp of each beam's raw logits
            double[] scores = new double[n];
            for (int j = 0; j < n; j++) {
                float[] row = logits[bs[j].row()];
                lse[j] = Scores.logSumExp(row, step, bs[j].row());
                float[] s = Scores.logSoftmax(row, lse[j]);
                chain.apply(s, bs[j].tokens());
                processed[j] = s;
                scores[j] = bs[j].score();
            }
            List<Candidate> cands = select(item, processed, scores, step);
            Beam[] next = new Beam[n];
            int filled = 0;
            for (int rank = 0; rank < cands.size() && filled < n; rank++) {
                Candidate c = cands.get(rank);
                Beam parent = bs[c.beam()];
                float[] parentLogits = logits[parent.row()];
                double lp = parentLogits[c.token()] - lse[c.beam()];
                int[] toks = append(parent.tokens(), c.token());
                double[] lps = append(parent.logprobs(), lp);
                if (c.token() == opts.eosId()) {
                    if (rank >= n) continue;
                    String reason = stoppedByGuard(parent.tokens()) ? Hypothesis.LOOP : Hypothesis.EOS;
                    hyps[item].add(toks, lps, c.score(), curLen + 1, reason);
                } else {
                    next[filled++] = new Beam(toks, lps, c.score(), parent.row());
                }
            }
            if (filled < n) {
                throw new IllegalStateException("input " + item + " at step " + step + ": only " + filled + " of " + n
                        + " beams could continue (too few non-eos candidates)");
            }
            beams[item] = next;
            done[item] = hyps[item].isDone(cands.get(0).score(), curLen + 1);
            if (!done[item]) nextItems.add(item);
        }
        step++;
        if (step == opts.maxNewTokens() || nextItems.isEmpty()) {
            over = true;
            return null;
        }
        // gather: new row r = parent row of the r-th new beam; then every beam lives in its new row
        int[] rows = new int[nextItems.size() * n];
        int[] tokens = new int[rows.length];
        int r = 0;
        for (int item : nextItems) {
            for (int j = 0; j < n; j++, r++) {
                Beam b = beams[item][j];
                rows[r] = b.row();
                tokens[r] = b.tokens()[b.tokens().length - 1];
                beams[item][j] = new Beam(b.tokens(), b.logprobs(), b.score(), r);
            }
        }
        liveItems = nextItems.stream().mapToInt(Integer::intValue).toArray();
        return new Advance(rows, tokens);
    }

    private boolean stoppedByGuard(int[] generated) {
        LoopGuard g = opts.loopGuard();
        return g != null && g.action() == LoopGuard.Action.STOP && g.loops(generated, generated.length);
    }

    @Override
    public int batch() {
        return batch;
    }

    @Override
    public List<Hypothesis> finish() {
        if (!over) throw new IllegalStateException("beam decoding is still running");
        List<Hypothesis> out = new ArrayList<>();
        for (int b = 0; b < batch; b++) {
            if (!done[b]) {
                for (Beam beam : beams[b]) {
                    hyps[b].add(beam.tokens(), beam.logprobs(), beam.score(), beam.tokens().length, Hypothesis.MAX_NEW_TOKENS);
                }
            }
            BeamHypotheses.Finished f = hyps[b].best();
            out.add(new Hypothesis(f.tokens(), f.score(), f.logprobs(), f.reason()));
        }
        return out;
    }

    private static int[] append(int[] a, int x) {
        int[] r = Arrays.copyOf(a, a.length + 1);
        r[a.length] = x;
        return r;
    }

    private static double[] append(double[] a, double x) {
        double[] r = Arrays.copyOf(a, a.length + 1);
        r[a.length] = x;
        return r;
    }
}
