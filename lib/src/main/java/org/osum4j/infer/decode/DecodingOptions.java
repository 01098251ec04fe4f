package org.osum4j.infer.decode;

/**
 * Frozen decoding settings, in the spirit of Whisper's {@code DecodingOptions}. Factories give the usual
 * strategies, {@code withX} copies change one field; the constructor rejects inconsistent settings with a message.
 * {@link #osumBeamSample(long)} reproduces OSUM's {@code llama_model.generate(...)} call (spec §5).
 *
 * @param strategy          which token decoder runs
 * @param beams             beams per input; 1 for GREEDY and SAMPLING
 * @param temperature       > 0; divides the scores, sampling strategies only (HF ignores it without do_sample)
 * @param topK              0 = off; sampling strategies only
 * @param topP              1 = off, else in (0, 1); sampling strategies only
 * @param repetitionPenalty 1 = off; HF semantics over generated tokens ({@link RepetitionPenalty})
 * @param lengthPenalty     beam strategies: a finished hypothesis scores sum_logprobs / length^lengthPenalty
 * @param maxNewTokens      hard limit on generated tokens, eos included (OSUM: 400)
 * @param minNewTokens      eos is forbidden before this many tokens ({@link MinNewTokens})
 * @param eosId             end-of-sequence id, -1 for none (Qwen2 {@code <|endoftext|>} = 151643)
 * @param seed              sampling strategies: input b draws from {@code new SplittableRandom(seed + b)}
 * @param loopGuard         optional repetition guard, null = off (not in HF; see {@link LoopGuard})
 */
