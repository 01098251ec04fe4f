package org.osum4j.infer.decode;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Shared loop state of the one-sequence-per-input strategies (greedy, sampling), HF {@code _sample}: filters run
 * on the raw logits, one token is chosen per row, a row that emits eos or reaches maxNewTokens is finished.
 * Instead of feeding padding to finished rows (HF), they are dropped from the model with {@code reorder}; the
 * result of a row never depends on the others.
 */
abstract class RowDecoder implements TokenDecoder {

    protected final DecodingOptions opts;
    private final FilterChain chain;
    private final int vocab;
    private final int[][] tokens;       // [B][maxNewTokens]
    private final double[][] logprobs;  // [B][maxNewTokens]
    private final int[] lengths;        // [B]
    private final String[] stopReasons; // [B], null while running
    private int[] live;                 // model row i -> input index
    private int step;

    RowDecoder(DecodingOptions opts, int batch, int vocab) {
        if (batch < 1) throw new IllegalArgumentException("batch must be >= 1, got " + batch);
        this.opts = opts;
        this.chain = FilterChain.of(opts);
        this.vocab = vocab;
        this.tokens = new int[batch][opts.maxNewTokens()];
        this.logprobs = new double[batch][opts.maxNewTokens()];
        this.lengths = new int[batch];
        this.stopReasons = new String[batch];
        this.live = new int[batch];
        for (int b = 0; b < batch; b++) live[b] = b;
    }

    /** Picks the next token of input {@code item} from its filtered scores [V]. */
    abstract int choose(int item, float[] scores, int step);

    @Override
    public Advance advance(float[][] logits) {
        if (live.length == 0) return null;
        int[] chosen = new int[live.length];
        List<Integer> keep = new ArrayList<>();
        for (int i = 0; i < live.length; i++) {
            int item = live[i];
            float[] row = logits[i];
            double lse = Scores.logSumExp(row, step, i);
            float[] scores = row.clone();
            int[] generated = Arrays.copyOf(tokens[item], lengths[item]);
            chain.apply(scores, generated);
            int t = choose(item, scores, step);
            chosen[i] = t;
            tokens[item][lengths[item]] = t;
            logprobs[item][lengths[item]] = row[t] - lse;
            lengths[item]++;
            if (t == opts.eosId()) {
                stopReasons[item] = stoppedByGuard(generated) ? Hypothesis.LOOP : Hypothesis.EOS;
            } else if (lengths[item] == opts.maxNewTokens()) {
                stopReasons[item] = Hypothesis.MAX_NEW_TOKENS;
            } else {
                keep.add(i);
            }
        }
        step++;
        int[] rows = keep.stream().mapToInt(Integer::intValue).toArray();
        int[] next = new int[rows.length];
        int[] nextLive = new int[rows.length];
        for (int k = 0; k < rows.length; k++) {
            next[k] = chosen[rows[k]];
            nextLive[k] = live[rows[k]];
        }
        boolean unchanged = rows.length == live.length;
        live = nextLive;
        if (rows.length == 0) return null;
        return new Advance(unchanged ? null : rows, next);
    }

    private boolean stoppedByGuard(int[] generated) {
        LoopGuard g = opts.loopGuard();
        return g != null && g.action() == LoopGuard.Action.STOP && g.loops(generated, generated.length);
    }

    @Override
    public List<Hypothesis> finish() {
        List<Hypothesis> out = new ArrayList<>();
        for (int b = 0; b < tokens.length; b++) {
            if (stopReasons[b] == null) throw new IllegalStateException("input " + b + " is still being decoded");
            int[] t = Arrays.copyOf(tokens[b], lengths[b]);
            double[] lp = Arrays.copyOf(logprobs[b], lengths[b]);
            double sum = 0;
            for (double x : lp) sum += x;
            out.add(new Hypothesis(t, sum, lp, stopReasons[b]));
        }
        return out;
    }

    @Override
    public int batch() {
        return tokens.length;
    }

    int vocab() {
        return vocab;
    }
}
