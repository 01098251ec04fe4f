package org.osum4j.infer.decode;

/**
 * One step of shaping a next-token score vector, HF's LogitsProcessor/LogitsWarper for one row. Filters work in
 * place on float32 scores (raw logits for greedy/sampling, log-softmax for the beam strategies, as in HF) and may
 * look at the tokens generated so far in this row; the prompt is never seen (OSUM feeds {@code inputs_embeds}).
 * Implementations are immutable records; the chain for a {@link DecodingOptions} is built by {@link FilterChain}.
 */
public interface LogitFilter {

    /**
     * @param scores    [V] scores of the next token, modified in place; {@code -inf} removes a token
     * @param generated the tokens generated so far in this row, oldest first (not modified)
     */
    void apply(float[] scores, int[] generated);
}
