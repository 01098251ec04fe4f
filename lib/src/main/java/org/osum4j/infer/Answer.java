package org.osum4j.infer;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One model answer: a task asked of one utterance, with the prompt it was given, the raw text, that text
 * parsed for the task (malformed outputs kept and flagged), the generated ids and the decoder's score. For
 * audio split into windows ({@link Windows}) the text, ids and score are those of the windows joined.
 * It is a result, not a reference: scoring is {@code org.osum4j.eval}.
 *
 * @param task       canonical task tag
 * @param prompt     the prompt text the model saw
 * @param text       decoded output, special tokens skipped
 * @param parsed     {@code text} parsed for the task
 * @param tokens     generated ids without the final eos (all windows, in order)
 * @param score      the strategy's score ({@code Hypothesis.score}), summed over windows
 * @param stopReason the last window's stop reason ({@code eos}, {@code max_new_tokens}, {@code loop_guard})
 * @param windows    how many windows the audio was decoded in
 * @param timing     audio_s, encode_ms (this utterance's encoder + adapter), decode_ms (its share of its
 *                   batches' prefill + decoding), new_tokens
 */
public record Answer(String task, String prompt, String text, ParsedOutput parsed, long[] tokens, double score,
                     String stopReason, int windows, Map<String, Double> timing) {

    public Answer {
        timing = Collections.unmodifiableMap(new LinkedHashMap<>(timing));
    }

    /** Whether the parser flagged the output. */
    public boolean malformed() {
        return parsed.malformed();
    }

    /** The result-file entry of this answer for utterance {@code key} ({@code ref} may be null). */
    public Results.Entry entry(String key, String ref) {
        return new Results.Entry(key, task, prompt, parsed, ref, timing);
    }

    @Override
    public String toString() {
        return "Answer[" + task + " '" + text + "'" + (malformed() ? " MALFORMED: " + parsed.problem() : "") + ", score "
                + String.format(java.util.Locale.ROOT, "%.4f", score) + "]";
    }
}
