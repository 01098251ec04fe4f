package org.osum4j.infer.decode;

import java.util.List;

/**
 * The one decoding loop: ask the strategy for the next tokens, reorder the model's rows if it says so, step the
 * model, repeat. Strategy details live in the {@link TokenDecoder}s, score shaping in {@link LogitFilter}s, the
 * settings in {@link DecodingOptions}. This class knows nothing of Qwen2, tokenizers or audio.
 *
 * <pre>{@code
 * float[][] first = model.prefill(embeds);            // [B][V], model-specific
 * List<Hypothesis> out = Decoding.run(model, first, DecodingOptions.beam(4).withMaxNewTokens(200));
 * }</pre>
 */
public final class Decoding {

    private Decoding() {
    }

    /**
     * Decodes every input of the batch.
     *
     * @param model       the rows after prefill, row b = input b (see {@link StepModel})
     * @param firstLogits [B][V] logits for the first new token of each input
     * @return one hypothesis per input, in input order
     */
    public static List<Hypothesis> run(StepModel model, float[][] firstLogits, DecodingOptions opts) {
        if (model == null || firstLogits == null || opts == null) throw new IllegalArgumentException("model, firstLogits and opts are required");
        int vocab = model.vocabSize();
        if (firstLogits.length == 0) throw new IllegalArgumentException("firstLogits: expected [B][V] with B >= 1, got B = 0");
        return run(model, firstLogits, TokenDecoder.forOptions(opts, firstLogits.length, vocab));
    }

    /** The same loop with a decoder built by the caller (one made for {@code firstLogits.length} inputs). */
    public static List<Hypothesis> run(StepModel model, float[][] firstLogits, TokenDecoder decoder) {
        int vocab = model.vocabSize();
        checkShape("firstLogits", firstLogits, decoder.batch(), vocab);
        float[][] logits = firstLogits;
        for (int step = 1; ; step++) {
            TokenDecoder.Advance next = decoder.advance(logits);
            if (next == null) break;
            if (next.rows() != null) model.reorder(next.rows());
            logits = model.step(next.tokens());
            checkShape("model.step logits at step " + step, logits, next.tokens().length, vocab);
        }
        return decoder.finish();
    }

    private static void checkShape(String what, float[][] logits, int rows, int vocab) {
        if (logits == null || logits.length != rows) {
            throw new IllegalStateException(what + ": expected " + rows + " rows, got " + (logits == null ? "null" : logits.length));
        }
        for (int r = 0; r < rows; r++) {
            if (logits[r] == null || logits[r].length != vocab) {
                throw new IllegalStateException(what + ": row " + r + " expected " + vocab + " logits (vocabSize), got "
                        + (logits[r] == null ? "null" : logits[r].length));
            }
        }
    }
}
