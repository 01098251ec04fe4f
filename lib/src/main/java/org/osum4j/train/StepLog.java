package org.osum4j.train;

import java.util.List;

/**
 * One optimizer step as logged (a row of {@code train.csv} / {@code train.jsonl}).
 *
 * @param step                  1-based optimizer step
 * @param loss                  mean of the micro-batch losses (each a mean over target tokens); NaN/∞ when skipped for it
 * @param lr                    the learning rate of this step
 * @param gradNorm              global L2 norm of the averaged gradient before clipping
 * @param tokens                target tokens in the step's micro-batches
 * @param audioSeconds          audio seconds in the step's micro-batches
 * @param tokensPerSecond       target tokens per wall-clock second of this step
 * @param audioSecondsPerSecond audio seconds per wall-clock second of this step
 * @param skipped               true when the step was not applied (non-finite loss or gradient)
 * @param keys                  utterance keys of the step's batches
 */
public record StepLog(long step, double loss, double lr, double gradNorm, long tokens, double audioSeconds,
                      double tokensPerSecond, double audioSecondsPerSecond, boolean skipped, List<String> keys) {
    public StepLog {
        keys = List.copyOf(keys);
    }
}
