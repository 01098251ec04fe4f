package org.osum4j.data;

import org.osum4j.notebook.Rich;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A skip-and-count record of one pipeline step: how many items it saw, kept, skipped (by reason) and
 * changed (e.g. cropped), with the first few keys of each reason as examples. Nothing is dropped
 * silently: every step that can drop an item takes a Report. Not thread-safe across steps by design;
 * methods are synchronized so one step may count from several threads.
 */
public final class Report implements Rich {

    /** Examples kept per reason: enough to find the items, small enough to print. */
    public static final int EXAMPLES_PER_REASON = 5;

    /** One reason's count and first examples ("key: detail"). */
    public record Entry(String reason, boolean dropped, long count, List<String> examples) {
    }

    private final String name;
    private long seen;
    private long kept;
    private final Map<String, long[]> skipped = new LinkedHashMap<>();
    private final Map<String, long[]> changed = new LinkedHashMap<>();
    private final Map<String, List<String>> examples = new LinkedHashMap<>();

    public Report(String name) {
        this.name = name;
    }

    public String name() {
        return name;
    }

    public synchronized void seen() {
        seen++;
    }

    public synchronized void kept() {
        kept++;
    }

    /** Counts an item that was dropped, with why. */
    public synchronized void skip(String reason, String key, String detail) {
        skipped.computeIfAbsent(reason, r -> new long[1])[0]++;
        example(reason, key, detail);
    }

    /** Counts an item that was kept but altered (cropped, relabelled, …). */
    public synchronized void change(String reason, String key, String detail) {
        changed.computeIfAbsent(reason, r -> new long[1])[0]++;
        example(reason, key, detail);
    }

    private void example(String reason, String key, String detail) {
        List<String> ex = examples.computeIfAbsent(reason, r -> new ArrayList<>());
        if (ex.size() < EXAMPLES_PER_REASON) ex.add(detail == null || detail.isEmpty() ? key : key + ": " + detail);
    }

    public synchronized long seenCount() {
        return seen;
    }

    public synchronized long keptCount() {
        return kept;
    }

    public synchronized long skippedCount() {
        return skipped.values().stream().mapToLong(c -> c[0]).sum();
    }

    /** Items dropped for a reason (0 if none). */
    public synchronized long skipped(String reason) {
        long[] c = skipped.get(reason);
        return c == null ? 0 : c[0];
    }

    /** Items altered for a reason (0 if none). */
    public synchronized long changed(String reason) {
        long[] c = changed.get(reason);
        return c == null ? 0 : c[0];
    }

    public synchronized List<Entry> entries() {
        List<Entry> out = new ArrayList<>();
        skipped.forEach((r, c) -> out.add(new Entry(r, true, c[0], List.copyOf(examples.get(r)))));
        changed.forEach((r, c) -> out.add(new Entry(r, false, c[0], List.copyOf(examples.get(r)))));
        return out;
    }

    public synchronized boolean isClean() {
        return skipped.isEmpty() && changed.isEmpty();
    }

    @Override
    public synchronized String toString() {
        StringBuilder sb = new StringBuilder(name).append(": seen ").append(seen).append(", kept ").append(kept)
                .append(", skipped ").append(skippedCount());
        for (Entry e : entries())
            sb.append("\n  ").append(e.dropped() ? "skipped " : "changed ").append(e.count()).append(" × ")
              .append(e.reason()).append("  e.g. ").append(String.join("; ", e.examples()));
        return sb.toString();
    }

    @Override
    public synchronized Map<String, String> mimeBundle() {
        StringBuilder h = new StringBuilder("<b>").append(esc(name)).append("</b>: seen ").append(seen)
                .append(", kept ").append(kept).append(", skipped ").append(skippedCount())
                .append("<table><tr><th>what</th><th>reason</th><th>count</th><th>examples</th></tr>");
        for (Entry e : entries())
            h.append("<tr><td>").append(e.dropped() ? "skipped" : "changed").append("</td><td>").append(esc(e.reason()))
             .append("</td><td>").append(e.count()).append("</td><td>").append(esc(String.join("; ", e.examples())))
             .append("</td></tr>");
        h.append("</table>");
        Map<String, String> m = new LinkedHashMap<>();
        m.put("text/plain", toString());
        m.put("text/html", h.toString());
        return m;
    }

    private static String esc(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}