public record DecodingOptions(
        Strategy strategy,
        int beams,
        double temperature,
        int topK,
        double topP,
        double repetitionPenalty,
        double lengthPenalty,
        int maxNewTokens,
        int minNewTokens,
        int eosId,
        long seed,
        LoopGuard loopGuard) {

    /** The token decoders. BEAM_SAMPLE is HF's {@code num_beams > 1, do_sample=True}. */
    public enum Strategy {
        GREEDY, SAMPLING, BEAM, BEAM_SAMPLE;

        boolean samples() {
            return this == SAMPLING || this == BEAM_SAMPLE;
        }

        boolean usesBeams() {
            return this == BEAM || this == BEAM_SAMPLE;
        }
    }

    /** Qwen2 {@code <|endoftext|>}, OSUM's eos (hard-coded in its generate call). */
    public static final int QWEN2_EOS = 151643;
    /** OSUM's {@code max_new_tokens} (its {@code max_length} config key). */
    public static final int OSUM_MAX_NEW_TOKENS = 400;

    public DecodingOptions {
        if (strategy == null) throw new IllegalArgumentException("decoding strategy is null");
        if (beams < 1) throw new IllegalArgumentException("beams must be >= 1, got " + beams);
        if (!strategy.usesBeams() && beams != 1) {
            throw new IllegalArgumentException(strategy + " decodes one sequence per input, got beams = " + beams
                    + " (use BEAM or BEAM_SAMPLE)");
        }
        if (!(temperature > 0) || Double.isInfinite(temperature)) {
            throw new IllegalArgumentException("temperature must be a finite number > 0, got " + temperature
                    + " (for deterministic decoding use DecodingOptions.greedy() or beam(n))");
        }
        if (topK < 0) throw new IllegalArgumentException("topK must be >= 0 (0 = off), got " + topK);
        if (!(topP > 0 && topP <= 1)) throw new IllegalArgumentException("topP must be in (0, 1] (1 = off), got " + topP);
        if (!(repetitionPenalty > 0) || Double.isInfinite(repetitionPenalty)) {
            throw new IllegalArgumentException("repetitionPenalty must be a finite number > 0 (1 = off), got " + repetitionPenalty);
        }
        if (!Double.isFinite(lengthPenalty)) throw new IllegalArgumentException("lengthPenalty must be finite, got " + lengthPenalty);
        if (maxNewTokens < 1) throw new IllegalArgumentException("maxNewTokens must be >= 1, got " + maxNewTokens);
        if (minNewTokens < 0 || minNewTokens > maxNewTokens) {
            throw new IllegalArgumentException("minNewTokens must be in [0, maxNewTokens=" + maxNewTokens + "], got " + minNewTokens);
        }
        if (eosId < -1) throw new IllegalArgumentException("eosId must be >= 0, or -1 for none, got " + eosId);
        if (loopGuard != null && loopGuard.action() == LoopGuard.Action.STOP && loopGuard.eosId() != eosId) {
            throw new IllegalArgumentException("loop guard stops with eos " + loopGuard.eosId() + " but eosId is " + eosId);
        }
    }

    /** Argmax at every step (HF {@code do_sample=False, num_beams=1}); Qwen2 eos, 400 tokens. */
    public static DecodingOptions greedy() {
        return new DecodingOptions(Strategy.GREEDY, 1, 1.0, 0, 1.0, 1.0, 1.0, OSUM_MAX_NEW_TOKENS, 0, QWEN2_EOS, 0L, null);
    }

    /** Deterministic HF beam search with {@code n} beams, length penalty 1, early_stopping=False. */
    public static DecodingOptions beam(int n) {
        return greedy().withStrategy(Strategy.BEAM, n);
    }

    /** Ancestral sampling with temperature, top-k (0 = off) and top-p (1 = off), seeded. */
    public static DecodingOptions sampling(double temperature, int topK, double topP, long seed) {
        return new DecodingOptions(Strategy.SAMPLING, 1, temperature, topK, topP, 1.0, 1.0, OSUM_MAX_NEW_TOKENS, 0,
                QWEN2_EOS, seed, null);
    }

    /**
     * OSUM's generate call: {@code num_beams=4, do_sample=True, top_k=5, top_p=0.9, temperature=1.0,
     * repetition_penalty=1.05, length_penalty=1.0, min_length=1, eos_token_id=151643, max_new_tokens=400}.
     * minNewTokens is 0, not 1: with {@code inputs_embeds} HF lowers min_length by the embeddings' length
     * ({@code max(1 - L, 0) = 0}), so OSUM never forbids an immediate eos.
     */
    public static DecodingOptions osumBeamSample(long seed) {
        return new DecodingOptions(Strategy.BEAM_SAMPLE, 4, 1.0, 5, 0.9, 1.05, 1.0, OSUM_MAX_NEW_TOKENS, 0,
                QWEN2_EOS, seed, null);
    }

    public DecodingOptions withStrategy(Strategy s, int nBeams) {
        return new DecodingOptions(s, nBeams, temperature, topK, topP, repetitionPenalty, lengthPenalty, maxNewTokens,
                minNewTokens, eosId, seed, loopGuard);
    }

    public DecodingOptions withBeams(int n) {
        return withStrategy(strategy, n);
    }

    public DecodingOptions withTemperature(double t) {
        return new DecodingOptions(strategy, beams, t, topK, topP, repetitionPenalty, lengthPenalty, maxNewTokens,
                minNewTokens, eosId, seed, loopGuard);
    }

    public DecodingOptions withTopK(int k) {
        return new DecodingOptions(strategy, beams, temperature, k, topP, repetitionPenalty, lengthPenalty, maxNewTokens,
                minNewTokens, eosId, seed, loopGuard);
    }

    public DecodingOptions withTopP(double p) {
        return new DecodingOptions(strategy, beams, temperature, topK, p, repetitionPenalty, lengthPenalty, maxNewTokens,
                minNewTokens, eosId, seed, loopGuard);
    }

    public DecodingOptions withRepetitionPenalty(double penalty) {
        return new DecodingOptions(strategy, beams, temperature, topK, topP, penalty, lengthPenalty, maxNewTokens,
                minNewTokens, eosId, seed, loopGuard);
    }

    public DecodingOptions withLengthPenalty(double lp) {
        return new DecodingOptions(strategy, beams, temperature, topK, topP, repetitionPenalty, lp, maxNewTokens,
                minNewTokens, eosId, seed, loopGuard);
    }

    public DecodingOptions withMaxNewTokens(int n) {
        return new DecodingOptions(strategy, beams, temperature, topK, topP, repetitionPenalty, lengthPenalty, n,
                Math.min(minNewTokens, n), eosId, seed, loopGuard);
    }

    public DecodingOptions withMinNewTokens(int n) {
        return new DecodingOptions(strategy, beams, temperature, topK, topP, repetitionPenalty, lengthPenalty, maxNewTokens,
                n, eosId, seed, loopGuard);
    }

    public DecodingOptions withEosId(int id) {
        LoopGuard g = loopGuard != null && loopGuard.action() == LoopGuard.Action.STOP
                ? LoopGuard.stop(loopGuard.maxNgram(), loopGuard.repeats(), id) : loopGuard;
        return new DecodingOptions(strategy, beams, temperature, topK, topP, repetitionPenalty, lengthPenalty, maxNewTokens,
                minNewTokens, id, seed, g);
    }

    public DecodingOptions withSeed(long s) {
        return new DecodingOptions(strategy, beams, temperature, topK, topP, repetitionPenalty, lengthPenalty, maxNewTokens,
                minNewTokens, eosId, s, loopGuard);
    }

    public DecodingOptions withLoopGuard(LoopGuard g) {
        return new DecodingOptions(strategy, beams, temperature, topK, topP, repetitionPenalty, lengthPenalty, maxNewTokens,
                minNewTokens, eosId, seed, g);
    }
}
