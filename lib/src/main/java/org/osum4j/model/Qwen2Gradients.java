package org.osum4j.model;

import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Predicate;

/**
 * The result of one Qwen2 training step: the loss, dL/d(parameter) under the checkpoint's tensor names
 * (only for the parameters the {@code trainable} predicate selects), and dL/d(inputs_embeds) — the
 * gradient that trains whatever produced the embeddings (OSUM's speech adapter) through a frozen LLM.
 * Not an optimizer; {@code train} owns that.
 */
public final class Qwen2Gradients {

    private final Predicate<String> trainable;
    private final Map<String, INDArray> grads = new LinkedHashMap<>();
    private double loss = Double.NaN;
    private long tokens;
    private INDArray inputsEmbeds;                 // [B, L, D]

    Qwen2Gradients(Predicate<String> trainable) {
        this.trainable = trainable;
    }

    /** Whether a gradient for this parameter name is wanted. */
    boolean wants(String name) {
        return name != null && trainable.test(name);
    }

    /** Adds {@code g} to the gradient of {@code name} (a tensor can get several contributions: tied embeddings). */
    void accumulate(String name, INDArray g) {
        INDArray prev = grads.get(name);
        if (prev == null) grads.put(name, g);
        else prev.addi(g);
    }

    void setLoss(double loss, long tokens) {
        this.loss = loss;
        this.tokens = tokens;
    }

    void setInputsEmbeds(INDArray g) {
        this.inputsEmbeds = g;
    }

    /** Mean cross-entropy over the counted (label ≠ −100) tokens. */
    public double loss() {
        return loss;
    }

    /** How many tokens the loss averages over. */
    public long tokens() {
        return tokens;
    }

    /** dL/dW by checkpoint tensor name, in the order they were produced (read-only view). */
    public Map<String, INDArray> byName() {
        return Collections.unmodifiableMap(grads);
    }

    /** The gradient of one parameter, or an error naming what there is. */
    public INDArray get(String name) {
        INDArray g = grads.get(name);
        if (g == null) throw new IllegalArgumentException("no gradient for '" + name + "' (have " + grads.size() + ": "
                + (grads.size() <= 8 ? grads.keySet() : "…") + ")");
        return g;
    }

    /** dL/d(inputs_embeds) [B, L, D]. */
    public INDArray inputsEmbeds() {
        return inputsEmbeds;
    }
}
