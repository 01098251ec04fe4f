package org.osum4j.infer;

import org.osum4j.data.TaskRegistry;
import org.osum4j.data.Timestamps;

import java.util.List;
import java.util.Objects;

/**
 * A model output (or a reference target) split by its task's layout: the transcript without tags and
 * timestamps, the labels in task order, the timed words of SRWT and the chat answer. A malformed output keeps
 * its raw text and whatever could be recovered, with the reason; it is never dropped. Made by {@link OutputParser}.
 *
 * @param task       canonical task tag the text was parsed for
 * @param raw        the text as the model wrote it
 * @param transcript words only (tags and timestamps removed), trimmed; empty for label-only tasks
 * @param labels     labels in task order, canonical where the label set knows them, else as written
 * @param words      SRWT words with times (empty for other tasks, or when the timestamps are broken)
 * @param answer     STTC answer (text after {@code <开始回答>}), empty for other tasks
 * @param problem    why the text does not fit the task, or null when it does
 */
public record ParsedOutput(String task, String raw, String transcript, List<String> labels,
                           List<Timestamps.Word> words, String answer, String problem) {

    public ParsedOutput {
        Objects.requireNonNull(task, "task");
        raw = raw == null ? "" : raw;
        transcript = transcript == null ? "" : transcript;
        labels = List.copyOf(labels == null ? List.of() : labels);
        words = List.copyOf(words == null ? List.of() : words);
        answer = answer == null ? "" : answer;
    }

    /** Whether the text does not have the task's layout ({@link #problem()} says why). */
    public boolean malformed() {
        return problem != null;
    }

    /** The first label (OSUM's compute-acc rule scores this one), or null. */
    public String label() {
        return labels.isEmpty() ? null : labels.get(0);
    }

    /** The label of the {@code i}-th label set, or null when the output has fewer labels. */
    public String label(int i) {
        return i < labels.size() ? labels.get(i) : null;
    }

    /** The parts as {@code data}'s target record (what {@code org.osum4j.eval} scores). */
    public TaskRegistry.ParsedTarget target() {
        return new TaskRegistry.ParsedTarget(transcript, labels, answer, words);
    }
}
