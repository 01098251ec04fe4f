package org.osum4j.data;

import org.osum4j.notebook.Chart;
import org.osum4j.notebook.Charts;
import tech.tablesaw.api.Table;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * Charts of a {@link Manifest} for a first look at a corpus in a notebook: the duration histogram, item
 * counts per task and label counts per task (class balance). Each method returns a rendered-on-demand
 * {@link Chart} (PNG/SVG, displayable as is). The numbers come from the manifest; this class only draws.
 */
public final class ManifestCharts {

    /** Bins of the duration histogram: fine enough to see a 1-30 s spread, coarse enough for small corpora. */
    public static final int DEFAULT_BINS = 30;

    private final Manifest manifest;

    private ManifestCharts(Manifest manifest) {
        this.manifest = Objects.requireNonNull(manifest, "manifest");
    }

    public static ManifestCharts of(Manifest manifest) {
        return new ManifestCharts(manifest);
    }

    /** Histogram of utterance durations in seconds (items without a duration are left out). */
    public Chart durations() {
        return durations(DEFAULT_BINS);
    }

    public Chart durations(int bins) {
        double[] d = manifest.table().doubleColumn("duration").removeMissing().asDoubleArray();
        if (d.length == 0)
            throw new IllegalArgumentException("duration histogram: none of the " + manifest.size() + " items has a duration");
        String title = String.format(Locale.ROOT, "duration (s): %d items, %.2f h", d.length, manifest.hours());
        return Charts.histogram(title, d, bins);
    }

    /** Items per task. */
    public Chart tasks() {
        Table s = manifest.summary();
        int n = s.rowCount() - 1;   // the last row is ALL
        String[] cats = new String[n];
        double[] vals = new double[n];
        for (int i = 0; i < n; i++) {
            cats[i] = s.stringColumn("task").get(i);
            vals[i] = s.intColumn("utterances").getInt(i);
        }
        if (n == 0) throw new IllegalArgumentException("task chart: the manifest has no items");
        return Charts.bar("items per task", cats, vals);
    }

    /** Label counts of one task (e.g. {@code <TRANSCRIBE> <EMOTION>}), one bar per label. */
    public Chart labels(String task) {
        String tag = TaskRegistry.normalizeTag(task);
        Table c = manifest.labelCounts();
        List<String> cats = new ArrayList<>();
        List<Double> vals = new ArrayList<>();
        for (int r = 0; r < c.rowCount(); r++) {
            if (!c.stringColumn("task").get(r).equals(tag)) continue;
            cats.add(c.stringColumn("label").get(r));
            vals.add((double) c.intColumn("count").getInt(r));
        }
        if (cats.isEmpty()) throw new IllegalArgumentException("label chart: no labelled items of task " + tag + " in the manifest");
        return Charts.bar("labels of " + tag, cats.toArray(String[]::new), vals.stream().mapToDouble(Double::doubleValue).toArray());
    }

    /** Label counts of every labelled task in one chart, bars named {@code task words: label} (e.g. {@code emotion: happy}). */
    public Chart labels() {
        Table c = manifest.labelCounts();
        if (c.rowCount() == 0) throw new IllegalArgumentException("label chart: the manifest has no labelled items");
        String[] cats = new String[c.rowCount()];
        double[] vals = new double[c.rowCount()];
        for (int r = 0; r < c.rowCount(); r++) {
            String tag = c.stringColumn("task").get(r);
            String word = tag.replace(TaskRegistry.DEFAULT_TAG + " ", "").replaceAll("[<>]", "").toLowerCase(Locale.ROOT);
            cats[r] = word + ": " + c.stringColumn("label").get(r);
            vals[r] = c.intColumn("count").getInt(r);
        }
        return Charts.bar("label counts per task", cats, vals);
    }
}
