package org.osum4j.notebook;

import java.awt.Color;
import java.awt.Font;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.markers.SeriesMarkers;
import org.knowm.xchart.style.AxesChartStyler;
import tech.tablesaw.api.NumericColumn;
import tech.tablesaw.api.Table;
import tech.tablesaw.columns.Column;

/**
 * Chart factories for notebooks, one call per picture: {@code Charts.line(...).series(...)},
 * {@code Charts.histogram(...)}, {@code Charts.bar(...)}, {@code Charts.heatmap(...)},
 * {@code Charts.image(logMel, "log-mel")}, {@code Charts.fromTable(table, "step", "loss")}. Every
 * result is a {@link Chart}: shown inline as PNG/SVG, saved with {@code savePng}/{@code saveSvg}.
 * Rendering is offline (XChart or Java2D), headless-safe; nothing is fetched from a network.
 */
public final class Charts {

    static {
        Headless.ensure();
    }

    private static final Font TITLE_FONT = new Font(Font.SANS_SERIF, Font.BOLD, 14);
    private static final Font AXIS_FONT = new Font(Font.SANS_SERIF, Font.PLAIN, 11);
    private static final Color GRID_COLOR = new Color(0xe0e0e0);
    private static final Color BAR_COLOR = new Color(0x4c72b0);

    private Charts() {}

    /** An empty line chart; add series with {@link LineChart#series(String, double[], double[])}. */
    public static LineChart line(String title, String xLabel, String yLabel) {
        return new LineChart(title, xLabel, yLabel);
    }

    /**
     * A histogram of {@code values} over {@code bins} equal-width bins spanning their finite min..max
     * (NaN and infinite values are left out).
     */
    public static Chart histogram(String title, double[] values, int bins) {
        Objects.requireNonNull(values, "values");
        if (bins < 1) {
            throw new IllegalArgumentException("histogram '" + title + "': bins must be >= 1, got " + bins);
        }
        double[] lohi = finiteRange(values);
        double lo = lohi[0];
        double hi = lohi[1];
        long[] counts = binCounts(values, bins, lo, hi);
        // The outline of the bars as one step-shaped area: (e0,0) (e0,c0) (e1,c0) (e1,c1) ... (eN,0).
        double[] xs = new double[2 * bins + 2];
        double[] ys = new double[2 * bins + 2];
        double width = (hi - lo) / bins;
        xs[0] = lo;
        for (int b = 0; b < bins; b++) {
            xs[2 * b + 1] = lo + b * width;
            ys[2 * b + 1] = counts[b];
            xs[2 * b + 2] = lo + (b + 1) * width;
            ys[2 * b + 2] = counts[b];
        }
        xs[2 * bins + 1] = hi;
        return new XChartFigure("Histogram", title, (w, h) -> {
            XYChart chart = new XYChart(w, h);
            chart.setTitle(title == null ? "" : title);
            chart.setYAxisTitle("count");
            style(chart.getStyler());
            chart.getStyler().setLegendVisible(false);
            XYSeries series = chart.addSeries("count", xs, ys);
            series.setXYSeriesRenderStyle(org.knowm.xchart.XYSeries.XYSeriesRenderStyle.Area);
            series.setMarker(SeriesMarkers.NONE);
            series.setFillColor(new Color(0x4c72b0 | 0xb0000000, true));
            series.setLineColor(BAR_COLOR);
            return chart;
        });
    }

    /** A bar chart with one bar per category. */
    public static Chart bar(String title, String[] categories, double[] values) {
        Objects.requireNonNull(categories, "categories");
        Objects.requireNonNull(values, "values");
        if (categories.length != values.length) {
            throw new IllegalArgumentException("bar chart '" + title + "': " + categories.length + " categories but "
                    + values.length + " values");
        }
        if (categories.length == 0) {
            throw new IllegalArgumentException("bar chart '" + title + "' has no categories");
        }
        List<String> names = List.of(categories.clone());
        List<Double> heights = new ArrayList<>(values.length);
        for (double v : values) {
            heights.add(v);
        }
        return new XChartFigure("BarChart", title, (w, h) -> {
            CategoryChart chart = new CategoryChart(w, h);
            chart.setTitle(title == null ? "" : title);
            style(chart.getStyler());
            chart.getStyler().setLegendVisible(false);
            chart.getStyler().setAvailableSpaceFill(0.8);
            if (names.stream().mapToInt(String::length).sum() * 7 > w * 0.8) {
                chart.getStyler().setXAxisLabelRotation(45);
            }
            chart.addSeries("value", names, heights).setFillColor(BAR_COLOR);
            return chart;
        });
    }

