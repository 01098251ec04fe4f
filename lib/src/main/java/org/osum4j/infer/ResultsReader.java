package org.osum4j.infer;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import org.osum4j.data.DataFormatException;
import org.osum4j.run.RunRecord;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads a results file ({@link Results} describes the format). A last line without its newline that is not
 * valid JSON is what an interrupted run leaves: it is reported ({@link Results#truncatedTail()}) and skipped,
 * and {@link #validLength} says where a resumed run should cut the file. Any other bad line is an error naming
 * file and line, as is a key that occurs twice.
 */
public final class ResultsReader {

    private ResultsReader() {}

    /** Reads the entries and the sidecar's run records (none when there is no sidecar). */
    public static Results read(Path file) {
        byte[] bytes = readBytes(file);
        List<Results.Entry> entries = new ArrayList<>();
        Map<String, Integer> lineOfKey = new HashMap<>();
        String tail = null;
        int lineNo = 0;
        int from = 0;
        while (from < bytes.length) {
            int nl = indexOf(bytes, (byte) '\n', from);
            boolean complete = nl >= 0;
            int to = complete ? nl : bytes.length;
            lineNo++;
            String line = new String(bytes, from, to - from, StandardCharsets.UTF_8);
            from = complete ? nl + 1 : bytes.length;
            if (line.isBlank()) continue;
            JsonNode n;
            try {
                n = Results.JSON.readTree(line);
            } catch (JsonProcessingException e) {
                if (!complete) {                      // cut off mid-line by an interrupted writer
                    tail = "line " + lineNo + " cut off after " + line.length() + " chars: " + abbreviate(line);
                    break;
                }
                throw new DataFormatException(file, lineNo, "not valid JSON (" + e.getOriginalMessage() + ")");
            }
            Results.Entry e;
            try {
                e = Results.fromLine(n, file + ":" + lineNo);
            } catch (IllegalArgumentException ex) {
                throw new DataFormatException(file, lineNo, ex.getMessage());
            }
            Integer prev = lineOfKey.putIfAbsent(e.key(), lineNo);
            if (prev != null) throw new DataFormatException(file, lineNo, "duplicate key '" + e.key() + "' (first on line " + prev + ")");
            entries.add(e);
        }
        return new Results(file, entries, readRuns(file), tail);
    }

    /**
     * Bytes of the file up to the end of its last complete, valid line: a resumed run truncates the file here
     * before appending (so a cut-off line is replaced, not continued).
     */
    public static long validLength(Path file) {
        byte[] bytes = readBytes(file);
        int lastNl = -1;
        for (int i = bytes.length - 1; i >= 0; i--) if (bytes[i] == '\n') { lastNl = i; break; }
        if (lastNl == bytes.length - 1) return bytes.length;
        String tail = new String(bytes, lastNl + 1, bytes.length - lastNl - 1, StandardCharsets.UTF_8);
        if (tail.isBlank()) return lastNl + 1;
        try {
            Results.JSON.readTree(tail);
            return bytes.length;                          // a complete object without its newline
        } catch (JsonProcessingException e) {
            return lastNl + 1;
        }
    }

    /** The run records of the sidecar, oldest first; none when it does not exist. */
    public static List<RunRecord> readRuns(Path file) {
        Path meta = Results.metaPath(file);
        if (!Files.isRegularFile(meta)) return List.of();
        try {
            JsonNode root = Results.JSON.readTree(meta.toFile());
            if (!root.path("format").asText("").equals(Results.FORMAT))
                throw new DataFormatException(meta, 0, "expected format '" + Results.FORMAT + "', got '" + root.path("format").asText("") + "'");
            List<RunRecord> runs = new ArrayList<>();
            for (JsonNode r : root.path("runs")) runs.add(RunRecord.fromJson(r));
            return runs;
        } catch (IOException e) {
            throw new DataFormatException(meta, 0, "cannot read run records (" + e.getMessage() + ")", e);
        }
    }

    private static byte[] readBytes(Path file) {
        try {
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw new UncheckedIOException(file + ": cannot read results", e);
        }
    }

    private static int indexOf(byte[] b, byte v, int from) {
        for (int i = from; i < b.length; i++) if (b[i] == v) return i;
        return -1;
    }

    private static String abbreviate(String s) {
        return s.length() <= 60 ? s : s.substring(0, 57) + "...";
    }
}
