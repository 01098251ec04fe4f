package org.osum4j.data;

import java.util.List;
import java.util.Objects;
import java.util.random.RandomGenerator;
import java.util.regex.Pattern;

/**
 * One OSUM task: its tag (the key of {@code prompt_config.yaml}, tokens separated by one space, e.g.
 * {@code <TRANSCRIBE> <EMOTION>}), its prompts (one drawn uniformly per training sample), the fixed prompt
 * the demo uses, how its target text is built and which label sets follow the transcript.
 * Building and parsing targets lives in {@link TaskRegistry} (which knows the label sets).
 *
 * @param tag         canonical tag, e.g. {@code <TRANSCRIBE> <EMOTION>}
 * @param name        short name used in papers and reports (ASR, SER, …)
 * @param description one line for humans
 * @param target      layout of the target text
 * @param labels      label-set names appended after the transcript, in order (e.g. AGE, GENDER)
 * @param prompts     the prompts, verbatim; may be empty only for a task whose prompts are unknown
 * @param demoPrompt  the fixed prompt of OSUM's demo ({@code infer_gradio.py}), or null
 */
public record Task(String tag, String name, String description, TargetKind target, List<String> labels,
                   List<String> prompts, String demoPrompt) {

    /** Canonical tag: one or more {@code <WORD>} separated by single spaces. */
    private static final Pattern TAG = Pattern.compile("<[^<>\\s]+>( <[^<>\\s]+>)*");

    /** How the target text of a task is laid out (spec §2.3). */
    public enum TargetKind {
        /** transcript only (ASR) */
        TRANSCRIPT("transcript"),
        /** transcript then one {@code <label>} per label set (SER, SSR, VED, SGC, SAP, …) */
        TRANSCRIPT_LABELS("transcript+labels"),
        /** {@code <label>}s only, no transcript ({@code <AGE> <GENDER>}) */
        LABELS("labels"),
        /** transcript {@code <开始回答>} answer (STTC) */
        TRANSCRIPT_ANSWER("transcript+answer"),
        /** words with start/end times, see {@link Timestamps} (SRWT) */
        TIMESTAMPS("timestamps");

        public final String id;

        TargetKind(String id) {
            this.id = id;
        }

        public static TargetKind of(String id) {
            for (TargetKind k : values()) if (k.id.equals(id) || k.name().equalsIgnoreCase(id)) return k;
            throw new IllegalArgumentException("unknown target kind '" + id + "'; expected one of "
                    + java.util.Arrays.stream(values()).map(k -> k.id).toList());
        }
    }

    public Task {
        Objects.requireNonNull(tag, "tag");
        tag = TaskRegistry.normalizeTag(tag);
        if (!TAG.matcher(tag).matches())
            throw new IllegalArgumentException("task tag '" + tag + "': expected <WORD> tokens separated by spaces");
        Objects.requireNonNull(name, "task " + tag + ": name");
        Objects.requireNonNull(target, "task " + tag + ": target kind");
        description = description == null ? "" : description;
        labels = List.copyOf(labels == null ? List.of() : labels);
        prompts = List.copyOf(prompts == null ? List.of() : prompts);
        boolean wantsLabels = target == TargetKind.TRANSCRIPT_LABELS || target == TargetKind.LABELS;
        if (wantsLabels == labels.isEmpty())
            throw new IllegalArgumentException("task " + tag + ": target '" + target.id + "' "
                    + (wantsLabels ? "needs" : "takes no") + " label sets, got " + labels);
        for (String p : prompts)
            if (p == null || p.isBlank()) throw new IllegalArgumentException("task " + tag + ": blank prompt");
    }

    /** A task from code: tag, name, target kind, label sets and prompts (no demo prompt). */
    public static Task of(String tag, String name, TargetKind target, List<String> labels, List<String> prompts) {
        return new Task(tag, name, "", target, labels, prompts, null);
    }

    public boolean hasPrompts() {
        return !prompts.isEmpty();
    }

    /** Whether the target starts with a transcript (everything but label-only tasks). */
    public boolean hasTranscript() {
        return target != TargetKind.LABELS;
    }

    /** One prompt drawn uniformly, as OSUM's training does. */
    public String randomPrompt(RandomGenerator rng) {
        if (prompts.isEmpty())
            throw new IllegalStateException("task " + tag + " has no prompts (OSUM's are not in the spec); "
                    + "add them with TaskRegistry.with(...) or withFile(...)");
        return prompts.get(rng.nextInt(prompts.size()));
    }

    /** The demo's fixed prompt, else the first prompt: what inference uses by default. */
    public String defaultPrompt() {
        if (demoPrompt != null) return demoPrompt;
        if (prompts.isEmpty()) throw new IllegalStateException("task " + tag + " has no prompts");
        return prompts.get(0);
    }

    /** True if the tag contains the word, e.g. {@code hasWord("CAPTION")}. */
    public boolean hasWord(String word) {
        return tag.contains("<" + word + ">");
    }
}
