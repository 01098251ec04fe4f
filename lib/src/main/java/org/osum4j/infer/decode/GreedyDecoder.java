package org.osum4j.infer.decode;

/**
 * Greedy decoding (HF {@code do_sample=False, num_beams=1}): processors (repetition penalty, min new tokens, loop
 * guard) on the raw logits, then the argmax (first index on ties). Warpers are not applied, as in HF.
 */
public final class GreedyDecoder extends RowDecoder {

    public GreedyDecoder(DecodingOptions opts, int batch, int vocab) {
        super(opts, batch, vocab);
    }

    @Override
    int choose(int item, float[] scores, int step) {
        return Scores.argmax(scores);
    }
}
