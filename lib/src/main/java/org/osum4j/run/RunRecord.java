package org.osum4j.run;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What produced a set of results: the model (name and directory), the decoding options, the code (git commit)
 * the date and the runtime settings (heap, threads, BLAS). Stored beside results files (see
 * {@code org.osum4j.infer.ResultsWriter}) so a reported number can be reproduced. Plain values only; the
 * runtime part is filled by the caller ({@code org.osum4j.cli.RuntimeInfo.settings()}), since this package
 * must not depend on the command-line layer.
 *
 * @param model      model name (e.g. {@code osum-v2}), free text
 * @param modelDir   directory or file the weights came from, as given (may be null)
 * @param decoding   decoding options, name → JSON value (beam size, max tokens, seed, …)
 * @param gitCommit  commit of the code that ran, or null when unknown
 * @param date       ISO-8601 instant the run started
 * @param runtime    runtime settings, name → value
 * @param extra      anything else worth keeping (command line, host), name → JSON value
 */
public record RunRecord(String model, String modelDir, Map<String, Object> decoding, String gitCommit, String date,
                        Map<String, String> runtime, Map<String, Object> extra) {

    private static final ObjectMapper JSON = new ObjectMapper();

    public RunRecord {
        model = model == null ? "" : model;
        decoding = Collections.unmodifiableMap(new LinkedHashMap<>(decoding == null ? Map.of() : decoding));
        runtime = Collections.unmodifiableMap(new LinkedHashMap<>(runtime == null ? Map.of() : runtime));
        extra = Collections.unmodifiableMap(new LinkedHashMap<>(extra == null ? Map.of() : extra));
    }

    /** A record started now, with the commit of the repository around {@code codeDir} (if any). */
    public static RunRecord start(String model, String modelDir, Map<String, Object> decoding, Path codeDir, Clock clock) {
        return new RunRecord(model, modelDir, decoding, GitInfo.commit(codeDir).orElse(null),
                Instant.now(clock).toString(), Map.of(), Map.of());
    }

    /** A record started now, with the commit of the current working directory's repository. */
    public static RunRecord start(String model, String modelDir, Map<String, Object> decoding) {
        return start(model, modelDir, decoding, Path.of(""), Clock.systemUTC());
    }

    public RunRecord withRuntime(Map<String, String> settings) {
        return new RunRecord(model, modelDir, decoding, gitCommit, date, settings, extra);
    }

    public RunRecord withExtra(String name, Object value) {
        Map<String, Object> e = new LinkedHashMap<>(extra);
        e.put(name, value);
        return new RunRecord(model, modelDir, decoding, gitCommit, date, runtime, e);
    }

    /** The record as a JSON object (null fields left out). */
    public ObjectNode toJson() {
        ObjectNode o = JSON.createObjectNode();
        o.put("model", model);
        if (modelDir != null) o.put("model_dir", modelDir);
        o.set("decoding", JSON.valueToTree(decoding));
        if (gitCommit != null) o.put("git_commit", gitCommit);
        if (date != null) o.put("date", date);
        o.set("runtime", JSON.valueToTree(runtime));
        if (!extra.isEmpty()) o.set("extra", JSON.valueToTree(extra));
        return o;
    }

    /** Reads a record written by {@link #toJson()}; unknown fields go to {@code extra}. */
    @SuppressWarnings("unchecked")
    public static RunRecord fromJson(JsonNode n) {
        if (n == null || !n.isObject()) throw new IllegalArgumentException("run record: expected a JSON object, got " + n);
        Map<String, Object> extra = new LinkedHashMap<>();
        if (n.path("extra").isObject()) extra.putAll(JSON.convertValue(n.get("extra"), LinkedHashMap.class));
        n.fieldNames().forEachRemaining(f -> {
            if (!java.util.Set.of("model", "model_dir", "decoding", "git_commit", "date", "runtime", "extra").contains(f))
                extra.put(f, JSON.convertValue(n.get(f), Object.class));
        });
        Map<String, String> runtime = new LinkedHashMap<>();
        n.path("runtime").fields().forEachRemaining(e -> runtime.put(e.getKey(), e.getValue().asText()));
        return new RunRecord(n.path("model").asText(""), text(n, "model_dir"),
                n.path("decoding").isObject() ? JSON.convertValue(n.get("decoding"), LinkedHashMap.class) : Map.of(),
                text(n, "git_commit"), text(n, "date"), runtime, extra);
    }

    private static String text(JsonNode n, String f) {
        JsonNode v = n.get(f);
        return v == null || v.isNull() ? null : v.asText();
    }
}
