package org.osum4j.infer.decode;

/**
 * The decoder's whole view of a language model: a batch of rows, each a sequence with its own KV cache,
 * that can be extended by one token and re-indexed. It is not the model: prefill (prompt + speech embeddings)
 * happens before decoding, and its last-position logits are handed to {@link Decoding#run} as {@code firstLogits}.
 *
 * <p>Contract (what an implementation on Qwen2 + KV cache must do):
 * <ul>
 *   <li>After prefill the model holds {@code B} rows, row {@code b} = input {@code b}; {@code firstLogits[b]} are
 *       the logits for its first new token.</li>
 *   <li>{@link #reorder(int[])} is a gather along the batch axis of every cache tensor:
 *       new row {@code i} = old row {@code rows[i]}. {@code rows.length} may be smaller (a finished row is dropped)
 *       or larger (beam search expands input {@code b} into {@code beams} rows) than the current row count, and
 *       an old row may be copied several times. Positions and attention masks travel with their rows.</li>
 *   <li>{@link #step(int[])} appends {@code tokens[i]} to row {@code i} (so {@code tokens.length} equals the
 *       current row count) and returns the logits for the next token of every row: {@code float[rows][vocabSize]}.</li>
 * </ul>
 * Rows never interact: the decoders rely on row {@code i}'s logits depending only on row {@code i}'s history.
 */
public interface StepModel {

    /** Size V of the logits vectors (for Qwen2-7B 152064, more than the tokenizer's ids). */
    int vocabSize();

    /** Appends {@code tokens[i]} to row {@code i}; returns next-token logits, shape [rows][V]. */
    float[][] step(int[] tokens);

    /** Gathers cache rows: new row {@code i} = old row {@code rows[i]} (may shrink, grow or duplicate). */
    void reorder(int[] rows);
}
