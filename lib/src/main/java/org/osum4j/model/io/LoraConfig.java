package org.osum4j.model.io;

import java.util.List;
import java.util.Set;

/**
 * LoRA settings in peft's terms ({@code LoraConfig(r, lora_alpha, lora_dropout, target_modules)}): an
 * adapted linear computes {@code y = x·Wᵀ (+ b) + (alpha/r)·(x·Aᵀ)·Bᵀ}, A [r, in], B [out, r]. Plain
 * record, no ND4J; the adapted layers are {@code org.osum4j.model.LoraLinear}.
 *
 * @param r             rank of A and B
 * @param alpha         peft's lora_alpha; the branch is scaled by alpha / r (not rsLoRA's alpha / √r)
 * @param dropout       dropout on the LoRA input during training (OSUM: 0.1); inactive in eval and in the fixtures
 * @param targetModules module names whose linears get a branch, HF short names ({@code q_proj}, ...)
 */
public record LoraConfig(int r, double alpha, double dropout, Set<String> targetModules) {

    /** Every linear a Qwen2 decoder layer has, so that a typo in a target name is caught. */
    public static final Set<String> QWEN2_LINEARS =
            Set.of("q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj");

    public LoraConfig {
        if (r <= 0) throw new IllegalArgumentException("LoRA rank r must be > 0, got " + r);
        if (!(alpha > 0)) throw new IllegalArgumentException("LoRA alpha must be > 0, got " + alpha);
        if (!(dropout >= 0 && dropout < 1)) throw new IllegalArgumentException("LoRA dropout must be in [0, 1), got " + dropout);
        targetModules = Set.copyOf(targetModules);
        for (String t : targetModules) {
            if (!QWEN2_LINEARS.contains(t)) {
                throw new IllegalArgumentException("LoRA target '" + t + "' is not a Qwen2 linear " + QWEN2_LINEARS);
            }
        }
    }

    /**
     * OSUM's setting (spec §1.6): r 8, alpha 32, dropout 0.1, on q/k/v/o/gate/down. {@code up_proj} is
     * deliberately NOT adapted in OSUM.
     */
    public static LoraConfig osum() {
        return new LoraConfig(8, 32, 0.1, Set.copyOf(List.of("q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "down_proj")));
    }

    /** The factor on the LoRA branch: alpha / r (4 for OSUM). */
    public double scaling() {
        return alpha / r;
    }

    public boolean targets(String module) {
        return targetModules.contains(module);
    }

    public LoraConfig withDropout(double d) {
        return new LoraConfig(r, alpha, d, targetModules);
    }
}
