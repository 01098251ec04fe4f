package org.osum4j.infer.decode;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;

/**
 * HF beam sampling ({@code num_beams=n, do_sample=True}), OSUM's decoder: after processors and warpers (applied to
 * each beam's log-probs, before its running score is added) 2·n candidates are drawn without replacement from
 * softmax over all n·V running scores of an input (HF {@code torch.multinomial}), then sorted by score and handed to
 * the beam bookkeeping of {@link BeamDecoder}.
 *
 * <p>Draws go in token order from {@code new SplittableRandom(seed + b)} for input b (torch's RNG is not
 * reproduced). When fewer than 2·n candidates have non-zero probability (e.g. the first step, where beams 1..n-1
 * weigh exp(-1e9) = 0), torch fills the sample with zero-probability entries in unspecified order; here they are
 * taken by score (finite first, then filtered ones by beam and id), which keeps the result deterministic.
 */
public final class BeamSampleDecoder extends BeamDecoder {

    private final SplittableRandom[] rngs;

    public BeamSampleDecoder(DecodingOptions opts, int batch, int vocab) {
        super(opts, batch, vocab);
        rngs = new SplittableRandom[batch];
        for (int b = 0; b < batch; b++) rngs[b] = new SplittableRandom(opts.seed() + b);
    }

    @Override
    List<Candidate> select(int item, float[][] processed, double[] beamScores, int step) {
        int vocab = processed[0].length;
        int want = Math.min(2 * n, n * vocab);
        // every candidate with a finite score, flat index = beam * V + token
        List<Candidate> finite = new ArrayList<>();
        double max = Double.NEGATIVE_INFINITY;
        for (int j = 0; j < processed.length; j++) {
            for (int v = 0; v < vocab; v++) {
                double score = processed[j][v] + beamScores[j];
                if (score == Double.NEGATIVE_INFINITY) continue;
                finite.add(new Candidate(j, v, score));
                max = Math.max(max, score);
            }
        }
        double[] weight = new double[finite.size()];
        double total = 0;
        for (int i = 0; i < weight.length; i++) {
            weight[i] = Math.exp(finite.get(i).score() - max);
            total += weight[i];
        }
        List<Candidate> drawn = new ArrayList<>(want);
        boolean[] taken = new boolean[weight.length];
        SplittableRandom rng = rngs[item];
        while (drawn.size() < want && total > 0) {
            double u = rng.nextDouble() * total;
            int pick = -1;
            for (int i = 0; i < weight.length; i++) {
                if (taken[i] || weight[i] == 0) continue;
                pick = i;
                u -= weight[i];
                if (u < 0) break;
            }
            taken[pick] = true;
            drawn.add(finite.get(pick));
            total = 0;
            for (int i = 0; i < weight.length; i++) if (!taken[i]) total += weight[i];
        }
        if (drawn.size() < want) fillZeroProbability(drawn, finite, taken, processed, beamScores, want);
        drawn.sort(Comparator.comparingDouble(Candidate::score).reversed()); // stable: ties keep draw order
        return drawn;
    }

    private static void fillZeroProbability(List<Candidate> drawn, List<Candidate> finite, boolean[] taken,
                                            float[][] processed, double[] beamScores, int want) {
        List<Candidate> rest = new ArrayList<>();
        for (int i = 0; i < finite.size(); i++) if (!taken[i]) rest.add(finite.get(i));
        rest.sort(Comparator.comparingDouble(Candidate::score).reversed());
        for (Candidate c : rest) {
            if (drawn.size() == want) return;
            drawn.add(c);
        }
        for (int j = 0; j < processed.length && drawn.size() < want; j++) {
            for (int v = 0; v < processed[j].length && drawn.size() < want; v++) {
                if (processed[j][v] + beamScores[j] == Double.NEGATIVE_INFINITY) {
                    drawn.add(new Candidate(j, v, Double.NEGATIVE_INFINITY));
                }
            }
        }
    }
}