    /**
     * A heatmap of {@code m[row][col]} with row 0 on top: confusion matrices, attention maps. Labels
     * may be null (then indices are shown).
     */
    public static HeatmapChart heatmap(String title, double[][] m, String[] rowLabels, String[] colLabels) {
        return new HeatmapChart(title, m, rowLabels, colLabels);
    }

    /** A heatmap with index labels. */
    public static HeatmapChart heatmap(String title, double[][] m) {
        return new HeatmapChart(title, m, null, null);
    }

    /**
     * A matrix as a picture with row 0 at the bottom (spectrograms, log-mel features: pass
     * {@code [n_mels][frames]}), coloured with viridis.
     */
    public static ImageChart image(float[][] matrix, String title) {
        return new ImageChart(title, matrix);
    }

    /**
     * A chart of two table columns: a line chart when {@code xCol} is numeric, a bar chart when it
     * holds categories. {@code yCol} must be numeric.
     */
    public static Chart fromTable(Table table, String xCol, String yCol) {
        Objects.requireNonNull(table, "table");
        Column<?> x = column(table, xCol);
        Column<?> y = column(table, yCol);
        if (!(y instanceof NumericColumn<?> yNum)) {
            throw new IllegalArgumentException("table '" + table.name() + "': column '" + yCol + "' is "
                    + y.type().name() + ", a chart needs a numeric y column");
        }
        String title = table.name() == null || table.name().isEmpty() ? yCol + " vs " + xCol : table.name();
        double[] ys = yNum.asDoubleArray();
        if (x instanceof NumericColumn<?> xNum) {
            return line(title, xCol, yCol).series(yCol, xNum.asDoubleArray(), ys);
        }
        String[] categories = new String[x.size()];
        for (int i = 0; i < categories.length; i++) {
            categories[i] = x.getString(i);
        }
        return bar(title, categories, ys);
    }

    /** Counts of finite values in {@code bins} equal-width bins over [lo, hi]; hi itself falls in the last bin. */
    static long[] binCounts(double[] values, int bins, double lo, double hi) {
        long[] counts = new long[bins];
        double width = (hi - lo) / bins;
        for (double v : values) {
            if (!Double.isFinite(v) || v < lo || v > hi) {
                continue;
            }
            int b = (int) ((v - lo) / width);
            counts[Math.min(b, bins - 1)]++;
        }
        return counts;
    }

    /** One look for every XChart chart: white background, light grid, readable fonts. */
    static void style(AxesChartStyler styler) {
        styler.setChartBackgroundColor(Color.WHITE);
        styler.setPlotBackgroundColor(Color.WHITE);
        styler.setPlotBorderVisible(true);
        styler.setPlotBorderColor(new Color(0x999999));
        styler.setPlotGridLinesColor(GRID_COLOR);
        styler.setChartTitleFont(TITLE_FONT);
        styler.setAxisTitleFont(AXIS_FONT);
        styler.setAxisTickLabelsFont(AXIS_FONT);
        styler.setLegendFont(AXIS_FONT);
        styler.setLegendBorderColor(new Color(0xcccccc));
        styler.setChartPadding(8);
    }

    private static Column<?> column(Table table, String name) {
        if (!table.columnNames().contains(name)) {
            throw new IllegalArgumentException("table '" + table.name() + "' has no column '" + name
                    + "'; columns are " + table.columnNames());
        }
        return table.column(name);
    }

    private static double[] finiteRange(double[] values) {
        double lo = Double.POSITIVE_INFINITY;
        double hi = Double.NEGATIVE_INFINITY;
        for (double v : values) {
            if (Double.isFinite(v)) {
                lo = Math.min(lo, v);
                hi = Math.max(hi, v);
            }
        }
        if (lo > hi) {
            throw new IllegalArgumentException("histogram needs at least one finite value, got " + values.length
                    + " values none of them finite");
        }
        if (lo == hi) {
            return new double[] {lo - 0.5, hi + 0.5};
        }
        return new double[] {lo, hi};
    }
}
