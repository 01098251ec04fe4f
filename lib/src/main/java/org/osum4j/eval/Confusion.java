package org.osum4j.eval;

import org.osum4j.notebook.Charts;
import org.osum4j.notebook.HeatmapChart;
import org.osum4j.notebook.Rich;

import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The confusion matrix of one label set (emotion, style, gender, …): counts of (reference, predicted) pairs,
 * per-class precision, recall and F1, and their macro averages. Predictions that are no class of the set
 * (missing label, label out of vocabulary) land in one extra column, {@link #INVALID}, so they count against
 * recall but never as another class. Renders as a heatmap ({@link #heatmap()}) and as an HTML table.
 */
public final class Confusion implements Rich {

    /** Column of predictions that are not a class: no label, or a label outside the vocabulary. */
    public static final String INVALID = "(invalid)";

    /** Precision, recall and F1 of one class; support = reference count. */
    public record ClassScore(String label, double precision, double recall, double f1, int support, int predicted) {}

    private final String name;
    private final List<String> classes;      // rows, and the first classes.size() columns
    private final int[][] counts;            // [ref class][predicted class, then INVALID]

    private Confusion(String name, List<String> classes, int[][] counts) {
        this.name = name;
        this.classes = List.copyOf(classes);
        this.counts = counts;
    }

    /**
     * Counts pairs. {@code classes} is the vocabulary in display order; reference labels outside it are added
     * as further classes (a reference should not have them, but hiding them would distort the matrix);
     * null or unknown predictions count as {@link #INVALID}.
     */
    public static Confusion of(String name, List<String> classes, List<String> refs, List<String> hyps) {
        if (refs.size() != hyps.size()) throw new IllegalArgumentException(name + ": " + refs.size() + " references but " + hyps.size() + " predictions");
        List<String> cls = new ArrayList<>(classes);
        for (String r : refs) {
            if (r == null) throw new IllegalArgumentException(name + ": a reference without a label");
            if (!cls.contains(r)) cls.add(r);
        }
        int k = cls.size();
        int[][] c = new int[k][k + 1];
        for (int i = 0; i < refs.size(); i++) {
            int row = cls.indexOf(refs.get(i));
            int col = hyps.get(i) == null ? -1 : cls.indexOf(hyps.get(i));
            c[row][col < 0 ? k : col]++;
        }
        return new Confusion(name, cls, c);
    }

    public String name() {
        return name;
    }

    public List<String> classes() {
        return classes;
    }

    /** Count of utterances with reference {@code ref} predicted as {@code hyp} ({@link #INVALID} allowed). */
    public int count(String ref, String hyp) {
        int r = classes.indexOf(ref);
        int h = INVALID.equals(hyp) ? classes.size() : classes.indexOf(hyp);
        if (r < 0 || h < 0) return 0;
        return counts[r][h];
    }

    /** The counts, {@code [ref class][predicted class]}, with a last column for {@link #INVALID}. */
    public int[][] counts() {
        int[][] out = new int[counts.length][];
        for (int i = 0; i < counts.length; i++) out[i] = counts[i].clone();
        return out;
    }

    public int total() {
        int n = 0;
        for (int[] row : counts) for (int v : row) n += v;
        return n;
    }

    public int invalid() {
        int n = 0;
        for (int[] row : counts) n += row[classes.size()];
        return n;
    }

    /** Correct / all (the diagonal over the total). */
    public double accuracy() {
        int ok = 0;
        for (int i = 0; i < classes.size(); i++) ok += counts[i][i];
        int n = total();
        return n == 0 ? Double.NaN : (double) ok / n;
    }

    /**
     * Per class: precision = tp / predicted, recall = tp / support, F1 their harmonic mean; a ratio with a
     * zero denominator is 0 (as scikit-learn's zero_division=0).
     */
    public List<ClassScore> perClass() {
        List<ClassScore> out = new ArrayList<>();
        for (int i = 0; i < classes.size(); i++) {
            int tp = counts[i][i];
            int support = 0, predicted = 0;
            for (int v : counts[i]) support += v;
            for (int[] row : counts) predicted += row[i];
            double p = predicted == 0 ? 0 : (double) tp / predicted;
            double r = support == 0 ? 0 : (double) tp / support;
            double f = p + r == 0 ? 0 : 2 * p * r / (p + r);
            out.add(new ClassScore(classes.get(i), p, r, f, support, predicted));
        }
        return out;
    }

    /** Mean precision over the classes that occur in the references or the predictions. */
    public double macroPrecision() {
        return macro(0);
    }

    public double macroRecall() {
        return macro(1);
    }

    public double macroF1() {
        return macro(2);
    }

    private double macro(int which) {
        double sum = 0;
        int n = 0;
        for (ClassScore s : perClass()) {
            if (s.support() == 0 && s.predicted() == 0) continue;     // a class absent on both sides says nothing
            sum += which == 0 ? s.precision() : which == 1 ? s.recall() : s.f1();
            n++;
        }
        return n == 0 ? Double.NaN : sum / n;
    }

    private boolean hasInvalid() {
        return invalid() > 0;
    }

    private List<String> columns() {
        List<String> cols = new ArrayList<>(classes);
        if (hasInvalid()) cols.add(INVALID);
        return cols;
    }

    /** Counts as a heatmap, references as rows, predictions as columns (the invalid column only when used). */
    public HeatmapChart heatmap() {
        List<String> cols = columns();
        double[][] m = new double[classes.size()][cols.size()];
        for (int r = 0; r < classes.size(); r++) for (int c = 0; c < cols.size(); c++) m[r][c] = counts[r][c];
        int side = Math.max(360, Math.min(900, 120 + 56 * cols.size()));
        boolean numbered = numberedInCharts();
        String[] rowLabels = new String[classes.size()];
        String[] colLabels = new String[cols.size()];
        for (int i = 0; i < cols.size(); i++) {
            String l = numbered && i < classes.size() ? "#" + (i + 1) : cols.get(i);
            if (i < classes.size()) rowLabels[i] = l;
            colLabels[i] = l;
        }
        return Charts.heatmap(name + " confusion (acc " + String.format("%.1f%%", 100 * accuracy()) + ")"
                        + (numbered ? ", classes numbered as in the table" : ""), m, rowLabels, colLabels)
                .axes("predicted", "reference").annotate(true).size(side, Math.max(300, side - 40));
    }

    /**
     * Whether the chart must number the classes because the JVM's fonts cannot draw their names (Chinese style
     * labels on a machine without CJK fonts would show as empty boxes); the HTML table then gives the numbers.
     */
    private boolean numberedInCharts() {
        java.awt.Font font = new java.awt.Font(java.awt.Font.SANS_SERIF, java.awt.Font.PLAIN, 12);
        for (String c : classes) if (font.canDisplayUpTo(c) != -1) return true;
        return false;
    }

    /** The matrix and the per-class scores as one HTML table (no styles outside the element). */
    public String html() {
        List<String> cols = columns();
        StringBuilder sb = new StringBuilder("<table class=\"osum-confusion\"><caption>")
                .append(AlignmentHtml.escape(name)).append(String.format(": accuracy %.2f %%, macro F1 %.3f", 100 * accuracy(), macroF1()))
                .append("</caption><thead><tr><th>ref \\ hyp</th>");
        for (String c : cols) sb.append("<th>").append(AlignmentHtml.escape(c)).append("</th>");
        sb.append("<th>precision</th><th>recall</th><th>F1</th><th>support</th></tr></thead><tbody>");
        List<ClassScore> scores = perClass();
        boolean numbered = numberedInCharts();
        for (int r = 0; r < classes.size(); r++) {
            sb.append("<tr><th>").append(numbered ? "#" + (r + 1) + " " : "").append(AlignmentHtml.escape(classes.get(r))).append("</th>");
            for (int c = 0; c < cols.size(); c++) {
                String style = c == r ? " style=\"text-align:right;font-weight:600;background:#e3f2fd\"" : " style=\"text-align:right\"";
                sb.append("<td").append(style).append('>').append(counts[r][c]).append("</td>");
            }
            ClassScore s = scores.get(r);
            sb.append(String.format("<td style=\"text-align:right\">%.3f</td><td style=\"text-align:right\">%.3f</td>"
                    + "<td style=\"text-align:right\">%.3f</td><td style=\"text-align:right\">%d</td></tr>", s.precision(), s.recall(), s.f1(), s.support()));
        }
        return sb.append(String.format("<tr><th>macro</th><td colspan=\"%d\"></td><td style=\"text-align:right\">%.3f</td>"
                + "<td style=\"text-align:right\">%.3f</td><td style=\"text-align:right\">%.3f</td><td style=\"text-align:right\">%d</td></tr>",
                cols.size(), macroPrecision(), macroRecall(), macroF1(), total())).append("</tbody></table>").toString();
    }

    /** The heatmap as an {@code <img>} with an inline PNG, for reports that must open without a notebook. */
    public String htmlImage() {
        return "<img alt=\"" + AlignmentHtml.escape(name) + " confusion matrix\" src=\"data:image/png;base64,"
                + Base64.getEncoder().encodeToString(heatmap().png()) + "\"/>";
    }

    @Override
    public Map<String, String> mimeBundle() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("text/html", "<div>" + htmlImage() + html() + "</div>");
        m.put("text/plain", toString());
        return m;
    }

    /** Plain-text matrix with per-class scores. */
    @Override
    public String toString() {
        List<String> cols = columns();
        int w = 6;
        for (String c : cols) w = Math.max(w, c.length());
        w = Math.min(w, 16);
        StringBuilder sb = new StringBuilder(String.format("%s: accuracy %.2f%%, macro P/R/F1 %.3f/%.3f/%.3f, n=%d%n",
                name, 100 * accuracy(), macroPrecision(), macroRecall(), macroF1(), total()));
        sb.append(String.format("%-" + w + "s", "ref\\hyp"));
        for (String c : cols) sb.append(String.format(" %" + w + "s", clip(c, w)));
        sb.append(String.format(" %6s %6s %6s%n", "P", "R", "F1"));
        List<ClassScore> scores = perClass();
        for (int r = 0; r < classes.size(); r++) {
            sb.append(String.format("%-" + w + "s", clip(classes.get(r), w)));
            for (int c = 0; c < cols.size(); c++) sb.append(String.format(" %" + w + "d", counts[r][c]));
            ClassScore s = scores.get(r);
            sb.append(String.format(" %6.3f %6.3f %6.3f%n", s.precision(), s.recall(), s.f1()));
        }
        return sb.toString();
    }

    private static String clip(String s, int w) {
        return s.length() <= w ? s : s.substring(0, w - 1) + "…";
    }
}
