package org.osum4j.data;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * OSUM's {@code raw} data list: one JSON object per line with {@code key}, {@code wav}, {@code txt} and
 * optionally {@code task}, {@code start}/{@code end}, {@code extra} and any other field (all kept).
 * Reads with validation (a bad line is an error naming file, line and problem; or, leniently, a counted
 * skip in a {@link Report}) and writes atomically. Shards are {@link Shards}; mixing lists is {@link DataMix}.
 */
public final class DataList {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> TEXT_FIELDS = Set.of("key", "wav", "txt", "task", "lang", "speaker", "emotion", "gender");
    private static final Set<String> NUMBER_FIELDS = Set.of("duration", "start", "end");

    private DataList() {
    }

    /** Reads a jsonl list; the first bad line throws {@link DataFormatException} (file:line: problem). Blank lines are skipped. */
    public static List<Utterance> read(Path file) {
        return read(file, null);
    }

    /**
     * Reads a jsonl list. With a report, bad lines are skipped and counted (reason = problem kind)
     * instead of thrown; without one (null) the first bad line throws.
     */
    public static List<Utterance> read(Path file, Report report) {
        List<Utterance> out = new ArrayList<>();
        Map<String, Long> firstLineOfKey = new HashMap<>();
        try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String line;
            long no = 0;
            while ((line = r.readLine()) != null) {
                no++;
                if (line.isBlank()) continue;
                if (report != null) report.seen();
                try {
                    Utterance u = parseLine(file, no, line);
                    Long prev = firstLineOfKey.putIfAbsent(u.key(), no);
                    if (prev != null)
                        throw new DataFormatException(file, no, "duplicate key '" + u.key() + "' (first on line " + prev + ")");
                    out.add(u);
                    if (report != null) report.kept();
                } catch (DataFormatException e) {
                    if (report == null) throw e;
                    report.skip("bad line", file.getFileName() + ":" + no, e.getMessage());
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(file + ": cannot read data list", e);
        }
        return out;
    }

    /** Parses one jsonl line (1-based {@code lineNo} for messages). */
    public static Utterance parseLine(Path file, long lineNo, String line) {
        JsonNode n;
        try {
            n = JSON.readTree(line);
        } catch (JsonProcessingException e) {
            throw new DataFormatException(file, lineNo, "not valid JSON (" + e.getOriginalMessage() + ")");
        }
        if (n == null || !n.isObject()) throw new DataFormatException(file, lineNo, "expected a JSON object, got " + abbreviate(line));
        for (String req : List.of("key", "wav", "txt")) {
            if (!n.has(req)) throw new DataFormatException(file, lineNo, "missing required field '" + req + "'");
        }
        String key = text(n, "key", file, lineNo);
        if (key == null || key.isEmpty()) throw new DataFormatException(file, lineNo, "field 'key' is empty");
        Double start = number(n, "start", file, lineNo);
        Double end = number(n, "end", file, lineNo);
        if (start != null && start < 0) throw new DataFormatException(file, lineNo, "'start' " + start + " is negative");
        if (start != null && end != null && end <= start)
            throw new DataFormatException(file, lineNo, "'end' " + end + " is not after 'start' " + start);
        Double duration = number(n, "duration", file, lineNo);
        if (duration != null && duration < 0) throw new DataFormatException(file, lineNo, "'duration' " + duration + " is negative");
        Map<String, Object> extra = Map.of();
        if (n.has("extra") && !n.get("extra").isNull()) {
            if (!n.get("extra").isObject())
                throw new DataFormatException(file, lineNo, "field 'extra' must be an object, got " + n.get("extra"));
            extra = toMap(n.get("extra"));
        }
        Map<String, Object> other = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = n.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (!TEXT_FIELDS.contains(e.getKey()) && !NUMBER_FIELDS.contains(e.getKey()) && !e.getKey().equals("extra"))
                other.put(e.getKey(), JSON.convertValue(e.getValue(), Object.class));
        }
        return new Utterance(key, text(n, "wav", file, lineNo), text(n, "txt", file, lineNo), text(n, "task", file, lineNo),
                text(n, "lang", file, lineNo), text(n, "speaker", file, lineNo), text(n, "emotion", file, lineNo),
                text(n, "gender", file, lineNo), duration, start, end, extra, other);
    }

    /** Writes a jsonl list atomically (temp file + rename); keys must be unique. */
    public static void write(Path file, List<Utterance> items) {
        Map<String, Integer> seen = new HashMap<>();
        for (int i = 0; i < items.size(); i++) {
            Integer prev = seen.putIfAbsent(items.get(i).key(), i);
            if (prev != null)
                throw new IllegalArgumentException(file + ": duplicate key '" + items.get(i).key() + "' at items " + prev + " and " + i);
        }
        try {
            Path abs = file.toAbsolutePath();
            Files.createDirectories(abs.getParent());
            Path tmp = Files.createTempFile(abs.getParent(), abs.getFileName().toString(), ".tmp");
            try {
                try (BufferedWriter w = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
                    for (Utterance u : items) {
                        w.write(toJson(u));
                        w.write('\n');
                    }
                }
                Files.move(tmp, abs, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } finally {
                Files.deleteIfExists(tmp);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(file + ": cannot write data list", e);
        }
    }

    /** One jsonl line (no newline): known fields in OSUM's order, then the others. Null fields are left out. */
    public static String toJson(Utterance u) {
        ObjectNode o = JSON.createObjectNode();
        o.put("key", u.key());
        putText(o, "wav", u.wav());
        putText(o, "txt", u.txt());
        putText(o, "task", u.task());
        putText(o, "lang", u.lang());
        putText(o, "speaker", u.speaker());
        putText(o, "emotion", u.emotion());
        putText(o, "gender", u.gender());
        if (u.duration() != null) o.put("duration", u.duration());
        if (u.start() != null) o.put("start", u.start());
        if (u.end() != null) o.put("end", u.end());
        if (!u.extra().isEmpty()) o.set("extra", JSON.valueToTree(u.extra()));
        u.other().forEach((k, v) -> o.set(k, JSON.valueToTree(v)));
        try {
            return JSON.writeValueAsString(o);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("utterance " + u.key() + ": cannot serialise", e);
        }
    }

    static Map<String, Object> toMap(JsonNode obj) {
        @SuppressWarnings("unchecked")
        Map<String, Object> m = JSON.convertValue(obj, LinkedHashMap.class);
        return m;
    }

    private static void putText(ObjectNode o, String k, String v) {
        if (v != null) o.put(k, v);
    }

    private static String text(JsonNode n, String field, Path file, long line) {
        JsonNode v = n.get(field);
        if (v == null || v.isNull()) return null;
        if (v.isContainerNode())
            throw new DataFormatException(file, line, "field '" + field + "' must be a string, got " + abbreviate(v.toString()));
        return v.asText();
    }

    private static Double number(JsonNode n, String field, Path file, long line) {
        JsonNode v = n.get(field);
        if (v == null || v.isNull()) return null;
        if (v.isNumber()) return v.doubleValue();
        if (v.isTextual()) {
            try {
                return Double.parseDouble(v.asText().strip());
            } catch (NumberFormatException e) {
                // fall through to the error below
            }
        }
        throw new DataFormatException(file, line, "field '" + field + "' must be a number of seconds, got " + abbreviate(v.toString()));
    }

    private static String abbreviate(String s) {
        return s.length() <= 80 ? s : s.substring(0, 77) + "...";
    }
}
