package org.osum4j.eval;

import java.util.Optional;
import java.util.Set;

/**
 * One utterance scored: its reference and hypothesis, the transcript alignment, the first-tag labels and the
 * failure flags. Built by {@link ErrorReport}; the transcript part of an ASR+X output is everything before the
 * chat-answer separator, with tags removed by {@link WerTokenizer}.
 */
public record Scored(String key, String task, String ref, String hyp, Alignment alignment,
                     Optional<String> refLabel, Optional<String> hypLabel, Set<OutputFlags.Flag> flags,
                     String speaker, double durationSeconds) {

    /** Whether the task carries a label to classify (its reference has a label tag). */
    public boolean hasLabel() {
        return refLabel.isPresent();
    }

    /** First-tag agreement (OSUM's compute-acc rule). */
    public boolean labelCorrect() {
        return refLabel.isPresent() && hypLabel.isPresent() && refLabel.get().equals(hypLabel.get());
    }

    /** The transcript part of an output: the text before OSUM's chat-answer separator. */
    public static String transcriptPart(String text) {
        if (text == null) return "";
        int i = text.indexOf(OutputFlags.ANSWER_SEPARATOR);
        return i < 0 ? text : text.substring(0, i);
    }

    /** The chat answer (after the separator), or empty. */
    public static Optional<String> answerPart(String text) {
        if (text == null) return Optional.empty();
        int i = text.indexOf(OutputFlags.ANSWER_SEPARATOR);
        return i < 0 ? Optional.empty() : Optional.of(text.substring(i + OutputFlags.ANSWER_SEPARATOR.length()).trim());
    }
}
