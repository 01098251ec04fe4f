package org.osum4j.eval;

import org.osum4j.notebook.Rich;
import tech.tablesaw.api.BooleanColumn;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.IntColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * Scores a test set and lets a researcher drill down: headline numbers per task (transcript error rate by
 * OSUM's rules, first-tag accuracy, both with bootstrap intervals), a per-utterance Tablesaw table, the worst
 * utterances with colour-marked alignments, and the failure flags. {@code ErrorReport.of(refs, hyps)} in a
 * notebook cell; the object renders itself as HTML.
 */
public final class ErrorReport implements Rich {

    /** One utterance to score: key, task tag, reference and hypothesis (optional speaker and duration). */
    public record Item(String key, String task, String ref, String hyp, String speaker, double durationSeconds) {
        public Item(String key, String task, String ref, String hyp) {
            this(key, task, ref, hyp, "", Double.NaN);
        }
    }

    /** Headline numbers of one task (or "all"). */
    public record TaskScore(String task, int utterances, ErrorRate transcript, Bootstrap.Interval transcriptCi,
                            int labelled, Bootstrap.Interval accuracy) {}

    private static final long SEED = 20250123L;

    private final List<Scored> scored;
    private final Map<String, TaskScore> byTask;

    private ErrorReport(List<Scored> scored) {
        this.scored = Collections.unmodifiableList(scored);
        this.byTask = computeTaskScores(scored);
    }

    /** Scores items; {@code labelsOfTask} gives a task's label vocabulary (lower-case) for the flags. */
    public static ErrorReport of(List<Item> items, Function<String, Set<String>> labelsOfTask) {
        List<Scored> out = new ArrayList<>(items.size());
        for (Item it : items) {
            Alignment a = Alignment.ofText(Scored.transcriptPart(it.ref()), Scored.transcriptPart(it.hyp()));
            boolean chat = it.ref() != null && it.ref().contains(OutputFlags.ANSWER_SEPARATOR);
            Set<String> labels = labelsOfTask == null ? Set.of() : labelsOfTask.apply(it.task());
            out.add(new Scored(it.key(), it.task(), it.ref(), it.hyp(), a,
                    labelOf(it.ref()), labelOf(it.hyp()),
                    OutputFlags.of(it.hyp(), it.ref(), chat, labels == null ? Set.of() : labels),
                    it.speaker(), it.durationSeconds()));
        }
        return new ErrorReport(out);
    }

    /** Scores parallel reference/hypothesis lists (keys are their indices, task unknown). */
    public static ErrorReport of(List<String> refs, List<String> hyps) {
        if (refs.size() != hyps.size()) throw new IllegalArgumentException(refs.size() + " references but " + hyps.size() + " hypotheses");
        List<Item> items = new ArrayList<>();
        for (int i = 0; i < refs.size(); i++) items.add(new Item(String.valueOf(i), "", refs.get(i), hyps.get(i)));
        return of(items, t -> Set.of());
    }

    /** The first label tag of a target (timestamps and the chat separator are not labels). */
    static java.util.Optional<String> labelOf(String text) {
        if (text == null) return java.util.Optional.empty();
        List<String> tags = OutputFlags.labelTags(text);
        return tags.isEmpty() ? java.util.Optional.empty() : java.util.Optional.of(tags.get(0).toUpperCase(java.util.Locale.ROOT));
    }

    private static Map<String, TaskScore> computeTaskScores(List<Scored> scored) {
        Map<String, List<Scored>> groups = new TreeMap<>();
        for (Scored s : scored) groups.computeIfAbsent(s.task(), k -> new ArrayList<>()).add(s);
        Map<String, TaskScore> out = new LinkedHashMap<>();
        out.put("all", score("all", scored));
        if (groups.size() > 1) groups.forEach((k, v) -> out.put(k, score(k, v)));
        return out;
    }

    private static TaskScore score(String task, List<Scored> items) {
        List<Alignment> al = items.stream().map(Scored::alignment).toList();
        ErrorRate er = ErrorRate.of(al);
        double[][] wp = Bootstrap.werPairs(al);
        Bootstrap.Interval ci = items.isEmpty() ? null
                : Bootstrap.ratio(wp[0], wp[1], Bootstrap.DEFAULT_RESAMPLES, Bootstrap.DEFAULT_LEVEL, SEED);
        List<Scored> lab = items.stream().filter(Scored::hasLabel).toList();
        Bootstrap.Interval acc = null;
        if (!lab.isEmpty()) {
            boolean[] ok = new boolean[lab.size()];
            for (int i = 0; i < ok.length; i++) ok[i] = lab.get(i).labelCorrect();
            double[][] ap = Bootstrap.accuracyPairs(ok);
            acc = Bootstrap.ratio(ap[0], ap[1], Bootstrap.DEFAULT_RESAMPLES, Bootstrap.DEFAULT_LEVEL, SEED);
        }
        return new TaskScore(task, items.size(), er, ci, lab.size(), acc);
    }

    public List<Scored> utterances() {
        return scored;
    }

    /** Headline numbers: "all" first, then each task. */
    public Map<String, TaskScore> tasks() {
        return byTask;
    }

    /** The per-utterance table: key, task, speaker, duration, N/S/D/I, error rate, labels, flags, ref, hyp. */
    public Table table() {
        Table t = Table.create("utterances",
                StringColumn.create("key"), StringColumn.create("task"), StringColumn.create("speaker"),
                DoubleColumn.create("duration_s"), IntColumn.create("ref_tokens"), IntColumn.create("sub"),
                IntColumn.create("del"), IntColumn.create("ins"), DoubleColumn.create("err_rate"),
                StringColumn.create("ref_label"), StringColumn.create("hyp_label"), BooleanColumn.create("label_ok"),
                StringColumn.create("flags"), StringColumn.create("ref"), StringColumn.create("hyp"));
        for (Scored s : scored) {
            Alignment a = s.alignment();
            t.stringColumn("key").append(s.key());
            t.stringColumn("task").append(s.task());
            t.stringColumn("speaker").append(s.speaker() == null ? "" : s.speaker());
            t.doubleColumn("duration_s").append(s.durationSeconds());
            t.intColumn("ref_tokens").append(a.refLength());
            t.intColumn("sub").append(a.substitutions());
            t.intColumn("del").append(a.deletions());
            t.intColumn("ins").append(a.insertions());
            t.doubleColumn("err_rate").append(a.refLength() == 0 ? (a.errors() == 0 ? 0 : Double.NaN) : a.errorRate());
            t.stringColumn("ref_label").append(s.refLabel().orElse(""));
            t.stringColumn("hyp_label").append(s.hypLabel().orElse(""));
            if (s.hasLabel()) t.booleanColumn("label_ok").append(s.labelCorrect());
            else t.booleanColumn("label_ok").appendMissing();
            t.stringColumn("flags").append(String.join(" ", s.flags().stream().map(Enum::name).toList()));
            t.stringColumn("ref").append(s.ref());
            t.stringColumn("hyp").append(s.hyp());
        }
        return t;
    }

    /** The {@code n} utterances with the most transcript errors (ties: longer reference first). */
    public List<Scored> worst(int n) {
        return scored.stream()
                .sorted(Comparator.comparingInt((Scored s) -> s.alignment().errors()).reversed()
                        .thenComparing(Comparator.comparingInt((Scored s) -> s.alignment().refLength()).reversed()))
                .limit(n).toList();
    }

    /** Reference words most often substituted, with their most frequent replacement: "ref → hyp" → count. */
    public Map<String, Integer> topSubstitutions(int n) {
        Map<String, Integer> counts = new LinkedHashMap<>();
        for (Scored s : scored) {
            for (Alignment.Step st : s.alignment().steps()) {
                if (st.op() == Alignment.Op.SUBSTITUTION) counts.merge(st.ref() + " → " + st.hyp(), 1, Integer::sum);
            }
        }
        Map<String, Integer> top = new LinkedHashMap<>();
        counts.entrySet().stream().sorted(Map.Entry.<String, Integer>comparingByValue().reversed()).limit(n)
                .forEach(e -> top.put(e.getKey(), e.getValue()));
        return top;
    }

    /** Counts of each flag over the test set. */
    public Map<OutputFlags.Flag, Integer> flagCounts() {
        Map<OutputFlags.Flag, Integer> m = new java.util.EnumMap<>(OutputFlags.Flag.class);
        for (Scored s : scored) for (OutputFlags.Flag f : s.flags()) m.merge(f, 1, Integer::sum);
        return m;
    }

    /** Plain-text headline table. */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder(String.format("%-28s %6s %22s %28s%n", "task", "utts", "transcript error", "label accuracy"));
        for (TaskScore ts : byTask.values()) {
            sb.append(String.format("%-28s %6d %22s %28s%n", ts.task(), ts.utterances(),
                    ts.transcriptCi() == null ? "-" : String.format("%.2f%% [%.2f, %.2f]", 100 * ts.transcript().rate(),
                            100 * ts.transcriptCi().low(), 100 * ts.transcriptCi().high()),
                    ts.accuracy() == null ? "-" : String.format("%.2f%% [%.2f, %.2f] n=%d", 100 * ts.accuracy().estimate(),
                            100 * ts.accuracy().low(), 100 * ts.accuracy().high(), ts.labelled())));
        }
        return sb.toString();
    }

    /** Headline table and the worst utterances with their alignments, as HTML. */
    public String html(int worst) {
        StringBuilder sb = new StringBuilder("<div class=\"osum-report\"><table><thead><tr><th>task</th><th>utts</th>"
                + "<th>transcript error (95% CI)</th><th>label accuracy (95% CI)</th></tr></thead><tbody>");
        for (TaskScore ts : byTask.values()) {
            sb.append("<tr><td>").append(AlignmentHtml.escape(ts.task())).append("</td><td style=\"text-align:right\">")
                    .append(ts.utterances()).append("</td><td style=\"text-align:right\">")
                    .append(ts.transcriptCi() == null ? "–" : String.format("%.2f %% [%.2f, %.2f]", 100 * ts.transcript().rate(),
                            100 * ts.transcriptCi().low(), 100 * ts.transcriptCi().high()))
                    .append("</td><td style=\"text-align:right\">")
                    .append(ts.accuracy() == null ? "–" : String.format("%.2f %% [%.2f, %.2f] (n=%d)", 100 * ts.accuracy().estimate(),
                            100 * ts.accuracy().low(), 100 * ts.accuracy().high(), ts.labelled()))
                    .append("</td></tr>");
        }
        sb.append("</tbody></table>");
        if (worst > 0) {
            sb.append("<h4>Worst utterances</h4><table><thead><tr><th>key</th><th>task</th><th>errors</th><th>alignment</th>"
                    + "<th>label</th><th>flags</th></tr></thead><tbody>");
            for (Scored s : worst(worst)) {
                sb.append("<tr><td>").append(AlignmentHtml.escape(s.key())).append("</td><td>").append(AlignmentHtml.escape(s.task()))
                        .append("</td><td style=\"text-align:right\">").append(s.alignment().errors()).append('/').append(s.alignment().refLength())
                        .append("</td><td>").append(AlignmentHtml.render(s.alignment())).append("</td><td>")
                        .append(s.hasLabel() ? AlignmentHtml.escape(s.refLabel().get() + (s.labelCorrect() ? " ✓" : " ✗ " + s.hypLabel().orElse("(none)"))) : "")
                        .append("</td><td>").append(AlignmentHtml.escape(String.join(" ", s.flags().stream().map(Enum::name).toList())))
                        .append("</td></tr>");
            }
            sb.append("</tbody></table>");
        }
        return sb.append("</div>").toString();
    }

    @Override
    public Map<String, String> mimeBundle() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("text/html", html(10));
        m.put("text/plain", toString());
        return m;
    }
}
