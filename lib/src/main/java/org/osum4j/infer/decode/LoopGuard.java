package org.osum4j.infer.decode;

/**
 * An optional guard against OSUM's known failure mode, a phrase repeated until max_new_tokens (spec §5). Not part
 * of HF. A "loop" is the generated tokens ending with {@code repeats} consecutive copies of one n-gram,
 * {@code 1 <= n <= maxNgram}.
 * <ul>
 *   <li>{@link Action#BAN}: before a token would complete a loop, that token gets {@code -inf} (for each n the
 *       only such token is the one n positions back), so the model must leave the loop.</li>
 *   <li>{@link Action#STOP}: once the tokens end in a loop, every token but eos gets {@code -inf}; the sequence
 *       ends with eos and stop reason {@link Hypothesis#LOOP}. The repeats stay in the output.</li>
 * </ul>
 * Example: {@code LoopGuard.stop(8, 4)} ends "a b c a b c a b c a b c" after the 4th "a b c". Pick {@code repeats}
 * high enough for legitimate repetition (e.g. "哈哈哈").
 */
public record LoopGuard(int maxNgram, int repeats, Action action, int eosId) implements LogitFilter {

    public enum Action { BAN, STOP }

    public LoopGuard {
        if (maxNgram < 1) throw new IllegalArgumentException("loop guard maxNgram must be >= 1, got " + maxNgram);
        if (repeats < 2) throw new IllegalArgumentException("loop guard repeats must be >= 2, got " + repeats);
        if (action == null) throw new IllegalArgumentException("loop guard action is null");
        if (action == Action.STOP && eosId < 0) {
            throw new IllegalArgumentException("a STOP loop guard needs an eos id, got " + eosId);
        }
    }

    /** Stops with eos once the last n-gram (n <= maxNgram) has occurred {@code repeats} times in a row. */
    public static LoopGuard stop(int maxNgram, int repeats, int eosId) {
        return new LoopGuard(maxNgram, repeats, Action.STOP, eosId);
    }

    /** Forbids the token that would make the last n-gram occur {@code repeats} times in a row. */
    public static LoopGuard ban(int maxNgram, int repeats) {
        return new LoopGuard(maxNgram, repeats, Action.BAN, -1);
    }

    @Override
    public void apply(float[] scores, int[] generated) {
        int len = generated.length;
        if (action == Action.STOP) {
            if (loops(generated, len) && eosId < scores.length) {
                float eos = scores[eosId];
                java.util.Arrays.fill(scores, Float.NEGATIVE_INFINITY);
                scores[eosId] = eos == Float.NEGATIVE_INFINITY ? 0f : eos;
            }
            return;
        }
        for (int n = 1; n <= maxNgram && n <= len; n++) {
            if (len + 1 < repeats * n) break;
            int next = generated[len - n]; // the only token continuing period n
            if (periodic(generated, len, n, len + 1 - repeats * n + n, len - 1) && next < scores.length) {
                scores[next] = Float.NEGATIVE_INFINITY;
            }
        }
    }

    /** Whether the first {@code len} tokens end with {@code repeats} copies of some n-gram, n <= maxNgram. */
    public boolean loops(int[] tokens, int len) {
        for (int n = 1; n <= maxNgram; n++) {
            if (len < repeats * n) break;
            if (periodic(tokens, len, n, len - repeats * n + n, len - 1)) return true;
        }
        return false;
    }

    /** tokens[j] == tokens[j - n] for every j in [from, to] (to < len). */
    private static boolean periodic(int[] tokens, int len, int n, int from, int to) {
        for (int j = from; j <= to; j++) {
            if (tokens[j] != tokens[j - n]) return false;
        }
        return true;
    }
}
