package org.osum4j.train;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The run's log files, one row per optimizer step, appended and flushed as the run goes so a crashed run
 * keeps its log: {@code train.csv} and {@code train.jsonl} (step, loss, lr, grad norm, tokens, audio
 * seconds, tokens/s, audio-s/s, skipped), and {@code validation.csv} / {@code validation.jsonl} (step, task,
 * metric, value). On resume, rows after the checkpoint's step are dropped so the files read as one run.
 */
public final class TrainLog {

    public static final String CSV = "train.csv";
    public static final String JSONL = "train.jsonl";
    public static final String VALIDATION_CSV = "validation.csv";
    public static final String VALIDATION_JSONL = "validation.jsonl";
    static final String CSV_HEADER = "step,loss,lr,grad_norm,tokens,audio_seconds,tokens_per_s,audio_s_per_s,skipped";
    static final String VALIDATION_HEADER = "step,task,metric,value";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path dir;

    public TrainLog(Path outputDir) {
        this.dir = outputDir;
    }

    /** Appends one step to both files. */
    public void step(StepLog s) {
        appendCsv(CSV, CSV_HEADER, String.join(",", Long.toString(s.step()), num(s.loss()), num(s.lr()), num(s.gradNorm()),
                Long.toString(s.tokens()), num(s.audioSeconds()), num(s.tokensPerSecond()), num(s.audioSecondsPerSecond()),
                Boolean.toString(s.skipped())));
        ObjectNode o = JSON.createObjectNode();
        o.put("step", s.step());
        putNum(o, "loss", s.loss());
        putNum(o, "lr", s.lr());
        putNum(o, "grad_norm", s.gradNorm());
        o.put("tokens", s.tokens());
        putNum(o, "audio_seconds", s.audioSeconds());
        putNum(o, "tokens_per_s", s.tokensPerSecond());
        putNum(o, "audio_s_per_s", s.audioSecondsPerSecond());
        o.put("skipped", s.skipped());
        if (s.skipped()) o.putPOJO("keys", s.keys());
        append(JSONL, o.toString());
    }

    /** Appends validation metrics of one step: task → metric → value. */
    public void validation(long step, Map<String, Map<String, Double>> metrics) {
        ObjectNode o = JSON.createObjectNode();
        o.put("step", step);
        ObjectNode tasks = o.putObject("tasks");
        metrics.forEach((task, m) -> {
            ObjectNode t = tasks.putObject(task);
            m.forEach((metric, v) -> {
                putNum(t, metric, v);
                appendCsv(VALIDATION_CSV, VALIDATION_HEADER, step + "," + csvText(task) + "," + csvText(metric) + "," + num(v));
            });
        });
        append(VALIDATION_JSONL, o.toString());
    }

    /** Drops every row of every log whose step is after {@code step} (atomic rewrite). */
    public void truncateAfter(long step) {
        for (String f : List.of(CSV, VALIDATION_CSV)) rewrite(f, line -> line.startsWith("step,") || stepOfCsv(line) <= step);
        for (String f : List.of(JSONL, VALIDATION_JSONL)) rewrite(f, line -> stepOfJson(line) <= step);
    }

    private void rewrite(String name, java.util.function.Predicate<String> keepLine) {
        Path f = dir.resolve(name);
        if (!Files.isRegularFile(f)) return;
        try {
            List<String> kept = new ArrayList<>();
            for (String line : Files.readAllLines(f, StandardCharsets.UTF_8)) if (!line.isBlank() && keepLine.test(line)) kept.add(line);
            Path tmp = dir.resolve(name + ".tmp");
            Files.write(tmp, kept, StandardCharsets.UTF_8);
            Files.move(tmp, f, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException("rewriting log " + f + ": " + e.getMessage(), e);
        }
    }

    private static long stepOfCsv(String line) {
        int comma = line.indexOf(',');
        try {
            return Long.parseLong(comma < 0 ? line : line.substring(0, comma));
        } catch (NumberFormatException e) {
            return Long.MAX_VALUE;                  // an unreadable (torn) row is dropped
        }
    }

    private static long stepOfJson(String line) {
        try {
            JsonNode n = JSON.readTree(line);
            return n.has("step") ? n.get("step").asLong() : Long.MAX_VALUE;
        } catch (IOException e) {
            return Long.MAX_VALUE;
        }
    }

    private void appendCsv(String name, String header, String row) {
        Path f = dir.resolve(name);
        boolean fresh = !Files.exists(f);
        append(name, fresh ? header + "\n" + row : row);
    }

    private void append(String name, String text) {
        try {
            Files.createDirectories(dir);
            try (BufferedWriter w = Files.newBufferedWriter(dir.resolve(name), StandardCharsets.UTF_8,
                    StandardOpenOption.CREATE, StandardOpenOption.APPEND)) {
                w.write(text);
                w.write('\n');
            }
        } catch (IOException e) {
            throw new UncheckedIOException("appending to log " + dir.resolve(name) + ": " + e.getMessage(), e);
        }
    }

    private static String num(double v) {
        return Double.isFinite(v) ? String.format(Locale.ROOT, "%.8g", v) : Double.toString(v);
    }

    private static void putNum(ObjectNode o, String k, double v) {
        if (Double.isFinite(v)) o.put(k, v);
        else o.put(k, Double.toString(v));              // JSON has no NaN/Infinity literals
    }

    private static String csvText(String s) {
        return s.contains(",") || s.contains("\"") ? "\"" + s.replace("\"", "\"\"") + "\"" : s;
    }
}
