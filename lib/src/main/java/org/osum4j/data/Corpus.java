package org.osum4j.data;

import org.osum4j.notebook.Rich;
import org.osum4j.notebook.Tables;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A speech corpus as OSUM list items, for notebooks and {@code ./osum prepare}: load a corpus in its own
 * layout ({@link #librispeech}, {@link #iemocap}) or an existing OSUM list ({@link #list}), pick the tasks,
 * look at it ({@link #manifest()}, {@link #charts()}, {@link #loadReport()}) and save it as a jsonl list.
 * Immutable: {@code with...} returns a copy. Nothing is dropped silently: loading counts skipped files in
 * {@link #loadReport()}, building items counts recordings that lack a task's label in {@link #taskReport()}.
 * Not a shard writer ({@link Shards}) or an audio decoder (durations come from file headers).
 *
 * <pre>{@code
 * Corpus ls = Corpus.librispeech("data/fixtures/LibriSpeech").withTasks("<TRANSCRIBE>", "<TRANSCRIBE> <GENDER>");
 * ls.manifest().summary();          // per-task counts and hours
 * ls.charts().durations();          // duration histogram
 * ls.save("out/librispeech.jsonl"); // atomic
 * }</pre>
 *
 * <p>With one task an item's key is the corpus id; with several, each recording gives one item per task,
 * keyed {@code <id>_<task name in lower case>} (e.g. {@code 9001-1010-0000_sgc}) so keys stay unique.
 */
public final class Corpus implements Rich {

    /** What a loader does with a recording whose audio, transcript or evaluation is missing. */
    public enum OnMissing {
        /** skip it and count it in the load report (reason + file:line) */
        SKIP,
        /** stop with a {@link DataFormatException} naming the file and line */
        FAIL
    }

    public static final String LIBRISPEECH_TASK = "<TRANSCRIBE>";
    public static final List<String> IEMOCAP_TASKS = List.of("<TRANSCRIBE> <EMOTION>", "<TRANSCRIBE> <GENDER>");
    /** Language tag written into items of the English corpora (shard metadata only, spec §2.3). */
    public static final String ENGLISH = "en";
    public static final String AUDIO_NOT_FOUND = "audio file not found";
    public static final String NO_WAV = "no wav path";
    public static final String OTHER_TASK = "task not selected";

    private static final Pattern MARKER = Pattern.compile("\\[[^\\]]*]|<[^>]*>");
    private static final Pattern NOT_WORD = Pattern.compile("[^\\p{L}\\p{N}'\\s]+");
    private static final Pattern SPACES = Pattern.compile("\\s+");

    private final String name;
    private final List<CorpusEntry> entries;      // null for a corpus read from an OSUM list
    private final List<Utterance> listItems;      // null for a corpus loaded from its own layout
    private final List<String> tasks;             // canonical tags; for a list corpus empty = all of its items
    private final TaskRegistry registry;
    private final Report loadReport;
    private List<Utterance> built;                // lazily built items (guarded by this)
    private Report taskReport;

    private Corpus(String name, List<CorpusEntry> entries, List<Utterance> listItems, List<String> tasks,
                   TaskRegistry registry, Report loadReport) {
        this.name = name;
        this.entries = entries == null ? null : List.copyOf(entries);
        this.listItems = listItems == null ? null : List.copyOf(listItems);
        this.tasks = tasks.stream().map(TaskRegistry::normalizeTag).distinct().toList();
        this.registry = registry;
        this.loadReport = loadReport;
        if (entries != null) {
            if (this.tasks.isEmpty()) throw new IllegalArgumentException("corpus " + name + ": no task selected");
            for (String t : this.tasks) checkBuildable(t);
        }
    }

    // ---- loading -----------------------------------------------------------------------------------

    /** A LibriSpeech tree ({@link LibriSpeech}) as {@code <TRANSCRIBE>} items; missing files are skipped and counted. */
    public static Corpus librispeech(Path dir) {
        return librispeech(dir, OnMissing.SKIP);
    }

    public static Corpus librispeech(String dir) {
        return librispeech(Path.of(dir));
    }

    public static Corpus librispeech(Path dir, OnMissing onMissing) {
        Report r = new Report("load LibriSpeech " + dir);
        List<CorpusEntry> e = LibriSpeech.load(dir, onMissing, r);
        return new Corpus("LibriSpeech", e, null, List.of(LIBRISPEECH_TASK), TaskRegistry.osum(), r);
    }

    /**
     * An IEMOCAP release ({@link Iemocap}) as {@code <TRANSCRIBE> <EMOTION>} and {@code <TRANSCRIBE> <GENDER>}
     * items, emotions mapped by {@link Iemocap#OSUM_EMOTIONS}; missing files are skipped and counted.
     */
    public static Corpus iemocap(Path dir) {
        return iemocap(dir, Iemocap.OSUM_EMOTIONS, OnMissing.SKIP);
    }

    public static Corpus iemocap(String dir) {
        return iemocap(Path.of(dir));
    }

    public static Corpus iemocap(Path dir, OnMissing onMissing) {
        return iemocap(dir, Iemocap.OSUM_EMOTIONS, onMissing);
    }

    /** IEMOCAP with another code → emotion mapping (a code not in it gives no EMOTION label, counted). */
    public static Corpus iemocap(Path dir, Map<String, String> emotions, OnMissing onMissing) {
        LabelSet set = TaskRegistry.osum().labelSet("EMOTION");
        for (Map.Entry<String, String> e : emotions.entrySet())
            if (!set.accepts(e.getValue()))
                throw new IllegalArgumentException("emotion mapping " + e.getKey() + " -> " + e.getValue() + ": not one of " + set.values());
        Report r = new Report("load IEMOCAP " + dir);
        List<CorpusEntry> e = Iemocap.load(dir, emotions, onMissing, r);
        return new Corpus("IEMOCAP", e, null, IEMOCAP_TASKS, TaskRegistry.osum(), r);
    }

    /**
     * An existing OSUM jsonl list (a bad line is an error naming file and line). Relative {@code wav} paths
     * are resolved against the list's folder; a missing {@code duration} is filled from
     * {@code extra.duration} or the FLAC/WAV header; items whose audio does not exist are skipped and counted.
     */
    public static Corpus list(Path file) {
        return list(file, OnMissing.SKIP);
    }

    public static Corpus list(String file) {
        return list(Path.of(file));
    }

    public static Corpus list(Path file, OnMissing onMissing) {
        Path abs = file.toAbsolutePath().normalize();
        Report r = new Report("load list " + file);
        List<Utterance> out = new ArrayList<>();
        List<Utterance> items = DataList.read(abs);
        for (Utterance u : items) {
            r.seen();
            if (u.wav() == null || u.wav().isBlank()) {
                if (onMissing == OnMissing.FAIL) throw new DataFormatException(abs, 0, "item " + u.key() + ": no wav path");
                r.skip(NO_WAV, u.key(), null);
                continue;
            }
            Path wav = abs.getParent().resolve(u.wav()).normalize();
            if (!Files.isRegularFile(wav)) {
                if (onMissing == OnMissing.FAIL) throw new DataFormatException(abs, 0, "item " + u.key() + ": audio not found: " + wav);
                r.skip(AUDIO_NOT_FOUND, u.key(), wav.toString());
                continue;
            }
            Utterance v = u.withWav(wav.toString());
            if (v.duration() == null) {
                Object d = u.extra().get("duration");
                Double sec = d instanceof Number n ? n.doubleValue() : AudioHeader.seconds(wav);
                if (sec != null) {
                    v = v.withDuration(sec);
                    r.change(d instanceof Number ? "duration from extra.duration" : "duration from audio header", u.key(), null);
                }
            }
            out.add(v);
            r.kept();
        }
        return new Corpus(file.getFileName().toString(), null, out, List.of(), TaskRegistry.osum(), r);
    }

    /** A corpus of entries made elsewhere (a custom loader), built into items of the given tasks. */
    public static Corpus of(String name, List<CorpusEntry> entries, String... tasks) {
        return new Corpus(name, entries, null, List.of(tasks), TaskRegistry.osum(), new Report("load " + name));
    }

    // ---- choosing tasks ----------------------------------------------------------------------------

    /**
     * A copy that builds items of these task tags (transcript or transcript+labels tasks, e.g.
     * {@code <TRANSCRIBE>}, {@code "<TRANSCRIBE><GENDER>"}). For a corpus read from a list: keeps only the
     * items of these tasks (the others are counted in {@link #taskReport()}).
     */
    public Corpus withTasks(String... tags) {
        if (tags.length == 0) throw new IllegalArgumentException("withTasks: give at least one task tag");
        return new Corpus(name, entries, listItems, List.of(tags), registry, loadReport);
    }

    /** A copy whose tasks and label vocabularies come from another registry (models with their own tasks). */
    public Corpus withRegistry(TaskRegistry tasks) {
        return new Corpus(name, entries, listItems, this.tasks, Objects.requireNonNull(tasks, "registry"), loadReport);
    }

    public String name() {
        return name;
    }

    /** The selected task tags (empty for a list corpus that keeps all its items). */
    public List<String> tasks() {
        return tasks;
    }

    /** The recordings as loaded (empty for a corpus read from a list). */
    public List<CorpusEntry> entries() {
        return entries == null ? List.of() : entries;
    }

    // ---- items ---------------------------------------------------------------------------------------

    /** The OSUM list items (absolute wav paths), one per recording and task. */
    public synchronized List<Utterance> utterances() {
        if (built == null) build();
        return built;
    }

    /** What loading skipped (missing audio/transcripts) and changed (labels not mapped, durations filled). */
    public Report loadReport() {
        return loadReport;
    }

    /** What building the items skipped: recordings without a task's label, list items of other tasks. */
    public synchronized Report taskReport() {
        if (built == null) build();
        return taskReport;
    }

    public Manifest manifest() {
        return Manifest.of(utterances(), registry);
    }

    /** Charts of the manifest: duration histogram, label counts per task. */
    public ManifestCharts charts() {
        return ManifestCharts.of(manifest());
    }

    /** Total audio hours of the items (an item counts once per task it appears in). */
    public double hours() {
        return manifest().hours();
    }

    /**
     * Writes the items as a jsonl list, atomically. Audio inside the list's folder is written relative to it
     * (the list and its audio can move together), other audio with absolute paths.
     */
    public Path save(Path listPath) {
        Path abs = listPath.toAbsolutePath().normalize();
        Path base = abs.getParent();
        List<Utterance> out = new ArrayList<>();
        for (Utterance u : utterances()) {
            Path wav = Path.of(u.wav());
            out.add(wav.startsWith(base) ? u.withWav(base.relativize(wav).toString()) : u);
        }
        DataList.write(abs, out);
        return abs;
    }

    public Path save(String listPath) {
        return save(Path.of(listPath));
    }

    /**
     * The transcript normalisation applied to corpus text (OSUM's data carry lower-case transcripts without
     * punctuation): drops {@code [LAUGHTER]}-style markers and {@code <..>} tags, turns punctuation
     * (except apostrophes, which LibriSpeech keeps: {@code don't}, {@code james'}) into spaces, lower-cases and
     * collapses white space.
     */
    public static String normalizeTranscript(String raw) {
        String s = MARKER.matcher(raw).replaceAll(" ");
        s = NOT_WORD.matcher(s).replaceAll(" ");
        s = s.toLowerCase(Locale.ROOT);
        return SPACES.matcher(s).replaceAll(" ").strip();
    }

    // ---- building ----------------------------------------------------------------------------------

    private void checkBuildable(String tag) {
        if (!registry.has(tag)) throw new IllegalArgumentException("unknown task " + tag + "; known " + registry.tags());
        Task t = registry.get(tag);
        if (t.target() != Task.TargetKind.TRANSCRIPT && t.target() != Task.TargetKind.TRANSCRIPT_LABELS)
            throw new IllegalArgumentException("task " + tag + " (" + t.target().id + "): a corpus can build only transcript or "
                    + "transcript+labels targets from transcripts and labels");
    }

    private void build() {
        Report r = new Report(name + " → " + (tasks.isEmpty() ? "all tasks" : String.join(", ", tasks)));
        List<Utterance> out = new ArrayList<>();
        if (entries == null) {
            for (Utterance u : listItems) {
                r.seen();
                if (!tasks.isEmpty() && !tasks.contains(u.taskTag())) {
                    r.skip(OTHER_TASK, u.key(), u.taskTag());
                    continue;
                }
                out.add(u);
                r.kept();
            }
        } else {
            List<Task> ts = tasks.stream().map(registry::get).toList();
            for (CorpusEntry e : entries) {
                for (Task t : ts) {
                    r.seen();
                    String[] labels = new String[t.labels().size()];
                    String missing = null;
                    for (int i = 0; i < labels.length; i++) {
                        labels[i] = e.labels().get(t.labels().get(i));
                        if (labels[i] == null) missing = t.labels().get(i);
                    }
                    String key = ts.size() == 1 ? e.key() : e.key() + "_" + t.name().toLowerCase(Locale.ROOT).replace('+', '_');
                    if (missing != null) {
                        Object raw = e.extra().get("raw_" + missing.toLowerCase(Locale.ROOT));
                        r.skip("no " + missing + " label for " + t.tag(), key, raw == null ? "" : "raw '" + raw + "'");
                        continue;
                    }
                    String txt = registry.target(t, e.transcript(), labels);
                    out.add(new Utterance(key, e.audio().toString(), txt, t.tag(), ENGLISH, e.speaker(),
                            e.labels().get("EMOTION"), e.labels().get("GENDER"), e.duration(), null, null, e.extra(), null));
                    r.kept();
                }
            }
        }
        built = List.copyOf(out);
        taskReport = r;
    }

    // ---- display -------------------------------------------------------------------------------------

    @Override
    public String toString() {
        return name + ": " + utterances().size() + " items, " + String.format(Locale.ROOT, "%.3f", hours()) + " h\n"
                + manifest().summary().print() + "\n" + loadReport + "\n" + taskReport();
    }

    @Override
    public Map<String, String> mimeBundle() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("text/plain", toString());
        m.put("text/html", "<b>" + name + "</b>: " + utterances().size() + " items"
                + Tables.html(manifest().summary(), Tables.DEFAULT_MAX_ROWS)
                + loadReport.mimeBundle().get("text/html") + taskReport().mimeBundle().get("text/html"));
        return m;
    }
}
