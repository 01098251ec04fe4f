package org.osum4j.infer;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.osum4j.data.Timestamps;
import org.osum4j.run.RunRecord;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A results file as read back: the utterance entries in file order, the run records of every (re)start, and
 * whether the last line was cut off by an interrupted run. The on-disk format:
 * <ul>
 *   <li>{@code NAME.jsonl}: one JSON object per utterance — {@code key, task, prompt, output} (raw model text),
 *       the parsed fields {@code transcript, labels, words [{w, start, end} in s], answer, malformed, problem},
 *       optionally {@code ref}, and {@code timing} (name → number, e.g. {@code audio_s}, {@code decode_ms});</li>
 *   <li>{@code NAME.jsonl.meta.json}: {@code {format, runs: [run record per start or resume]}}, rewritten
 *       atomically, so every line of the jsonl stays one utterance for jq, pandas or Tablesaw.</li>
 * </ul>
 * The raw {@code output} is the source of truth: evaluation re-parses it, the stored parsed fields are for people.
 */
public record Results(Path file, List<Entry> entries, List<RunRecord> runs, String truncatedTail) {

    /** Format name written into the sidecar; bump when a field changes meaning. */
    public static final String FORMAT = "osum4j-results/1";
    /** Suffix of the sidecar that holds the run records. */
    public static final String META_SUFFIX = ".meta.json";

    static final ObjectMapper JSON = new ObjectMapper();

    /**
     * One utterance's result.
     *
     * @param key    utterance id
     * @param task   canonical task tag
     * @param prompt the prompt the model was given
     * @param parsed the output parsed for the task (holds the raw output)
     * @param ref    reference target, or null
     * @param timing measurements, name → number (seconds of audio, milliseconds, token counts)
     */
    public record Entry(String key, String task, String prompt, ParsedOutput parsed, String ref, Map<String, Double> timing) {
        public Entry {
            if (key == null || key.isEmpty()) throw new IllegalArgumentException("result entry: empty key");
            timing = Collections.unmodifiableMap(new LinkedHashMap<>(timing == null ? Map.of() : timing));
        }

        /** The raw model output. */
        public String output() {
            return parsed.raw();
        }
    }

    public Results {
        entries = List.copyOf(entries);
        runs = List.copyOf(runs);
    }

    /** Whether an interrupted write left a partial last line (it was ignored; see {@link #truncatedTail()}). */
    public boolean truncated() {
        return truncatedTail != null;
    }

    /** Keys already done, in file order: what a resumed run skips. */
    public Set<String> doneKeys() {
        Set<String> s = new LinkedHashSet<>();
        for (Entry e : entries) s.add(e.key());
        return s;
    }

    /** Entries by key. */
    public Map<String, Entry> byKey() {
        Map<String, Entry> m = new LinkedHashMap<>();
        for (Entry e : entries) m.put(e.key(), e);
        return m;
    }

    /** The sidecar path of a results file. */
    public static Path metaPath(Path results) {
        return results.resolveSibling(results.getFileName() + META_SUFFIX);
    }

    /** One jsonl line (no newline) for an entry. */
    public static String toLine(Entry e) {
        ObjectNode o = JSON.createObjectNode();
        ParsedOutput p = e.parsed();
        o.put("key", e.key());
        o.put("task", e.task());
        if (e.prompt() != null) o.put("prompt", e.prompt());
        o.put("output", p.raw());
        o.put("transcript", p.transcript());
        ArrayNode labels = o.putArray("labels");
        p.labels().forEach(labels::add);
        if (!p.words().isEmpty()) {
            ArrayNode words = o.putArray("words");
            for (Timestamps.Word w : p.words()) words.addObject().put("w", w.text()).put("start", w.startSeconds()).put("end", w.endSeconds());
        }
        if (!p.answer().isEmpty()) o.put("answer", p.answer());
        o.put("malformed", p.malformed());
        if (p.malformed()) o.put("problem", p.problem());
        if (e.ref() != null) o.put("ref", e.ref());
        if (!e.timing().isEmpty()) {
            ObjectNode t = o.putObject("timing");
            e.timing().forEach(t::put);
        }
        try {
            return JSON.writeValueAsString(o);
        } catch (JsonProcessingException ex) {
            throw new IllegalArgumentException("result " + e.key() + ": cannot serialise", ex);
        }
    }

    /** Parses one line written by {@link #toLine}; {@code where} (file:line) prefixes error messages. */
    static Entry fromLine(JsonNode n, String where) {
        if (n == null || !n.isObject()) throw new IllegalArgumentException(where + ": expected a JSON object");
        for (String f : List.of("key", "task", "output"))
            if (!n.path(f).isTextual()) throw new IllegalArgumentException(where + ": missing string field '" + f + "'");
        List<String> labels = new ArrayList<>();
        n.path("labels").forEach(l -> labels.add(l.asText()));
        List<Timestamps.Word> words = new ArrayList<>();
        try {
            for (JsonNode w : n.path("words")) words.add(Timestamps.Word.of(w.path("w").asText(), w.path("start").asDouble(), w.path("end").asDouble()));
        } catch (IllegalArgumentException ex) {
            throw new IllegalArgumentException(where + ": bad 'words': " + ex.getMessage(), ex);
        }
        String problem = n.path("malformed").asBoolean(false) ? n.path("problem").asText("malformed") : null;
        ParsedOutput p = new ParsedOutput(n.get("task").asText(), n.get("output").asText(), n.path("transcript").asText(""),
                labels, words, n.path("answer").asText(""), problem);
        Map<String, Double> timing = new LinkedHashMap<>();
        n.path("timing").fields().forEachRemaining(t -> timing.put(t.getKey(), t.getValue().asDouble()));
        return new Entry(n.get("key").asText(), n.get("task").asText(), n.path("prompt").isTextual() ? n.get("prompt").asText() : null,
                p, n.path("ref").isTextual() ? n.get("ref").asText() : null, timing);
    }
}
