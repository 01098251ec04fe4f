package org.osum4j.train;

import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Map;
import java.util.Set;
import java.util.random.RandomGenerator;

/**
 * The contract between the {@link Trainer} and a model: its parameters by checkpoint name, and one forward +
 * explicit backward over a batch. The trainer owns the loop, the optimizer, accumulation, clipping,
 * checkpoints and logs; the model owns everything inside a step (collation, SpecSub/SpecAugment when
 * {@code training}, dropout, the loss on target tokens only).
 *
 * <p>Names are the canonical checkpoint names of {@code org.osum4j.model.io.NameMapping} for OSUM
 * ({@code encoder.*}, {@code adapter.*}, {@code speech_embed.weight}, {@code llm.*}, LoRA as
 * {@code llm.….lora_A.weight}/{@code lora_B.weight}); {@link Stages} selects the trainable ones by them.
 *
 * @param <B> the batch type the model consumes
 */
public interface Trainable<B extends Batch> {

    /**
     * Every parameter by canonical name (trainable and frozen), as the live arrays the model computes with:
     * the optimizer updates them in place and {@link Trainer#resume} assigns into them. Stable iteration order.
     */
    Map<String, INDArray> parameters();

    /**
     * Loss and gradients of one (micro-)batch.
     *
     * @param batch     the batch
     * @param trainable names to return gradients for (a subset of {@link #parameters()}); empty for validation,
     *                  where no backward is needed. The model may skip the backward of frozen parts.
     * @param training  true in training: apply SpecSub/SpecAugment and dropout, drawing ALL randomness from
     *                  {@code rng} (never from ND4J's or a private generator, or resume is not exact)
     * @param rng       the trainer's generator, saved in every checkpoint
     * @return the mean loss over the batch's target tokens, the counts, and a gradient for exactly each name
     *         in {@code trainable} (same shape as the parameter; the trainer takes ownership of them)
     */
    StepResult lossAndGradients(B batch, Set<String> trainable, boolean training, RandomGenerator rng);

    /**
     * Called by the trainer after it changed parameters in place (each optimizer step, resume, loadWeights),
     * for models that keep arrays derived from their weights (e.g. unfolded convolution kernels) in step.
     */
    default void parametersChanged() {
    }

    /**
     * The model's configuration as JSON text, written as {@code config.json} beside the weights of each
     * checkpoint so a checkpoint loads on its own; null when there is none.
     */
    default String configJson() {
        return null;
    }

    /**
     * One batch's result.
     *
     * @param loss         mean cross-entropy over the target tokens (prompt and speech positions excluded)
     * @param tokens       target tokens the loss is averaged over
     * @param audioSeconds seconds of audio in the batch (for audio-s/s)
     * @param gradients    d loss / d parameter, by name
     */
    record StepResult(double loss, long tokens, double audioSeconds, Map<String, INDArray> gradients) {
        public StepResult {
            if (tokens < 0 || audioSeconds < 0)
                throw new IllegalArgumentException("step result: negative count (tokens " + tokens + ", audio s " + audioSeconds + ")");
            gradients = gradients == null ? Map.of() : gradients;
        }
    }
}
