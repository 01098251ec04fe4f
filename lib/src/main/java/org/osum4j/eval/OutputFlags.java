package org.osum4j.eval;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.Deflater;

/**
 * Flags for the failure modes users of speech LLMs report, computed from one output (and, where needed, its
 * reference and the task's label vocabulary). A flag marks an utterance to look at; it is not a score.
 */
public final class OutputFlags {

    /** What can be wrong with one output. */
    public enum Flag {
        /** Nothing but white space (and tags) was produced. */
        EMPTY,
        /** The same 1–4-token phrase repeats at least {@link #MIN_REPEATS} times in a row. */
        REPETITION_LOOP,
        /** zlib compression ratio above {@link #MAX_COMPRESSION_RATIO} (Whisper's hallucination heuristic). */
        HIGH_COMPRESSION_RATIO,
        /** The task expects a label tag and the output has none. */
        MISSING_TAG,
        /** More tags than the task's reference carries. */
        EXTRA_TAG,
        /** The first tag is not in the task's label vocabulary. */
        LABEL_OUT_OF_VOCABULARY,
        /** A non-chat task produced a chat answer (the answer separator) instead of a transcript. */
        ANSWER_INSTEAD_OF_TRANSCRIPT
    }

    /** Whisper's threshold: outputs that compress better than this are usually loops. */
    public static final double MAX_COMPRESSION_RATIO = 2.4;
    /** Consecutive repeats of one phrase that count as a loop. */
    public static final int MIN_REPEATS = 4;
    /** OSUM's speech-to-text-chat separator. */
    public static final String ANSWER_SEPARATOR = "<开始回答>";

    private static final Pattern TAG = Pattern.compile("<([^<>]*)>");

    private OutputFlags() {}

    /**
     * Flags one output.
     *
     * @param hyp        the model's output text
     * @param ref        the reference target (may be null: tag-count checks are then skipped)
     * @param chatTask   whether the task is speech-to-text chat (the separator is expected there)
     * @param labels     the task's label vocabulary, lower-case (empty when the task has no label)
     */
    public static Set<Flag> of(String hyp, String ref, boolean chatTask, Set<String> labels) {
        EnumSet<Flag> flags = EnumSet.noneOf(Flag.class);
        String h = hyp == null ? "" : hyp;
        List<String> words = WerTokenizer.tokens(h);
        if (words.isEmpty() && tags(h).isEmpty()) flags.add(Flag.EMPTY);
        if (longestRepeat(words) >= MIN_REPEATS) flags.add(Flag.REPETITION_LOOP);
        if (compressionRatio(h) > MAX_COMPRESSION_RATIO) flags.add(Flag.HIGH_COMPRESSION_RATIO);
        List<String> hypTags = labelTags(h);
        if (!labels.isEmpty()) {
            if (hypTags.isEmpty()) flags.add(Flag.MISSING_TAG);
            else if (!labels.contains(hypTags.get(0).toLowerCase(Locale.ROOT))) flags.add(Flag.LABEL_OUT_OF_VOCABULARY);
        }
        if (ref != null && hypTags.size() > labelTags(ref).size()) flags.add(Flag.EXTRA_TAG);
        if (!chatTask && h.contains(ANSWER_SEPARATOR)) flags.add(Flag.ANSWER_INSTEAD_OF_TRANSCRIPT);
        return flags;
    }

    /** Tag contents in order of appearance. */
    static List<String> tags(String text) {
        List<String> out = new ArrayList<>();
        Matcher m = TAG.matcher(text);
        while (m.find()) out.add(m.group(1).trim());
        return out;
    }

    /** Tags that are labels: not the answer separator and not timestamps such as {@code <1.2>}. */
    static List<String> labelTags(String text) {
        List<String> out = new ArrayList<>();
        for (String t : tags(text)) {
            if (t.equals("开始回答") || t.matches("\\d+(\\.\\d+)?")) continue;
            out.add(t);
        }
        return out;
    }

    /** UTF-8 bytes / zlib-compressed bytes (as Whisper's compression_ratio); 0 for empty text. */
    public static double compressionRatio(String text) {
        byte[] b = text.getBytes(StandardCharsets.UTF_8);
        if (b.length == 0) return 0;
        Deflater d = new Deflater();
        d.setInput(b);
        d.finish();
        byte[] buf = new byte[b.length + 64];
        int n = 0;
        while (!d.finished()) n += d.deflate(buf, n, buf.length - n);
        d.end();
        return (double) b.length / (n + 6);   // + zlib header (2) and Adler-32 trailer (4), as zlib.compress
    }

    /** The largest number of consecutive repeats of any phrase of 1–4 tokens. */
    static int longestRepeat(List<String> w) {
        int best = w.isEmpty() ? 0 : 1;
        for (int n = 1; n <= 4; n++) {
            for (int start = 0; start + n <= w.size(); start++) {
                int reps = 1;
                int pos = start + n;
                while (pos + n <= w.size() && w.subList(pos, pos + n).equals(w.subList(start, start + n))) {
                    reps++;
                    pos += n;
                }
                best = Math.max(best, reps);
            }
        }
        return best;
    }
}
