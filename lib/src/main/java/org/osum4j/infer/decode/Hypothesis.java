package org.osum4j.infer.decode;

import java.util.Arrays;

/**
 * One decoded sequence: the new tokens only (the prompt is not repeated), as HF {@code generate} returns them
 * with {@code inputs_embeds}: when the sequence stopped at eos, eos is its last token.
 *
 * @param tokens        generated ids, eos included when {@code stopReason} is {@link #EOS} or {@link #LOOP}
 * @param score         the strategy's ranking score: beam strategies use HF's
 *                      {@code sum(processed log-probs) / length^lengthPenalty}; greedy and sampling report the
 *                      plain sum of {@code tokenLogprobs}
 * @param tokenLogprobs per token, its log-probability under the unmodified model distribution
 *                      ({@code log_softmax(logits)}, before penalties and warpers); same length as {@code tokens}
 * @param stopReason    {@link #EOS}, {@link #MAX_NEW_TOKENS} or {@link #LOOP} (eos forced by a stopping
 *                      {@link LoopGuard})
 */
public record Hypothesis(int[] tokens, double score, double[] tokenLogprobs, String stopReason) {

    public static final String EOS = "eos";
    public static final String MAX_NEW_TOKENS = "max_new_tokens";
    public static final String LOOP = "loop_guard";

    public Hypothesis {
        if (tokens.length != tokenLogprobs.length) {
            throw new IllegalArgumentException("hypothesis: " + tokens.length + " tokens but " + tokenLogprobs.length + " log-probs");
        }
    }

    /** The tokens to detokenize: without the trailing eos. */
    public int[] textTokens() {
        boolean endsWithEos = EOS.equals(stopReason) || LOOP.equals(stopReason);
        return endsWithEos ? Arrays.copyOf(tokens, tokens.length - 1) : tokens.clone();
    }

    /** Sum of {@link #tokenLogprobs}: the model's log-probability of the whole sequence. */
    public double sumLogprob() {
        double s = 0;
        for (double lp : tokenLogprobs) s += lp;
        return s;
    }

    @Override
    public String toString() {
        return "Hypothesis[tokens=" + Arrays.toString(tokens) + ", score=" + score + ", stop=" + stopReason + "]";
    }
}
