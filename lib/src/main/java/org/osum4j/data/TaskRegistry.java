package org.osum4j.data;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The tasks a model knows: OSUM's tags with their prompts verbatim and their label vocabularies
 * ({@link #osum()}, from the resource {@code osum-tasks.json}), plus any the user adds ({@link #with},
 * {@link #withFile}). Also the ASR+X target rules of spec §2.3: building a target from a transcript and
 * labels, parsing one back, the style alias mapping and the {@code <None>} drop rule.
 * It is immutable; {@code with...} returns a copy. Tokenising is not here ({@code org.osum4j.text}).
 *
 * <pre>{@code
 * TaskRegistry tasks = TaskRegistry.osum();
 * Task ser = tasks.get("<TRANSCRIBE><EMOTION>");                 // shell-style tag accepted
 * String target = tasks.target(ser, "it looks much better", "happy");  // "it looks much better<happy>"
 * }</pre>
 *
 * <p>Task file format (JSON or YAML, same keys as the resource):
 * {@code {label_sets: {NAME: {values: [...], aliases: {raw: value}}}, tasks: [{tag, name, description,
 * target: transcript|transcript+labels|labels|transcript+answer|timestamps, labels: [NAME...],
 * prompts: [...], demo_prompt}]}}. Unknown keys are an error.
 */
public final class TaskRegistry {

    /** The tag OSUM uses when a sample has no task. */
    public static final String DEFAULT_TAG = "<TRANSCRIBE>";
    /** Separator between transcript and answer in STTC targets. */
    public static final String ANSWER_SEPARATOR = "<开始回答>";
    /** Samples whose text contains one of these are dropped (OSUM's tokenize step). */
    public static final List<String> NONE_MARKERS = List.of("<None>", "<NONE>", "<none>");

    private static final String RESOURCE = "osum-tasks.json";
    private static final Set<String> FILE_KEYS = Set.of("_comment", "default_tag", "label_sets", "tasks");
    private static final Set<String> TASK_KEYS = Set.of("tag", "name", "description", "target", "labels", "prompts", "demo_prompt");
    private static final Set<String> LABEL_KEYS = Set.of("values", "aliases");
    private static final Pattern TRAILING_TAG = Pattern.compile("<([^<>]*)>\\s*$");
    private static final ObjectMapper JSON = new ObjectMapper();

    private static volatile TaskRegistry osum;

    private final Map<String, Task> tasks;          // by canonical tag, in file order
    private final Map<String, LabelSet> labelSets;  // by name

    private TaskRegistry(Map<String, Task> tasks, Map<String, LabelSet> labelSets) {
        this.tasks = Collections.unmodifiableMap(new LinkedHashMap<>(tasks));
        this.labelSets = Collections.unmodifiableMap(new LinkedHashMap<>(labelSets));
        for (Task t : tasks.values())
            for (String l : t.labels())
                if (!labelSets.containsKey(l))
                    throw new IllegalArgumentException("task " + t.tag() + ": unknown label set " + l + "; known " + labelSets.keySet());
    }

    /** OSUM's shipped tasks (prompt_config.yaml) and label vocabularies. */
    public static TaskRegistry osum() {
        TaskRegistry r = osum;
        if (r == null) {
            try (InputStream in = TaskRegistry.class.getResourceAsStream(RESOURCE)) {
                if (in == null) throw new IllegalStateException("resource org/osum4j/data/" + RESOURCE + " missing from the jar");
                r = parse(JSON.readTree(in), "resource " + RESOURCE, new TaskRegistry(Map.of(), Map.of()));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read resource " + RESOURCE, e);
            }
            osum = r;
        }
        return r;
    }

    /** An empty registry, for models trained from scratch with their own tasks. */
    public static TaskRegistry empty() {
        return new TaskRegistry(Map.of(), Map.of());
    }

    /** A copy with {@code task} added (or replacing the task of the same tag). */
    public TaskRegistry with(Task task) {
        Map<String, Task> t = new LinkedHashMap<>(tasks);
        t.put(task.tag(), task);
        return new TaskRegistry(t, labelSets);
    }

    /** A copy with a label set added (or replaced). */
    public TaskRegistry with(LabelSet set) {
        Map<String, LabelSet> l = new LinkedHashMap<>(labelSets);
        l.put(set.name(), set);
        return new TaskRegistry(tasks, l);
    }

    /** A copy with the label sets and tasks of a JSON ({@code .json}) or YAML file added. */
    public TaskRegistry withFile(Path file) throws IOException {
        String name = file.getFileName().toString().toLowerCase();
        JsonNode root;
        if (name.endsWith(".yaml") || name.endsWith(".yml")) {
            Object y = new Yaml(new SafeConstructor(new LoaderOptions())).load(Files.readString(file, StandardCharsets.UTF_8));
            root = JSON.valueToTree(y);
        } else {
            root = JSON.readTree(file.toFile());
        }
        return parse(root, file.toString(), this);
    }

    /** Canonical form of a tag: trimmed, {@code ><} re-spaced to {@code > <} (as recognize4llmasr.py), blank → {@code <TRANSCRIBE>}. */
    public static String normalizeTag(String tag) {
        if (tag == null || tag.isBlank()) return DEFAULT_TAG;
        return tag.strip().replaceAll(">\\s*<", "> <");
    }

    public boolean has(String tag) {
        return tasks.containsKey(normalizeTag(tag));
    }

    /** The task of a tag (any spacing between the {@code <..>} parts); throws naming the known tags. */
    public Task get(String tag) {
        Task t = tasks.get(normalizeTag(tag));
        if (t == null) throw new IllegalArgumentException("unknown task tag '" + tag + "'; known: " + tasks.keySet());
        return t;
    }

    /** The task with this short name (ASR, SER, …). */
    public Task byName(String name) {
        for (Task t : tasks.values()) if (t.name().equalsIgnoreCase(name)) return t;
        throw new IllegalArgumentException("no task named '" + name + "'; known: " + tasks.values().stream().map(Task::name).toList());
    }

    public List<Task> tasks() {
        return List.copyOf(tasks.values());
    }

    /** Every prompt of every task, e.g. to train a small tokenizer that encodes them compactly. */
    public List<String> allPrompts() {
        List<String> out = new ArrayList<>();
        for (Task t : tasks.values()) {
            out.addAll(t.prompts());
            if (t.demoPrompt() != null && !t.prompts().contains(t.demoPrompt())) out.add(t.demoPrompt());
        }
        return out;
    }

    public Set<String> tags() {
        return tasks.keySet();
    }

    public LabelSet labelSet(String name) {
        LabelSet s = labelSets.get(name);
        if (s == null) throw new IllegalArgumentException("unknown label set '" + name + "'; known: " + labelSets.keySet());
        return s;
    }

    public Map<String, LabelSet> labelSets() {
        return labelSets;
    }

    // ---- targets (spec §2.3) -------------------------------------------------------------------------

    /**
     * The target text of a transcript-and-labels task: transcript immediately followed by one
     * {@code <label>} per label set, each label validated and mapped to its final class
     * (e.g. {@code target(ser, "时间对珍妮来说是没有用的", "happy")} → {@code 时间对珍妮来说是没有用的<happy>}).
     * For ASR give no labels; for label-only tasks give a null or empty transcript.
     */
    public String target(Task task, String transcript, String... labels) {
        switch (task.target()) {
            case TRANSCRIPT_ANSWER -> throw new IllegalArgumentException("task " + task.tag() + ": use sttcTarget(transcript, answer)");
            case TIMESTAMPS -> throw new IllegalArgumentException("task " + task.tag() + ": use srwtTarget(words)");
            default -> { }
        }
        if (labels.length != task.labels().size())
            throw new IllegalArgumentException("task " + task.tag() + ": expected " + task.labels().size()
                    + " label(s) " + task.labels() + ", got " + labels.length);
        String t = transcript == null ? "" : transcript.strip();
        if (task.hasTranscript() && t.isEmpty())
            throw new IllegalArgumentException("task " + task.tag() + ": empty transcript");
        if (!task.hasTranscript() && !t.isEmpty())
            throw new IllegalArgumentException("task " + task.tag() + " has no transcript in its target, got '" + t + "'");
        StringBuilder sb = new StringBuilder(t);
        for (int i = 0; i < labels.length; i++) sb.append('<').append(canonicalLabel(task, i, labels[i])).append('>');
        return sb.toString();
    }

    /** STTC target: {@code transcript<开始回答>answer}. */
    public static String sttcTarget(String transcript, String answer) {
        if (transcript == null || transcript.isBlank() || answer == null || answer.isBlank())
            throw new IllegalArgumentException("STTC target needs a transcript and an answer, got '" + transcript + "', '" + answer + "'");
        if (transcript.contains(ANSWER_SEPARATOR))
            throw new IllegalArgumentException("STTC transcript must not contain " + ANSWER_SEPARATOR + ": '" + transcript + "'");
        return transcript.strip() + ANSWER_SEPARATOR + answer.strip();
    }

    /** SRWT target in osum4j's timestamp syntax ({@link Timestamps}). */
    public static String srwtTarget(List<Timestamps.Word> words) {
        if (words.isEmpty()) throw new IllegalArgumentException("SRWT target needs at least one word");
        return Timestamps.format(words);
    }

    /** A target split into its parts; unused parts are empty. */
    public record ParsedTarget(String transcript, List<String> labels, String answer, List<Timestamps.Word> words) {
    }

    /**
     * Splits a target (reference or model output) by the task's layout. Trailing {@code <..>} tags are the
     * labels (as many as the task has label sets); labels are returned as written (lower-cased by OSUM).
     * Throws when the text does not have the task's layout.
     */
    public ParsedTarget parse(Task task, String text) {
        String s = text.strip();
        switch (task.target()) {
            case TRANSCRIPT:
                return new ParsedTarget(s, List.of(), "", List.of());
            case TRANSCRIPT_ANSWER: {
                int at = s.indexOf(ANSWER_SEPARATOR);
                if (at < 0) throw new IllegalArgumentException("task " + task.tag() + ": no " + ANSWER_SEPARATOR + " in '" + text + "'");
                return new ParsedTarget(s.substring(0, at).strip(), List.of(),
                        s.substring(at + ANSWER_SEPARATOR.length()).strip(), List.of());
            }
            case TIMESTAMPS: {
                List<Timestamps.Word> w = Timestamps.parse(s);
                return new ParsedTarget(Timestamps.transcript(w), List.of(), "", w);
            }
            default: {
                List<String> labels = new ArrayList<>();
                for (int i = 0; i < task.labels().size(); i++) {
                    Matcher m = TRAILING_TAG.matcher(s);
                    if (!m.find())
                        throw new IllegalArgumentException("task " + task.tag() + ": expected " + task.labels().size()
                                + " trailing <label>(s) in '" + text + "'");
                    labels.add(0, m.group(1));
                    s = s.substring(0, m.start()).strip();
                }
                if (!task.hasTranscript() && !s.isEmpty())
                    throw new IllegalArgumentException("task " + task.tag() + ": expected labels only, got text '" + s + "' in '" + text + "'");
                return new ParsedTarget(s, List.copyOf(labels), "", List.of());
            }
        }
    }

    /**
     * OSUM's load-time label mapping: for every label set of the task that has aliases (the 15 fine style
     * labels), replaces {@code <alias>} in the text with {@code <value>}. Other text is untouched.
     */
    public String applyAliases(Task task, String text) {
        String s = text;
        for (String name : task.labels()) {
            for (Map.Entry<String, String> a : labelSets.get(name).aliases().entrySet()) {
                if (!a.getKey().equals(a.getValue())) s = s.replace("<" + a.getKey() + ">", "<" + a.getValue() + ">");
            }
        }
        return s;
    }

    /** OSUM's drop rule: samples whose text contains {@code <None>}, {@code <NONE>} or {@code <none>} are dropped. */
    public static boolean isDropped(String text) {
        for (String m : NONE_MARKERS) if (text.contains(m)) return true;
        return false;
    }

    private String canonicalLabel(Task task, int i, String raw) {
        LabelSet set = labelSets.get(task.labels().get(i));
        String c = raw == null ? null : set.canonical(raw);
        if (c == null)
            throw new IllegalArgumentException("task " + task.tag() + ": label '" + raw + "' is not in " + set.name()
                    + " " + set.values() + (set.aliases().isEmpty() ? "" : " or its aliases " + set.aliases().keySet()));
        return c;
    }

    /** The registry in the task-file format (JSON), loadable with {@code TaskRegistry.empty().withFile(...)}. */
    public String toJson() {
        var root = JSON.createObjectNode();
        root.put("default_tag", DEFAULT_TAG);
        var sets = root.putObject("label_sets");
        for (LabelSet l : labelSets.values()) {
            var o = sets.putObject(l.name());
            var v = o.putArray("values");
            l.values().forEach(v::add);
            var a = o.putObject("aliases");
            new java.util.TreeMap<>(l.aliases()).forEach(a::put);
        }
        var list = root.putArray("tasks");
        for (Task t : tasks.values()) {
            var o = list.addObject();
            o.put("tag", t.tag());
            o.put("name", t.name());
            o.put("description", t.description());
            o.put("target", t.target().id);
            var l = o.putArray("labels");
            t.labels().forEach(l::add);
            var p = o.putArray("prompts");
            t.prompts().forEach(p::add);
            if (t.demoPrompt() != null) o.put("demo_prompt", t.demoPrompt());
        }
        try {
            return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(root);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot serialise task registry", e);
        }
    }

    /** Writes {@link #toJson()} atomically, e.g. to start a task file from OSUM's tasks. */
    public void save(Path file) throws IOException {
        Path abs = file.toAbsolutePath();
        Files.createDirectories(abs.getParent());
        Path tmp = Files.createTempFile(abs.getParent(), abs.getFileName().toString(), ".tmp");
        try {
            Files.writeString(tmp, toJson(), StandardCharsets.UTF_8);
            Files.move(tmp, abs, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    // ---- file parsing ---------------------------------------------------------------------------------

    private static TaskRegistry parse(JsonNode root, String origin, TaskRegistry base) {
        if (root == null || !root.isObject()) throw new IllegalArgumentException(origin + ": expected an object with label_sets and tasks");
        checkKeys(root, FILE_KEYS, origin);
        Map<String, LabelSet> sets = new LinkedHashMap<>(base.labelSets);
        for (Iterator<Map.Entry<String, JsonNode>> it = root.path("label_sets").fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            String where = origin + ": label_sets." + e.getKey();
            checkKeys(e.getValue(), LABEL_KEYS, where);
            Map<String, String> aliases = new LinkedHashMap<>();
            e.getValue().path("aliases").fields().forEachRemaining(a -> aliases.put(a.getKey(), a.getValue().asText()));
            try {
                sets.put(e.getKey(), new LabelSet(e.getKey(), strings(e.getValue().path("values"), where + ".values"), aliases));
            } catch (IllegalArgumentException ex) {
                throw new IllegalArgumentException(where + ": " + ex.getMessage(), ex);
            }
        }
        Map<String, Task> tasks = new LinkedHashMap<>(base.tasks);
        JsonNode list = root.path("tasks");
        if (!list.isMissingNode() && !list.isArray()) throw new IllegalArgumentException(origin + ": 'tasks' must be a list");
        for (int i = 0; i < list.size(); i++) {
            JsonNode t = list.get(i);
            String where = origin + ": tasks[" + i + "]";
            checkKeys(t, TASK_KEYS, where);
            if (!t.path("tag").isTextual()) throw new IllegalArgumentException(where + ": missing string 'tag'");
            try {
                Task task = new Task(t.get("tag").asText(), t.path("name").asText(t.get("tag").asText()),
                        t.path("description").asText(""), Task.TargetKind.of(t.path("target").asText("transcript+labels")),
                        strings(t.path("labels"), where + ".labels"), strings(t.path("prompts"), where + ".prompts"),
                        t.path("demo_prompt").isTextual() ? t.get("demo_prompt").asText() : null);
                tasks.put(task.tag(), task);
            } catch (IllegalArgumentException ex) {
                throw new IllegalArgumentException(where + ": " + ex.getMessage(), ex);
            }
        }
        try {
            return new TaskRegistry(tasks, sets);
        } catch (IllegalArgumentException ex) {
            throw new IllegalArgumentException(origin + ": " + ex.getMessage(), ex);
        }
    }

    private static void checkKeys(JsonNode node, Set<String> allowed, String where) {
        if (!node.isObject()) throw new IllegalArgumentException(where + ": expected an object");
        node.fieldNames().forEachRemaining(k -> {
            if (!allowed.contains(k)) throw new IllegalArgumentException(where + ": unknown key '" + k + "'; allowed " + allowed);
        });
    }

    private static List<String> strings(JsonNode node, String where) {
        if (node.isMissingNode() || node.isNull()) return List.of();
        if (!node.isArray()) throw new IllegalArgumentException(where + ": expected a list of strings");
        List<String> out = new ArrayList<>();
        for (JsonNode n : node) {
            if (!n.isTextual()) throw new IllegalArgumentException(where + ": expected strings, got " + n);
            out.add(n.asText());
        }
        return out;
    }

    @Override
    public String toString() {
        return "TaskRegistry" + tasks.values().stream().map(t -> t.name() + "=" + t.tag() + "(" + t.prompts().size() + " prompts)").toList();
    }
}
