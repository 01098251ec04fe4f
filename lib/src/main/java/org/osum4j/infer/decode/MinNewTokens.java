package org.osum4j.infer.decode;

/**
 * HF {@code MinLengthLogitsProcessor} counted in new tokens: while fewer than {@code min} tokens were generated,
 * eos gets {@code -inf}. (HF counts {@code input_ids}, which with {@code inputs_embeds} hold only new tokens.)
 */
public record MinNewTokens(int min, int eosId) implements LogitFilter {

    public MinNewTokens {
        if (min < 0) throw new IllegalArgumentException("min new tokens must be >= 0, got " + min);
    }

    @Override
    public void apply(float[] scores, int[] generated) {
        if (generated.length < min && eosId >= 0 && eosId < scores.length) scores[eosId] = Float.NEGATIVE_INFINITY;
    }
}
