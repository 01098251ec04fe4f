package org.osum4j.eval;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.osum4j.data.LabelSet;
import org.osum4j.data.Task;
import org.osum4j.data.TaskRegistry;
import org.osum4j.notebook.Rich;
import tech.tablesaw.api.BooleanColumn;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.IntColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * A test set scored task by task, as {@code ./osum eval} reports it: transcript error rate (OSUM's WER/CER
 * rules) with a bootstrap interval, accuracy and a confusion matrix per label set, AAS with coverage for SRWT,
 * normalised answer accuracy for STTC, and counts of missing, malformed and flagged outputs. Missing
 * hypotheses are scored as empty outputs (all errors), never skipped. Inputs are already parsed (this package
 * does not know the results-file format); {@link #compare} pairs two systems on the same references.
 */
public final class Evaluation implements Rich {

    /** Seed of every bootstrap here, so a report is reproducible. */
    public static final long SEED = 20250123L;
    /** Row name of the corpus-wide transcript score. */
    public static final String ALL = "all";
    /** Flag names beside {@link OutputFlags.Flag}: a hypothesis that is absent, or does not fit its task. */
    public static final String MISSING = "MISSING";
    public static final String MALFORMED = "MALFORMED";

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int WORST_IN_HTML = 20;

    /**
     * One utterance to score.
     *
     * @param key        utterance id
     * @param task       its task (from the reference list)
     * @param refText    reference target as written
     * @param ref        reference parts
     * @param refProblem why the reference does not fit its task, or null
     * @param hypText    model output as written ("" when missing)
     * @param hyp        output parts
     * @param hypProblem why the output does not fit its task, or null
     * @param missing    no output for this key
     */
    public record Item(String key, Task task, String refText, TaskRegistry.ParsedTarget ref, String refProblem,
                       String hypText, TaskRegistry.ParsedTarget hyp, String hypProblem, boolean missing) {
        public boolean malformed() {
            return hypProblem != null;
        }
    }

    /** One utterance scored. {@code labelOk[i]} is null when the reference has no label for set i. */
    public record Scoring(Item item, Alignment alignment, Boolean[] labelOk, Aas aas, Boolean answerOk, Set<String> flags) {
        /** Correct labels (for the better/worse comparison). */
        public int labelsCorrect() {
            int n = 0;
            for (Boolean b : labelOk) if (Boolean.TRUE.equals(b)) n++;
            return n;
        }
    }

    /** Accuracy of one label set with its confusion matrix. */
    public record LabelScore(String labelSet, int n, Bootstrap.Interval accuracy, Confusion confusion) {}

    /** Headline numbers of one task (or {@link #ALL}); absent parts are null. */
    public record TaskResult(String tag, String name, int utterances, int missing, int malformed, int badRefs,
                             ErrorRate transcript, Bootstrap.Interval transcriptCi, List<LabelScore> labels,
                             Aas aas, Bootstrap.Interval aasCi, int answered, Bootstrap.Interval answerAccuracy,
                             Map<String, Integer> flags) {}

    private final List<Scoring> scored;
    private final Map<String, TaskResult> tasks;
    private final List<String> extraKeys;
    private final TaskRegistry registry;

    private Evaluation(List<Scoring> scored, Map<String, TaskResult> tasks, List<String> extraKeys, TaskRegistry registry) {
        this.scored = Collections.unmodifiableList(scored);
        this.tasks = Collections.unmodifiableMap(tasks);
        this.extraKeys = List.copyOf(extraKeys);
        this.registry = registry;
    }

    /**
     * Scores items (reference order is kept). {@code extraKeys}: hypothesis keys with no reference, reported
     * but not scored. {@code registry} supplies the label vocabularies.
     */
    public static Evaluation of(List<Item> items, List<String> extraKeys, TaskRegistry registry) {
        List<Scoring> scored = new ArrayList<>(items.size());
        for (Item it : items) scored.add(score(it, registry));
        Map<String, List<Scoring>> byTask = new TreeMap<>();
        for (Scoring s : scored) byTask.computeIfAbsent(s.item().task().tag(), k -> new ArrayList<>()).add(s);
        Map<String, TaskResult> results = new LinkedHashMap<>();
        if (!scored.isEmpty()) results.put(ALL, summarise(ALL, ALL, null, scored, registry));
        byTask.forEach((tag, list) -> results.put(tag, summarise(tag, list.get(0).item().task().name(), list.get(0).item().task(), list, registry)));
        return new Evaluation(scored, results, extraKeys, registry);
    }

    private static Scoring score(Item it, TaskRegistry registry) {
        Task task = it.task();
        Alignment a = Alignment.ofText(it.ref().transcript(), it.hyp().transcript());
        Boolean[] labelOk = new Boolean[task.labels().size()];
        for (int i = 0; i < labelOk.length; i++) {
            String r = i < it.ref().labels().size() ? it.ref().labels().get(i) : null;
            String h = i < it.hyp().labels().size() ? it.hyp().labels().get(i) : null;
            labelOk[i] = r == null ? null : r.equals(h);
        }
        Aas aas = task.target() == Task.TargetKind.TIMESTAMPS && !it.ref().words().isEmpty()
                ? Aas.of(it.ref().words(), it.hyp().words()) : null;
        Boolean answerOk = task.target() == Task.TargetKind.TRANSCRIPT_ANSWER && !it.ref().answer().isEmpty()
                ? ChatAccuracy.correct(it.ref().answer(), it.hyp().answer()) : null;
        Set<String> flags = new java.util.TreeSet<>();
        if (it.missing()) {
            flags.add(MISSING);
        } else {
            Set<String> vocab = new HashSet<>();
            if (!task.labels().isEmpty())
                for (String v : registry.labelSet(task.labels().get(0)).values()) vocab.add(v.toLowerCase(Locale.ROOT));
            for (OutputFlags.Flag f : OutputFlags.of(it.hypText(), it.refText(), task.target() == Task.TargetKind.TRANSCRIPT_ANSWER, vocab))
                flags.add(f.name());
            if (it.malformed()) flags.add(MALFORMED);
        }
        return new Scoring(it, a, labelOk, aas, answerOk, flags);
    }

    private static TaskResult summarise(String tag, String name, Task task, List<Scoring> list, TaskRegistry registry) {
        int missing = 0, malformed = 0, badRefs = 0;
        Map<String, Integer> flags = new TreeMap<>();
        for (Scoring s : list) {
            if (s.item().missing()) missing++;
            else if (s.item().malformed()) malformed++;
            if (s.item().refProblem() != null) badRefs++;
            for (String f : s.flags()) flags.merge(f, 1, Integer::sum);
        }
        List<Scoring> withTranscript = list.stream().filter(s -> s.item().task().hasTranscript()).toList();
        ErrorRate er = null;
        Bootstrap.Interval erCi = null;
        if (!withTranscript.isEmpty()) {
            List<Alignment> al = withTranscript.stream().map(Scoring::alignment).toList();
            er = ErrorRate.of(al);
            double[][] p = Bootstrap.werPairs(al);
            erCi = Bootstrap.ratio(p[0], p[1], Bootstrap.DEFAULT_RESAMPLES, Bootstrap.DEFAULT_LEVEL, SEED);
        }
        List<LabelScore> labels = new ArrayList<>();
        Aas aas = null;
        Bootstrap.Interval aasCi = null;
        int answered = 0;
        Bootstrap.Interval answerAcc = null;
        if (task != null) {
            for (int i = 0; i < task.labels().size(); i++) {
                LabelSet set = registry.labelSet(task.labels().get(i));
                List<String> refs = new ArrayList<>(), hyps = new ArrayList<>();
                List<Boolean> ok = new ArrayList<>();
                for (Scoring s : list) {
                    if (s.labelOk()[i] == null) continue;
                    refs.add(s.item().ref().labels().get(i));
                    hyps.add(i < s.item().hyp().labels().size() ? s.item().hyp().labels().get(i) : null);
                    ok.add(s.labelOk()[i]);
                }
                if (refs.isEmpty()) continue;
                labels.add(new LabelScore(set.name(), refs.size(), accuracyCi(ok), Confusion.of(set.name(), set.values(), refs, hyps)));
            }
            List<Aas> perUtt = list.stream().map(Scoring::aas).filter(java.util.Objects::nonNull).toList();
            if (!perUtt.isEmpty()) {
                aas = Aas.pooled(perUtt);
                double[][] p = Aas.bootstrapPairs(perUtt);
                if (aas.matched() > 0) aasCi = Bootstrap.ratio(p[0], p[1], Bootstrap.DEFAULT_RESAMPLES, Bootstrap.DEFAULT_LEVEL, SEED);
            }
            List<Boolean> ans = list.stream().map(Scoring::answerOk).filter(java.util.Objects::nonNull).toList();
            answered = ans.size();
            if (!ans.isEmpty()) answerAcc = accuracyCi(ans);
        }
        return new TaskResult(tag, name, list.size(), missing, malformed, badRefs, er, erCi, labels, aas, aasCi,
                answered, answerAcc, flags);
    }

    private static Bootstrap.Interval accuracyCi(List<Boolean> ok) {
        boolean[] b = new boolean[ok.size()];
        for (int i = 0; i < b.length; i++) b[i] = ok.get(i);
        double[][] p = Bootstrap.accuracyPairs(b);
        return Bootstrap.ratio(p[0], p[1], Bootstrap.DEFAULT_RESAMPLES, Bootstrap.DEFAULT_LEVEL, SEED);
    }

    // ---- access ----------------------------------------------------------------------------------------

    public List<Scoring> utterances() {
        return scored;
    }

    /** {@link #ALL} first, then each task by tag. */
    public Map<String, TaskResult> tasks() {
        return tasks;
    }

    public TaskResult task(String tag) {
        TaskResult t = tasks.get(tag.equals(ALL) ? ALL : TaskRegistry.normalizeTag(tag));
        if (t == null) throw new IllegalArgumentException("no scores for task '" + tag + "'; have " + tasks.keySet());
        return t;
    }

    public List<String> missingKeys() {
        return scored.stream().filter(s -> s.item().missing()).map(s -> s.item().key()).toList();
    }

    public List<String> extraKeys() {
        return extraKeys;
    }

    public List<Scoring> malformed() {
        return scored.stream().filter(s -> !s.item().missing() && s.item().malformed()).toList();
    }

    /** The drill-down report of the transcripts (worst utterances, alignments, per-utterance table). */
    public ErrorReport errorReport() {
        List<ErrorReport.Item> items = new ArrayList<>();
        for (Scoring s : scored) items.add(new ErrorReport.Item(s.item().key(), s.item().task().tag(), s.item().refText(), s.item().hypText()));
        return ErrorReport.of(items, tag -> {
            if (!registry.has(tag) || registry.get(tag).labels().isEmpty()) return Set.of();
            Set<String> v = new HashSet<>();
            for (String l : registry.labelSet(registry.get(tag).labels().get(0)).values()) v.add(l.toLowerCase(Locale.ROOT));
            return v;
        });
    }

    /**
     * One row per utterance, in reference order, for drilling down with Tablesaw: {@code key, task, name,
     * ref_tokens, sub, del, ins, errors, err_rate} (the transcript alignment; err_rate is NaN for an empty
     * reference), {@code ref_label, hyp_label, label_ok} (the task's first label set; missing where the task has
     * none), {@code answer_ok} (STTC), {@code aas_ms} (SRWT, NaN elsewhere), {@code flags} (space-separated),
     * {@code ref, hyp} (as written) and {@code alignment} (colour-marked HTML, {@link AlignmentHtml}; show it
     * with {@code Tables.rich(t).htmlColumns("alignment")}). Join other per-key columns (speaker, duration)
     * with {@code table.joinOn("key")}.
     */
    public Table table() {
        Table t = Table.create("utterances",
                StringColumn.create("key"), StringColumn.create("task"), StringColumn.create("name"),
                IntColumn.create("ref_tokens"), IntColumn.create("sub"), IntColumn.create("del"), IntColumn.create("ins"),
                IntColumn.create("errors"), DoubleColumn.create("err_rate"),
                StringColumn.create("ref_label"), StringColumn.create("hyp_label"), BooleanColumn.create("label_ok"),
                BooleanColumn.create("answer_ok"), DoubleColumn.create("aas_ms"), StringColumn.create("flags"),
                StringColumn.create("ref"), StringColumn.create("hyp"), StringColumn.create("alignment"));
        for (Scoring s : scored) {
            Item it = s.item();
            Alignment a = s.alignment();
            t.stringColumn("key").append(it.key());
            t.stringColumn("task").append(it.task().tag());
            t.stringColumn("name").append(it.task().name());
            t.intColumn("ref_tokens").append(a.refLength());
            t.intColumn("sub").append(a.substitutions());
            t.intColumn("del").append(a.deletions());
            t.intColumn("ins").append(a.insertions());
            t.intColumn("errors").append(a.errors());
            t.doubleColumn("err_rate").append(a.refLength() == 0 ? Double.NaN : a.errorRate());
            Boolean ok = s.labelOk().length == 0 ? null : s.labelOk()[0];
            if (ok == null) {
                t.stringColumn("ref_label").appendMissing();
                t.stringColumn("hyp_label").appendMissing();
                t.booleanColumn("label_ok").appendMissing();
            } else {
                t.stringColumn("ref_label").append(it.ref().labels().get(0));
                t.stringColumn("hyp_label").append(it.hyp().labels().isEmpty() ? "" : it.hyp().labels().get(0));
                t.booleanColumn("label_ok").append(ok);
            }
            if (s.answerOk() == null) t.booleanColumn("answer_ok").appendMissing();
            else t.booleanColumn("answer_ok").append(s.answerOk());
            t.doubleColumn("aas_ms").append(s.aas() == null || s.aas().matched() == 0 ? Double.NaN : s.aas().meanShiftMs());
            t.stringColumn("flags").append(String.join(" ", s.flags()));
            t.stringColumn("ref").append(it.refText());
            t.stringColumn("hyp").append(it.hypText());
            t.stringColumn("alignment").append(AlignmentHtml.render(a));
        }
        return t;
    }

    /** The transcript alignments of every utterance, in reference order (for {@link ErrorBreakdown}). */
    public List<Alignment> alignments() {
        return scored.stream().map(Scoring::alignment).toList();
    }

    // ---- comparison ------------------------------------------------------------------------------------

    /** One utterance whose score changed between system A (this) and B. */
    public record Change(String key, String task, int errorsA, int errorsB, int labelsOkA, int labelsOkB) {}

    /** Paired significance of one metric of one task: B − A with its interval and p-value. */
    public record MetricComparison(String task, String metric, double a, double b, Bootstrap.Comparison test) {}

    /** Two systems on the same references: per-metric paired tests, and the utterances that got better or worse. */
    public record Comparison(List<MetricComparison> metrics, List<Change> better, List<Change> worse) {}

    /**
     * Compares this system (A) with {@code b} on the same reference keys: paired bootstrap of the transcript
     * error rate, each label accuracy, AAS and answer accuracy per task; an utterance is better in B when it has
     * fewer transcript errors, or as many and more correct labels (worse: the other way round).
     */
    public Comparison compare(Evaluation b) {
        Map<String, Scoring> bByKey = new LinkedHashMap<>();
        for (Scoring s : b.scored) bByKey.put(s.item().key(), s);
        if (bByKey.size() != scored.size() || !scored.stream().allMatch(s -> bByKey.containsKey(s.item().key())))
            throw new IllegalArgumentException("systems were scored on different reference keys (" + scored.size() + " vs " + bByKey.size() + ")");
        List<MetricComparison> metrics = new ArrayList<>();
        List<Change> better = new ArrayList<>(), worse = new ArrayList<>();
        Map<String, List<Scoring[]>> byTask = new TreeMap<>();
        for (Scoring sa : scored) {
            Scoring sb = bByKey.get(sa.item().key());
            byTask.computeIfAbsent(sa.item().task().tag(), k -> new ArrayList<>()).add(new Scoring[]{sa, sb});
            Change c = new Change(sa.item().key(), sa.item().task().tag(), sa.alignment().errors(), sb.alignment().errors(),
                    sa.labelsCorrect(), sb.labelsCorrect());
            int d = Integer.compare(c.errorsA(), c.errorsB());
            if (d == 0) d = Integer.compare(c.labelsOkB(), c.labelsOkA());
            if (d > 0) better.add(c);
            else if (d < 0) worse.add(c);
        }
        for (Map.Entry<String, List<Scoring[]>> e : byTask.entrySet()) {
            String tag = e.getKey();
            List<Scoring[]> pairs = e.getValue();
            Task task = pairs.get(0)[0].item().task();
            int n = pairs.size();
            if (task.hasTranscript()) {
                double[][] m = new double[4][n];
                for (int k = 0; k < n; k++) {
                    m[0][k] = pairs.get(k)[0].alignment().errors();
                    m[1][k] = pairs.get(k)[0].alignment().refLength();
                    m[2][k] = pairs.get(k)[1].alignment().errors();
                    m[3][k] = pairs.get(k)[1].alignment().refLength();
                }
                metrics.add(paired(tag, "transcript_error", m));
            }
            for (int i = 0; i < task.labels().size(); i++) {
                final int li = i;
                List<Scoring[]> lab = pairs.stream().filter(p -> p[0].labelOk()[li] != null).toList();
                if (lab.isEmpty()) continue;
                double[][] m = new double[4][lab.size()];
                for (int k = 0; k < lab.size(); k++) {
                    m[0][k] = lab.get(k)[0].labelOk()[i] ? 1 : 0;
                    m[1][k] = 1;
                    m[2][k] = lab.get(k)[1].labelOk()[i] ? 1 : 0;
                    m[3][k] = 1;
                }
                metrics.add(paired(tag, "accuracy_" + task.labels().get(i), m));
            }
            List<Scoring[]> timed = pairs.stream().filter(p -> p[0].aas() != null).toList();
            if (!timed.isEmpty()) {
                double[][] m = new double[4][timed.size()];
                for (int k = 0; k < timed.size(); k++) {
                    Aas a = timed.get(k)[0].aas(), bb = timed.get(k)[1].aas();
                    m[0][k] = a.startShiftMs() + a.endShiftMs();
                    m[1][k] = 2.0 * a.matched();
                    m[2][k] = bb.startShiftMs() + bb.endShiftMs();
                    m[3][k] = 2.0 * bb.matched();
                }
                metrics.add(paired(tag, "aas_ms", m));
            }
            List<Scoring[]> chat = pairs.stream().filter(p -> p[0].answerOk() != null).toList();
            if (!chat.isEmpty()) {
                double[][] m = new double[4][chat.size()];
                for (int k = 0; k < chat.size(); k++) {
                    m[0][k] = chat.get(k)[0].answerOk() ? 1 : 0;
                    m[1][k] = 1;
                    m[2][k] = chat.get(k)[1].answerOk() ? 1 : 0;
                    m[3][k] = 1;
                }
                metrics.add(paired(tag, "answer_accuracy", m));
            }
        }
        return new Comparison(metrics, better, worse);
    }

    /**
     * A comparison's paired tests as a table: {@code task, metric, a, b, difference} (B − A) with its
     * {@code low, high} interval and the two-sided {@code p_value}. Lower is better for transcript_error and
     * aas_ms, higher for the accuracies.
     */
    public static Table comparisonTable(Comparison c) {
        Table t = Table.create("B − A, paired bootstrap", StringColumn.create("task"), StringColumn.create("metric"),
                DoubleColumn.create("a"), DoubleColumn.create("b"), DoubleColumn.create("difference"),
                DoubleColumn.create("low"), DoubleColumn.create("high"), DoubleColumn.create("p_value"));
        for (MetricComparison m : c.metrics()) {
            Bootstrap.Interval d = m.test().difference();
            t.stringColumn("task").append(m.task());
            t.stringColumn("metric").append(m.metric());
            t.doubleColumn("a").append(m.a());
            t.doubleColumn("b").append(m.b());
            t.doubleColumn("difference").append(d.estimate());
            t.doubleColumn("low").append(d.low());
            t.doubleColumn("high").append(d.high());
            t.doubleColumn("p_value").append(m.test().pValue());
        }
        return t;
    }

    private static MetricComparison paired(String task, String metric, double[][] m) {
        Bootstrap.Comparison c = Bootstrap.paired(m[0], m[1], m[2], m[3], Bootstrap.DEFAULT_RESAMPLES, Bootstrap.DEFAULT_LEVEL, SEED);
        return new MetricComparison(task, metric, ratio(m[0], m[1]), ratio(m[2], m[3]), c);
    }

    private static double ratio(double[] num, double[] den) {
        double n = 0, d = 0;
        for (int i = 0; i < num.length; i++) {
            n += num[i];
            d += den[i];
        }
        return d == 0 ? 0 : n / d;
    }

    // ---- reports ---------------------------------------------------------------------------------------

    /** The report as JSON: summary, per-task scores (with confusion matrices), missing/extra/malformed keys. */
    public ObjectNode toJson() {
        ObjectNode root = JSON.createObjectNode();
        ObjectNode sum = root.putObject("summary");
        sum.put("utterances", scored.size());
        sum.put("missing", missingKeys().size());
        sum.put("extra", extraKeys.size());
        sum.put("malformed", malformed().size());
        sum.put("bad_refs", (int) scored.stream().filter(s -> s.item().refProblem() != null).count());
        ObjectNode t = root.putObject("tasks");
        tasks.forEach((tag, r) -> t.set(tag, taskJson(r)));
        ArrayNode miss = root.putArray("missing_keys");
        missingKeys().forEach(miss::add);
        ArrayNode extra = root.putArray("extra_keys");
        extraKeys.forEach(extra::add);
        ArrayNode bad = root.putArray("malformed");
        for (Scoring s : malformed()) bad.addObject().put("key", s.item().key()).put("task", s.item().task().tag()).put("problem", s.item().hypProblem());
        ArrayNode badRefs = root.putArray("bad_refs");
        for (Scoring s : scored)
            if (s.item().refProblem() != null)
                badRefs.addObject().put("key", s.item().key()).put("task", s.item().task().tag()).put("problem", s.item().refProblem());
        return root;
    }

    private static ObjectNode taskJson(TaskResult r) {
        ObjectNode o = JSON.createObjectNode();
        o.put("name", r.name());
        o.put("utterances", r.utterances());
        o.put("missing", r.missing());
        o.put("malformed", r.malformed());
        o.put("bad_refs", r.badRefs());
        if (r.transcript() != null) {
            ObjectNode tr = interval(o.putObject("transcript"), r.transcriptCi());
            tr.put("ref_tokens", r.transcript().refTokens());
            tr.put("substitutions", r.transcript().substitutions());
            tr.put("deletions", r.transcript().deletions());
            tr.put("insertions", r.transcript().insertions());
        }
        if (!r.labels().isEmpty()) {
            ObjectNode ls = o.putObject("labels");
            for (LabelScore l : r.labels()) {
                ObjectNode lo = interval(ls.putObject(l.labelSet()), l.accuracy());
                Confusion c = l.confusion();
                lo.put("n", l.n());
                lo.put("invalid", c.invalid());
                lo.put("macro_precision", c.macroPrecision());
                lo.put("macro_recall", c.macroRecall());
                lo.put("macro_f1", c.macroF1());
                ObjectNode per = lo.putObject("classes");
                for (Confusion.ClassScore s : c.perClass())
                    per.putObject(s.label()).put("precision", s.precision()).put("recall", s.recall()).put("f1", s.f1()).put("support", s.support());
                ObjectNode m = lo.putObject("confusion");
                ArrayNode rows = m.putArray("rows");
                c.classes().forEach(rows::add);
                ArrayNode cols = m.putArray("columns");
                c.classes().forEach(cols::add);
                cols.add(Confusion.INVALID);
                ArrayNode counts = m.putArray("counts");
                for (int[] row : c.counts()) {
                    ArrayNode a = counts.addArray();
                    for (int v : row) a.add(v);
                }
            }
        }
        if (r.aas() != null) {
            ObjectNode a = r.aasCi() != null ? interval(o.putObject("aas_ms"), r.aasCi()) : o.putObject("aas_ms");
            a.put("estimate", r.aas().meanShiftMs());
            a.put("start_ms", r.aas().meanStartShiftMs());
            a.put("end_ms", r.aas().meanEndShiftMs());
            a.put("matched_words", r.aas().matched());
            a.put("ref_words", r.aas().refWords());
            a.put("coverage", r.aas().coverage());
        }
        if (r.answerAccuracy() != null) interval(o.putObject("answer_accuracy"), r.answerAccuracy()).put("n", r.answered());
        ObjectNode f = o.putObject("flags");
        r.flags().forEach(f::put);
        return o;
    }

    private static ObjectNode interval(ObjectNode o, Bootstrap.Interval ci) {
        o.put("estimate", ci.estimate());
        o.put("low", ci.low());
        o.put("high", ci.high());
        o.put("level", ci.level());
        return o;
    }

    /** The comparison as JSON (for the report's {@code compare} section); lists at most {@code maxKeys} keys each way. */
    public static ObjectNode toJson(Comparison c, int maxKeys) {
        ObjectNode o = JSON.createObjectNode();
        ArrayNode ms = o.putArray("metrics");
        for (MetricComparison m : c.metrics()) {
            ms.addObject().put("task", m.task()).put("metric", m.metric()).put("a", m.a()).put("b", m.b())
                    .put("difference", m.test().difference().estimate()).put("low", m.test().difference().low())
                    .put("high", m.test().difference().high()).put("p_value", m.test().pValue());
        }
        o.put("better_count", c.better().size());
        o.put("worse_count", c.worse().size());
        for (String side : List.of("better", "worse")) {
            ArrayNode arr = o.putArray(side);
            for (Change ch : (side.equals("better") ? c.better() : c.worse()).stream().limit(maxKeys).toList())
                arr.addObject().put("key", ch.key()).put("task", ch.task()).put("errors_a", ch.errorsA()).put("errors_b", ch.errorsB())
                        .put("labels_ok_a", ch.labelsOkA()).put("labels_ok_b", ch.labelsOkB());
        }
        return o;
    }

    /** The plain-text headline table: one row per task, one extra row per further label set. */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder(String.format("%-26s %-8s %5s %4s %4s %24s %30s %24s %20s%n",
                "task", "name", "utts", "miss", "malf", "WER/CER % [95% CI]", "label acc % [95% CI]", "AAS ms [CI] (cov)", "answer acc %"));
        for (TaskResult r : tasks.values()) {
            String label = r.labels().isEmpty() ? "-" : labelCell(r.labels().get(0));
            sb.append(String.format("%-26s %-8s %5d %4d %4d %24s %30s %24s %20s%n", r.tag(), r.name(), r.utterances(), r.missing(),
                    r.malformed(), r.transcript() == null ? "-" : pct(r.transcript().rate(), r.transcriptCi()), label,
                    r.aas() == null ? "-" : String.format("%.1f%s (%.0f%%)", r.aas().meanShiftMs(),
                            r.aasCi() == null ? "" : String.format(" [%.1f, %.1f]", r.aasCi().low(), r.aasCi().high()), 100 * r.aas().coverage()),
                    r.answerAccuracy() == null ? "-" : pct(r.answerAccuracy().estimate(), r.answerAccuracy())));
            for (int i = 1; i < r.labels().size(); i++)
                sb.append(String.format("%-26s %-8s %5s %4s %4s %24s %30s%n", "", "", "", "", "", "", labelCell(r.labels().get(i))));
        }
        for (TaskResult r : tasks.values())
            if (!r.tag().equals(ALL) && !r.flags().isEmpty()) sb.append(String.format("flags %-26s %s%n", r.tag(), r.flags()));
        if (!extraKeys.isEmpty()) sb.append(extraKeys.size()).append(" hypothesis key(s) without reference (not scored)\n");
        if (!missingKeys().isEmpty()) sb.append(missingKeys().size()).append(" reference key(s) without hypothesis (scored as empty output)\n");
        return sb.toString();
    }

    private static String labelCell(LabelScore l) {
        return l.labelSet() + " " + pct(l.accuracy().estimate(), l.accuracy());
    }

    private static String pct(double v, Bootstrap.Interval ci) {
        return String.format("%.2f [%.2f, %.2f]", 100 * v, 100 * ci.low(), 100 * ci.high());
    }

    /** A standalone HTML document: headline table, confusion matrices (inline PNG), problems, worst utterances. */
    public String html(String title, Comparison comparison) {
        StringBuilder sb = new StringBuilder("<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>")
                .append(AlignmentHtml.escape(title)).append("</title><style>body{font-family:sans-serif;margin:2em}"
                        + "table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:3px 8px}"
                        + "caption{font-weight:600;text-align:left}</style></head><body><h1>")
                .append(AlignmentHtml.escape(title)).append("</h1>");
        sb.append(headlineHtml());
        for (TaskResult r : tasks.values()) {
            if (r.labels().isEmpty()) continue;
            sb.append("<h2>").append(AlignmentHtml.escape(r.name() + " " + r.tag())).append("</h2>");
            for (LabelScore l : r.labels()) sb.append("<div>").append(l.confusion().htmlImage()).append(l.confusion().html()).append("</div>");
        }
        if (comparison != null) sb.append(comparisonHtml(comparison));
        List<Scoring> bad = malformed();
        if (!bad.isEmpty() || !missingKeys().isEmpty() || !extraKeys.isEmpty()) {
            sb.append("<h2>Problems</h2><table><thead><tr><th>key</th><th>task</th><th>problem</th><th>output</th></tr></thead><tbody>");
            for (Scoring s : scored) {
                if (s.item().missing()) sb.append(row(s.item().key(), s.item().task().tag(), "missing hypothesis", ""));
                else if (s.item().malformed()) sb.append(row(s.item().key(), s.item().task().tag(), s.item().hypProblem(), s.item().hypText()));
            }
            for (String k : extraKeys) sb.append(row(k, "", "hypothesis without reference (not scored)", ""));
            sb.append("</tbody></table>");
        }
        sb.append("<h2>Transcripts</h2>").append(errorReport().html(WORST_IN_HTML));
        return sb.append("</body></html>").toString();
    }

    private static String row(String... cells) {
        StringBuilder sb = new StringBuilder("<tr>");
        for (String c : cells) sb.append("<td>").append(AlignmentHtml.escape(c)).append("</td>");
        return sb.append("</tr>").toString();
    }

    private String headlineHtml() {
        StringBuilder sb = new StringBuilder("<table><thead><tr><th>task</th><th>name</th><th>utts</th><th>missing</th><th>malformed</th>"
                + "<th>WER/CER % (95% CI)</th><th>label accuracy % (95% CI)</th><th>AAS ms (coverage)</th><th>answer accuracy %</th><th>flags</th></tr></thead><tbody>");
        for (TaskResult r : tasks.values()) {
            StringBuilder labels = new StringBuilder();
            for (LabelScore l : r.labels()) labels.append(labels.length() > 0 ? "<br>" : "").append(AlignmentHtml.escape(labelCell(l)));
            sb.append("<tr><td>").append(AlignmentHtml.escape(r.tag())).append("</td><td>").append(AlignmentHtml.escape(r.name()))
                    .append("</td><td>").append(r.utterances()).append("</td><td>").append(r.missing()).append("</td><td>").append(r.malformed())
                    .append("</td><td>").append(r.transcript() == null ? "–" : pct(r.transcript().rate(), r.transcriptCi()))
                    .append("</td><td>").append(labels.length() == 0 ? "–" : labels)
                    .append("</td><td>").append(r.aas() == null ? "–" : String.format("%.1f (%.1f %%)", r.aas().meanShiftMs(), 100 * r.aas().coverage()))
                    .append("</td><td>").append(r.answerAccuracy() == null ? "–" : pct(r.answerAccuracy().estimate(), r.answerAccuracy()))
                    .append("</td><td>").append(AlignmentHtml.escape(r.flags().toString())).append("</td></tr>");
        }
        return sb.append("</tbody></table>").toString();
    }

    private static String comparisonHtml(Comparison c) {
        StringBuilder sb = new StringBuilder("<h2>Comparison (B − A, paired bootstrap)</h2><table><thead><tr><th>task</th><th>metric</th>"
                + "<th>A</th><th>B</th><th>B − A (95% CI)</th><th>p</th></tr></thead><tbody>");
        for (MetricComparison m : c.metrics()) {
            Bootstrap.Interval d = m.test().difference();
            sb.append(row(m.task(), m.metric(), String.format("%.4f", m.a()), String.format("%.4f", m.b()),
                    String.format("%+.4f [%+.4f, %+.4f]", d.estimate(), d.low(), d.high()), String.format("%.3f", m.test().pValue())));
        }
        sb.append("</tbody></table><p>").append(c.better().size()).append(" utterance(s) better in B, ")
                .append(c.worse().size()).append(" worse.</p>");
        return sb.toString();
    }

    /** Plain-text lines of a comparison. */
    public static String toText(Comparison c) {
        StringBuilder sb = new StringBuilder(String.format("%-26s %-22s %10s %10s %28s %7s%n", "task", "metric", "A", "B", "B-A [95% CI]", "p"));
        for (MetricComparison m : c.metrics()) {
            Bootstrap.Interval d = m.test().difference();
            sb.append(String.format("%-26s %-22s %10.4f %10.4f %28s %7.3f%n", m.task(), m.metric(), m.a(), m.b(),
                    String.format("%+.4f [%+.4f, %+.4f]", d.estimate(), d.low(), d.high()), m.test().pValue()));
        }
        sb.append(c.better().size()).append(" utterance(s) better in B, ").append(c.worse().size()).append(" worse\n");
        return sb.toString();
    }

    @Override
    public Map<String, String> mimeBundle() {
        Map<String, String> m = new LinkedHashMap<>();
        StringBuilder html = new StringBuilder("<div class=\"osum-eval\">").append(headlineHtml());
        for (TaskResult r : tasks.values()) for (LabelScore l : r.labels()) html.append(l.confusion().html());
        m.put("text/html", html.append("</div>").toString());
        m.put("text/plain", toString());
        return m;
    }

    /** Writes text atomically (temp file in the same folder, then rename). */
    public static void writeAtomically(Path file, String text) {
        Path abs = file.toAbsolutePath();
        try {
            if (abs.getParent() != null) Files.createDirectories(abs.getParent());
            Path tmp = abs.resolveSibling(abs.getFileName() + "." + System.nanoTime() + ".tmp");
            try {
                Files.writeString(tmp, text, StandardCharsets.UTF_8);
                Files.move(tmp, abs, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } finally {
                Files.deleteIfExists(tmp);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(file + ": cannot write report", e);
        }
    }
}
