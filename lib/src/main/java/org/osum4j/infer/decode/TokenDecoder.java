package org.osum4j.infer.decode;

import java.util.List;

/**
 * One decoding strategy as a state machine driven by {@link Decoding#run}'s loop: given the logits of the current
 * model rows it picks the next tokens and says which rows to keep (Whisper's TokenDecoder, with the cache
 * reordering made explicit). Implementations: {@link GreedyDecoder}, {@link SamplingDecoder},
 * {@link BeamSearchDecoder}, {@link BeamSampleDecoder}.
 */
public interface TokenDecoder {

    /**
     * What the loop does next: {@code model.reorder(rows)} when {@code rows} is not null, then
     * {@code model.step(tokens)}.
     */
    record Advance(int[] rows, int[] tokens) {
    }

    /** Consumes logits [rows][V] of the current rows; returns the next step, or null when decoding is over. */
    Advance advance(float[][] logits);

    /** The best hypothesis of every input, in input order; call once {@link #advance} returned null. */
    List<Hypothesis> finish();

    /** The decoder for {@code o.strategy()}, for {@code batch} inputs and vocabulary size {@code vocab}. */
    static TokenDecoder forOptions(DecodingOptions o, int batch, int vocab) {
        return switch (o.strategy()) {
            case GREEDY -> new GreedyDecoder(o, batch, vocab);
            case SAMPLING -> new SamplingDecoder(o, batch, vocab);
            case BEAM -> new BeamSearchDecoder(o, batch, vocab);
            case BEAM_SAMPLE -> new BeamSampleDecoder(o, batch, vocab);
        };
    }
}
