/**
 * Token decoding for the speech LLM, independent of the model: plain {@code float[]} logits in, token ids out.
 * It is not the model, the tokenizer or the prompt builder; those live in {@code org.osum4j.model} and
 * {@code org.osum4j.infer}.
 *
 * <p>Parts, in the order a step uses them (after openai/whisper {@code decoding.py}):
 * {@link org.osum4j.infer.decode.DecodingOptions} (frozen settings) →
 * {@link org.osum4j.infer.decode.FilterChain} of {@link org.osum4j.infer.decode.LogitFilter}s
 * (repetition penalty, min new tokens, loop guard; temperature, top-k, top-p) →
 * a {@link org.osum4j.infer.decode.TokenDecoder} (greedy, sampling, beam search, beam sampling) →
 * the one loop in {@link org.osum4j.infer.decode.Decoding#run}, which drives a
 * {@link org.osum4j.infer.decode.StepModel} → {@link org.osum4j.infer.decode.Hypothesis} per input.
 *
 * <p>Plugging in Qwen2 + KV cache: prefill {@code [prompt][speech bos][speech][speech eos]} embeddings for B
 * inputs, keep the cache with one row per input, pass the last-position logits as {@code firstLogits [B][V]};
 * implement {@code step} as one cached forward of B' new tokens (positions continue per row) and {@code reorder}
 * as an index-select of every layer's K/V (and of per-row positions/masks) along the batch axis.
 * {@link org.osum4j.infer.decode.GreedyReplayParity} checks the greedy path against OSUM's own generate.
 */
package org.osum4j.infer.decode;
