package org.osum4j.data;

import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.IntColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * A data list as a Tablesaw table, one row per utterance (key, duration, speaker, task, labels,
 * text_length), with per-task summary statistics and label counts for a first look at a corpus in a
 * notebook. Labels and transcript length come from parsing {@code txt} with the task's target layout; an
 * unparsable target counts its whole text as transcript and gets label {@code ?}. Charts are drawn by
 * {@code org.osum4j.notebook} ({@link #charts()}, {@link ManifestCharts}); this class only computes.
 */
public final class Manifest {

    /** Label cell value when the target does not have the task's layout. */
    public static final String UNPARSED = "?";
    private static final double SECONDS_PER_HOUR = 3600.0;

    private final Table table;

    private Manifest(Table table) {
        this.table = table;
    }

    /** The manifest of a list, parsing targets with OSUM's tasks. */
    public static Manifest of(List<Utterance> items) {
        return of(items, TaskRegistry.osum());
    }

    /** The manifest of a list, parsing targets with the given tasks (unknown tags: whole text as transcript). */
    public static Manifest of(List<Utterance> items, TaskRegistry tasks) {
        StringColumn key = StringColumn.create("key");
        DoubleColumn duration = DoubleColumn.create("duration");
        StringColumn speaker = StringColumn.create("speaker");
        StringColumn task = StringColumn.create("task");
        StringColumn labels = StringColumn.create("labels");
        IntColumn textLength = IntColumn.create("text_length");
        for (Utterance u : items) {
            key.append(u.key());
            Double sec = u.seconds();
            if (sec == null) duration.appendMissing();
            else duration.append(sec);
            speaker.append(u.speaker() == null ? "" : u.speaker());
            String tag = u.taskTag();
            task.append(tag);
            String txt = u.txt() == null ? "" : u.txt();
            String transcript = txt;
            String lab = "";
            if (tasks.has(tag)) {
                try {
                    TaskRegistry.ParsedTarget p = tasks.parse(tasks.get(tag), txt);
                    transcript = p.transcript();
                    lab = String.join(",", p.labels());
                } catch (IllegalArgumentException e) {
                    lab = UNPARSED;
                }
            }
            labels.append(lab);
            textLength.append(transcript.codePointCount(0, transcript.length()));
        }
        return new Manifest(Table.create("manifest", key, duration, speaker, task, labels, textLength));
    }

    /** One row per utterance. */
    public Table table() {
        return table;
    }

    public int size() {
        return table.rowCount();
    }

    /** Total known audio duration in hours. */
    public double hours() {
        return table.doubleColumn("duration").removeMissing().sum() / SECONDS_PER_HOUR;
    }

    /**
     * Per task (and a final {@code ALL} row): utterances, hours, mean/min/max duration in seconds, mean text
     * length, distinct speakers, and how many utterances have no duration.
     */
    public Table summary() {
        Map<String, List<Integer>> rowsByTask = new TreeMap<>();
        for (int r = 0; r < table.rowCount(); r++) rowsByTask.computeIfAbsent(table.stringColumn("task").get(r), t -> new ArrayList<>()).add(r);
        StringColumn task = StringColumn.create("task");
        IntColumn count = IntColumn.create("utterances");
        DoubleColumn hours = DoubleColumn.create("hours");
        DoubleColumn mean = DoubleColumn.create("mean_s");
        DoubleColumn min = DoubleColumn.create("min_s");
        DoubleColumn max = DoubleColumn.create("max_s");
        DoubleColumn text = DoubleColumn.create("mean_text_length");
        IntColumn speakers = IntColumn.create("speakers");
        IntColumn noDuration = IntColumn.create("no_duration");
        List<Integer> all = new ArrayList<>();
        rowsByTask.values().forEach(all::addAll);
        List<Map.Entry<String, List<Integer>>> groups = new ArrayList<>(rowsByTask.entrySet());
        groups.add(Map.entry("ALL", all));
        for (Map.Entry<String, List<Integer>> g : groups) {
            double sum = 0, lo = Double.POSITIVE_INFINITY, hi = Double.NEGATIVE_INFINITY, textSum = 0;
            int known = 0;
            Set<String> spk = new HashSet<>();
            for (int r : g.getValue()) {
                double d = table.doubleColumn("duration").getDouble(r);
                if (!Double.isNaN(d)) {
                    sum += d;
                    lo = Math.min(lo, d);
                    hi = Math.max(hi, d);
                    known++;
                }
                textSum += table.intColumn("text_length").getInt(r);
                String s = table.stringColumn("speaker").get(r);
                if (!s.isEmpty()) spk.add(s);
            }
            int n = g.getValue().size();
            task.append(g.getKey());
            count.append(n);
            hours.append(sum / SECONDS_PER_HOUR);
            mean.append(known == 0 ? Double.NaN : sum / known);
            min.append(known == 0 ? Double.NaN : lo);
            max.append(known == 0 ? Double.NaN : hi);
            text.append(n == 0 ? Double.NaN : textSum / n);
            speakers.append(spk.size());
            noDuration.append(n - known);
        }
        return Table.create("summary", task, count, hours, mean, min, max, text, speakers, noDuration);
    }

    /** Count of each (task, label) pair, for class balance; multi-label targets count their label tuple. */
    public Table labelCounts() {
        Map<String, Map<String, Integer>> counts = new TreeMap<>();
        for (int r = 0; r < table.rowCount(); r++) {
            String l = table.stringColumn("labels").get(r);
            if (l.isEmpty()) continue;
            counts.computeIfAbsent(table.stringColumn("task").get(r), t -> new TreeMap<>()).merge(l, 1, Integer::sum);
        }
        StringColumn task = StringColumn.create("task");
        StringColumn label = StringColumn.create("label");
        IntColumn count = IntColumn.create("count");
        counts.forEach((t, m) -> m.forEach((l, c) -> {
            task.append(t);
            label.append(l);
            count.append(c);
        }));
        return Table.create("label counts", task, label, count);
    }

    /** Charts of this manifest (duration histogram, items per task, label counts), see {@link ManifestCharts}. */
    public ManifestCharts charts() {
        return ManifestCharts.of(this);
    }

    @Override
    public String toString() {
        return summary().print();
    }
}
