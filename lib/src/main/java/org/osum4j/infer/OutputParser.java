package org.osum4j.infer;

import org.osum4j.data.LabelSet;
import org.osum4j.data.Task;
import org.osum4j.data.TaskRegistry;
import org.osum4j.data.Timestamps;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads a model output (or a reference target) for its task: transcript, labels, SRWT timed words, chat
 * answer. Unlike {@link TaskRegistry#parse}, which rejects text that does not fit, this parser never throws on
 * model text: it recovers what it can and marks the output malformed with a reason (missing or extra label,
 * label outside the task's vocabulary, text after the labels, broken timestamps, missing chat separator,
 * empty output). It is lenient where the model cannot be wrong in a way that matters: spaces around tags and
 * label case. It does not score anything ({@code org.osum4j.eval} does).
 */
public final class OutputParser {

    private static final Pattern TAG = Pattern.compile("<([^<>]*)>");
    private static final Pattern TIME_TAG = Pattern.compile("<\\s*\\d+(\\.\\d+)?\\s*>");
    private static final Pattern SPACES = Pattern.compile("\\s+");
    /** Spaces around '<' and '>' carry nothing in OSUM's text (its process_text removes them too). */
    private static final Pattern SPACE_AROUND_BRACKET = Pattern.compile("\\s*([<>])\\s*");

    private final TaskRegistry tasks;

    public OutputParser(TaskRegistry tasks) {
        this.tasks = tasks;
    }

    /** A parser for OSUM's tasks. */
    public static OutputParser osum() {
        return new OutputParser(TaskRegistry.osum());
    }

    public TaskRegistry tasks() {
        return tasks;
    }

    /** Parses text for a task tag; an unknown tag gives a malformed result with the text as transcript. */
    public ParsedOutput parse(String tag, String text) {
        String t = TaskRegistry.normalizeTag(tag);
        if (!tasks.has(t)) {
            String raw = text == null ? "" : text;
            return new ParsedOutput(t, raw, stripTags(raw), List.of(), List.of(), "", "unknown task tag " + t);
        }
        return parse(tasks.get(t), text);
    }

    /** Parses text for a task. */
    public ParsedOutput parse(Task task, String text) {
        String raw = text == null ? "" : text;
        if (raw.isBlank()) return new ParsedOutput(task.tag(), raw, "", List.of(), List.of(), "", "empty output");
        return switch (task.target()) {
            case TRANSCRIPT -> transcriptOnly(task, raw);
            case TRANSCRIPT_LABELS, LABELS -> withLabels(task, raw);
            case TRANSCRIPT_ANSWER -> chat(task, raw);
            case TIMESTAMPS -> timed(task, raw);
        };
    }

    private ParsedOutput transcriptOnly(Task task, String raw) {
        List<String> tags = tags(raw);
        String problem = tags.isEmpty() ? null : "unexpected tag <" + tags.get(0) + "> in a transcript-only task";
        return new ParsedOutput(task.tag(), raw, stripTags(raw), List.of(), List.of(), "", problem);
    }

    /** Transcript then one trailing tag per label set, each checked against its set (position by position). */
    private ParsedOutput withLabels(Task task, String raw) {
        List<String> found = new ArrayList<>();
        Matcher m = TAG.matcher(raw);
        int lastTagEnd = -1;
        while (m.find()) {
            found.add(m.group(1).strip());
            lastTagEnd = m.end();
        }
        String transcript = stripTags(raw);
        int expected = task.labels().size();
        List<String> labels = new ArrayList<>(found.size());
        String problem = null;
        for (int i = 0; i < found.size(); i++) {
            String l = found.get(i);
            String canonical = i < expected ? tasks.labelSet(task.labels().get(i)).canonical(l) : null;
            labels.add(canonical != null ? canonical : l.toLowerCase(java.util.Locale.ROOT));
            if (problem == null && i < expected && canonical == null) {
                LabelSet set = tasks.labelSet(task.labels().get(i));
                problem = "label <" + l + "> is not in " + set.name() + " " + set.values();
            }
        }
        if (problem == null && found.size() < expected)
            problem = found.isEmpty() ? "missing label (expected " + task.labels() + ")"
                    : "missing label: " + found.size() + " of " + expected + " " + task.labels();
        if (problem == null && found.size() > expected) problem = "extra tag(s): " + found.size() + " tags for " + task.labels();
        if (problem == null && lastTagEnd >= 0 && !raw.substring(lastTagEnd).isBlank())
            problem = "text after the labels: '" + raw.substring(lastTagEnd).strip() + "'";
        if (problem == null && !found.isEmpty() && !stripTags(raw.substring(firstTagStart(raw))).isEmpty())
            problem = "text between the labels";
        if (problem == null && !task.hasTranscript() && !transcript.isEmpty())
            problem = "expected labels only, got text '" + transcript + "'";
        return new ParsedOutput(task.tag(), raw, task.hasTranscript() ? transcript : "", labels, List.of(), "", problem);
    }

    private ParsedOutput chat(Task task, String raw) {
        int at = raw.indexOf(TaskRegistry.ANSWER_SEPARATOR);
        if (at < 0)
            return new ParsedOutput(task.tag(), raw, stripTags(raw), List.of(), List.of(), "",
                    "no " + TaskRegistry.ANSWER_SEPARATOR + " separator between transcript and answer");
        String transcript = stripTags(raw.substring(0, at));
        String answer = raw.substring(at + TaskRegistry.ANSWER_SEPARATOR.length()).strip();
        String problem = null;
        if (transcript.isEmpty()) problem = "empty transcript before " + TaskRegistry.ANSWER_SEPARATOR;
        else if (answer.isEmpty()) problem = "empty answer after " + TaskRegistry.ANSWER_SEPARATOR;
        else if (answer.contains(TaskRegistry.ANSWER_SEPARATOR)) problem = "more than one " + TaskRegistry.ANSWER_SEPARATOR;
        return new ParsedOutput(task.tag(), raw, transcript, List.of(), List.of(), answer, problem);
    }

    /** SRWT: {@code <start>word<end>} items (see {@link Timestamps}), spaces around brackets tolerated. */
    private ParsedOutput timed(Task task, String raw) {
        String compact = SPACE_AROUND_BRACKET.matcher(raw.strip()).replaceAll("$1");
        try {
            List<Timestamps.Word> words = Timestamps.parse(compact);
            if (words.isEmpty()) return new ParsedOutput(task.tag(), raw, "", List.of(), List.of(), "", "no timed words");
            return new ParsedOutput(task.tag(), raw, Timestamps.transcript(words), List.of(), words, "", null);
        } catch (IllegalArgumentException e) {
            String transcript = stripTags(TIME_TAG.matcher(raw).replaceAll(" "));
            return new ParsedOutput(task.tag(), raw, transcript, List.of(), List.of(), "", "broken timestamps: " + e.getMessage());
        }
    }

    /** Tag contents in order. */
    static List<String> tags(String text) {
        List<String> out = new ArrayList<>();
        Matcher m = TAG.matcher(text);
        while (m.find()) out.add(m.group(1).strip());
        return out;
    }

    /** The text with every {@code <...>} removed and white space collapsed (a tag between words separates them). */
    static String stripTags(String text) {
        return SPACES.matcher(TAG.matcher(text).replaceAll(" ")).replaceAll(" ").strip();
    }

    private static int firstTagStart(String raw) {
        Matcher m = TAG.matcher(raw);
        return m.find() ? m.start() : raw.length();
    }
}
