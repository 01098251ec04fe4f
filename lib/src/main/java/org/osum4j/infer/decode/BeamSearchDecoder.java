package org.osum4j.infer.decode;

import java.util.ArrayList;
import java.util.List;

/**
 * Deterministic beam search (HF {@code num_beams=n, do_sample=False}): the 2·n best candidates over all beams of an
 * input by running score (HF {@code torch.topk}); ties go to the lower beam, then the lower token id. Warpers are
 * not applied. The rest of the algorithm is in {@link BeamDecoder}.
 */
public final class BeamSearchDecoder extends BeamDecoder {

    public BeamSearchDecoder(DecodingOptions opts, int batch, int vocab) {
        super(opts, batch, vocab);
    }

    @Override
    List<Candidate> select(int item, float[][] processed, double[] beamScores, int step) {
        int want = Math.min(2 * n, n * processed[0].length);
        Candidate[] top = new Candidate[want]; // descending; later (higher flat index) entries lose ties
        int filled = 0;
        for (int j = 0; j < processed.length; j++) {
            float[] s = processed[j];
            for (int v = 0; v < s.length; v++) {
                double score = s[v] + beamScores[j];
                if (filled == want && !(score > top[want - 1].score())) continue;
                int pos = filled < want ? filled++ : want - 1;
                while (pos > 0 && top[pos - 1].score() < score) {
                    top[pos] = top[pos - 1];
                    pos--;
                }
                top[pos] = new Candidate(j, v, score);
            }
        }
        List<Candidate> out = new ArrayList<>(filled);
        for (int i = 0; i < filled; i++) out.add(top[i]);
        return out;
    }
}
