package org.osum4j.infer.decode;

/**
 * HF {@code RepetitionPenaltyLogitsProcessor} (CTRL paper): for every distinct id already generated, a score
 * {@code < 0} is multiplied by the penalty and any other score divided by it, in float32. Duplicates in the history
 * count once. With {@code inputs_embeds} (OSUM) only generated ids are penalised, never the prompt.
 */
public record RepetitionPenalty(double penalty) implements LogitFilter {

    public RepetitionPenalty {
        if (!(penalty > 0) || Double.isInfinite(penalty)) {
            throw new IllegalArgumentException("repetition penalty must be a finite number > 0, got " + penalty);
        }
    }

    @Override
    public void apply(float[] scores, int[] generated) {
        float p = (float) penalty; // torch casts the Python scalar to the tensor's float32
        int[] ids = generated.clone();
        java.util.Arrays.sort(ids); // each distinct id once, without a [V] scratch array
        for (int i = 0; i < ids.length; i++) {
            int id = ids[i];
            if (id < 0 || id >= scores.length || (i > 0 && ids[i - 1] == id)) continue;
            float s = scores[id];
            scores[id] = s < 0 ? s * p : s / p;
        }
    }
}
