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

    /** Number of inputs B this decoder was made for (the rows of the first logits). */
    int batch();

    /** Consumes logits [rows][V] of the current rows; returns the next step, or null when decoding is over. */
    Advance advance(float[][] logits);

    /** The best hypothesis of every input, in input order; call once {@link #advance} returned null. */
    List<Hypothesis> finish();

    /**
     * The decoder for {@code o.strategy()}, for {@code batch} inputs and vocabulary size {@code vocab}. As in HF,
     * one beam means no beam search: BEAM with 1 beam runs greedy, BEAM_SAMPLE with 1 beam runs sampling (they
     * differ from a 1-beam beam search only in where the repetition penalty applies: logits vs log-probs).
     */
    static TokenDecoder forOptions(DecodingOptions o, int batch, int vocab) {
        return switch (o.strategy()) {
            case GREEDY -> new GreedyDecoder(o, batch, vocab);
            case SAMPLING -> new SamplingDecoder(o, batch, vocab);
            case BEAM -> o.beams() == 1 ? new GreedyDecoder(o, batch, vocab) : new BeamSearchDecoder(o, batch, vocab);
            case BEAM_SAMPLE -> o.beams() == 1 ? new SamplingDecoder(o, batch, vocab) : new BeamSampleDecoder(o, batch, vocab);
        };
    }
}
