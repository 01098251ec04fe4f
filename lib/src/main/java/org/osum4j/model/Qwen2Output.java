package org.osum4j.model;

import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.List;

/**
 * What a Qwen2 forward returns, in HF's {@code output_hidden_states} convention.
 *
 * @param logits       [B, L, V]
 * @param hiddenStates N+1 tensors [B, L, D] when requested (else empty): entry 0 = the input embeddings,
 *                     entry i = output of layer i−1, and the last entry is after the final norm (it replaces
 *                     the raw output of the last layer, as in HF)
 * @param lastHidden   [B, L, D] after the final norm
 */
public record Qwen2Output(INDArray logits, List<INDArray> hiddenStates, INDArray lastHidden) {
}
