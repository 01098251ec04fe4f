package org.osum4j.data;

import org.osum4j.text.TextNorm;
import org.osum4j.text.Tokenizer;

import java.util.Arrays;
import java.util.random.RandomGenerator;

/**
 * OSUM's {@code tokenize} step (spec §2.3, §3.2): from an {@link Utterance} to prompt ids and target ids.
 * The target is the item's {@code txt} with fine style labels mapped (tasks with {@code <STYLE>}),
 * normalised by {@link TextNorm#processText}, tokenised without special tokens, plus {@code <|endoftext|>}.
 * The prompt is drawn uniformly from the task's prompts (or {@code extra.question} when asked, as at
 * inference) and tokenised verbatim. Items with {@code <None>} targets, unknown tasks or tasks without
 * prompts are skipped and counted. Audio is not touched here.
 */
public final class Examples {

    public static final String DROPPED_NONE = "<None> target";
    public static final String UNKNOWN_TASK = "unknown task";
    public static final String NO_PROMPTS = "task has no prompts";
    public static final String NO_TEXT = "no txt";

    /** One tokenised item. Arrays are owned by the record; do not modify. */
    public record Example(String key, String task, String prompt, long[] promptIds, String target, long[] targetIds) {

        /** The sizes filtering and batching need, once the frame count is known. */
        public Sample toSample(int frames) {
            return Sample.of(key, task, frames, promptIds.length, targetIds.length);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Example e && key.equals(e.key) && task.equals(e.task) && prompt.equals(e.prompt)
                    && Arrays.equals(promptIds, e.promptIds) && target.equals(e.target) && Arrays.equals(targetIds, e.targetIds);
        }

        @Override
        public int hashCode() {
            return key.hashCode() * 31 + Arrays.hashCode(targetIds);
        }

        @Override
        public String toString() {
            return "Example[" + key + ", " + task + ", prompt " + promptIds.length + " tokens, target '" + target + "' "
                    + targetIds.length + " tokens]";
        }
    }

    private final TaskRegistry tasks;
    private final Tokenizer tokenizer;
    private final boolean useQuestion;

    /** @param useQuestion take {@code extra.question} as the prompt when present (inference), else a random prompt (training) */
    public Examples(TaskRegistry tasks, Tokenizer tokenizer, boolean useQuestion) {
        this.tasks = tasks;
        this.tokenizer = tokenizer;
        this.useQuestion = useQuestion;
    }

    /** The example, or null when the item is skipped (counted in {@code report}). */
    public Example build(Utterance u, RandomGenerator rng, Report report) {
        report.seen();
        String tag = u.taskTag();
        if (!tasks.has(tag)) {
            report.skip(UNKNOWN_TASK, u.key(), tag);
            return null;
        }
        Task task = tasks.get(tag);
        String prompt = useQuestion && u.question() != null ? u.question() : null;
        if (prompt == null) {
            if (!task.hasPrompts()) {
                report.skip(NO_PROMPTS, u.key(), tag);
                return null;
            }
            prompt = task.randomPrompt(rng);
        }
        if (u.txt() == null) {
            report.skip(NO_TEXT, u.key(), "");
            return null;
        }
        if (TaskRegistry.isDropped(u.txt())) {
            report.skip(DROPPED_NONE, u.key(), u.txt());
            return null;
        }
        String target = TextNorm.processText(tasks.applyAliases(task, u.txt()));
        report.kept();
        return new Example(u.key(), tag, prompt, tokenizer.encode(prompt), target, targetIds(target));
    }

    /**
     * Ids of the transcript part of an example's target (tags, timestamps and the chat answer removed), as the
     * CTC objective reads them; empty when the target does not parse for its task.
     */
    public long[] transcriptIds(Example e) {
        String transcript;
        try {
            transcript = tasks.parse(tasks.get(e.task()), e.target()).transcript();
        } catch (IllegalArgumentException notParsed) {
            return new long[0];
        }
        return transcript.isBlank() ? new long[0] : tokenizer.encode(transcript.strip());
    }

    /** Ids of a normalised target text plus the end-of-text id. */
    public long[] targetIds(String normalisedTarget) {
        long[] ids = tokenizer.encode(normalisedTarget);
        long[] out = Arrays.copyOf(ids, ids.length + 1);
        out[ids.length] = tokenizer.endOfTextId();
        return out;
    }
}
