package org.osum4j.infer.decode;

import java.util.ArrayList;
import java.util.List;

/**
 * The logit filters for one {@link DecodingOptions}, in HF's order: processors (repetition penalty, min new tokens;
 * then our loop guard) run for every strategy; warpers (temperature, top-k, top-p) only for the sampling ones.
 * In beam sampling with more than one beam, top-k/top-p keep at least 2 tokens (HF: one non-eos per beam).
 */
public record FilterChain(List<LogitFilter> processors, List<LogitFilter> warpers) {

    public FilterChain {
        processors = List.copyOf(processors);
        warpers = List.copyOf(warpers);
    }

    public static FilterChain of(DecodingOptions o) {
        List<LogitFilter> proc = new ArrayList<>();
        if (o.repetitionPenalty() != 1.0) proc.add(new RepetitionPenalty(o.repetitionPenalty()));
        if (o.minNewTokens() > 0 && o.eosId() >= 0) proc.add(new MinNewTokens(o.minNewTokens(), o.eosId()));
        if (o.loopGuard() != null) proc.add(o.loopGuard());
        List<LogitFilter> warp = new ArrayList<>();
        if (o.strategy().samples()) {
            int minKeep = o.beams() > 1 ? 2 : 1;
            if (o.temperature() != 1.0) warp.add(new Temperature(o.temperature()));
            if (o.topK() > 0) warp.add(new TopK(o.topK(), minKeep));
            if (o.topP() < 1.0) warp.add(new TopP(o.topP(), minKeep));
        }
        return new FilterChain(proc, warp);
    }

    /** Runs processors then warpers on {@code scores} in place. */
    public void apply(float[] scores, int[] generated) {
        for (LogitFilter f : processors) f.apply(scores, generated);
        for (LogitFilter f : warpers) f.apply(scores, generated);
    }
}
