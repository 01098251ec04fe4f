package org.osum4j.notebook;

import java.awt.Graphics2D;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.markers.SeriesMarkers;
import org.knowm.xchart.style.Styler;

/**
 * A line chart of one or more (x, y) series, drawn by XChart: loss curves, signals, metric sweeps.
 * Made by {@code Charts.line(title, xLabel, yLabel).series("train", steps, loss)}; the XChart object
 * is built at render time, so the builder holds only copies of the data.
 */
public final class LineChart extends Chart {

    /** Above this many points per series markers only clutter the line, so they are off by default. */
    private static final int MARKER_POINT_LIMIT = 60;

    /** Above this many points in all, the notebook bundle gets no automatic SVG (one element per segment). */
    private static final int AUTO_SVG_POINT_LIMIT = 250; // ~900 SVG chars per point: about AUTO_SVG_MAX_CHARS

    private record Series(String name, double[] x, double[] y) {}

    private final String xLabel;
    private final String yLabel;
    private final List<Series> series = new ArrayList<>();
    private Boolean markers;
    private boolean logY;

    LineChart(String title, String xLabel, String yLabel) {
        super(title, true);
        this.xLabel = xLabel == null ? "" : xLabel;
        this.yLabel = yLabel == null ? "" : yLabel;
    }

    /** Adds a series; {@code x} and {@code y} must have the same length. The arrays are copied. */
    public LineChart series(String name, double[] x, double[] y) {
        Objects.requireNonNull(name, "series name");
        Objects.requireNonNull(x, "x of series " + name);
        Objects.requireNonNull(y, "y of series " + name);
        if (x.length != y.length) {
            throw new IllegalArgumentException("series '" + name + "': x has " + x.length + " points but y has "
                    + y.length);
        }
        if (x.length == 0) {
            throw new IllegalArgumentException("series '" + name + "' is empty");
        }
        for (Series s : series) {
            if (s.name().equals(name)) {
                throw new IllegalArgumentException("line chart '" + title() + "' already has a series '" + name + "'");
            }
        }
        series.add(new Series(name, x.clone(), y.clone()));
        return this;
    }

    /** Adds a series plotted against its index 0, 1, 2, .... */
    public LineChart series(String name, double[] y) {
        Objects.requireNonNull(y, "y of series " + name);
        double[] x = new double[y.length];
        for (int i = 0; i < x.length; i++) {
            x[i] = i;
        }
        return series(name, x, y);
    }

    /** Adds a float series (e.g. a waveform) plotted against its index. */
    public LineChart series(String name, float[] y) {
        Objects.requireNonNull(y, "y of series " + name);
        double[] values = new double[y.length];
        for (int i = 0; i < y.length; i++) {
            values[i] = y[i];
        }
        return series(name, values);
    }

    /** Draws point markers (default: only when every series is short). */
    public LineChart markers(boolean show) {
        this.markers = show;
        return this;
    }

    /** Logarithmic y axis (for losses spanning decades); all y values must then be positive. */
    public LineChart logY(boolean log) {
        this.logY = log;
        return this;
    }

    /** The number of series added so far. */
    public int seriesCount() {
        return series.size();
    }

    @Override
    public LineChart size(int widthPx, int heightPx) {
        super.size(widthPx, heightPx);
        return this;
    }

    @Override
    public LineChart withSvg(boolean include) {
        super.withSvg(include);
        return this;
    }

    @Override
    protected boolean svgWorthRendering() {
        return series.stream().mapToInt(s -> s.x().length).sum() <= AUTO_SVG_POINT_LIMIT;
    }

    @Override
    protected void paint(Graphics2D g, int width, int height) {
        if (series.isEmpty()) {
            throw new IllegalStateException("line chart '" + title() + "' has no series; add one with .series(name, x, y)");
        }
        XYChart chart = new XYChart(width, height);
        chart.setTitle(title());
        chart.setXAxisTitle(xLabel);
        chart.setYAxisTitle(yLabel);
        Charts.style(chart.getStyler());
        chart.getStyler().setLegendVisible(series.size() > 1);
        chart.getStyler().setLegendPosition(Styler.LegendPosition.InsideNE);
        chart.getStyler().setYAxisLogarithmic(logY);
        boolean showMarkers = markers != null ? markers
                : series.stream().allMatch(s -> s.x().length <= MARKER_POINT_LIMIT);
        for (Series s : series) {
            if (logY) {
                for (int i = 0; i < s.y().length; i++) {
                    if (!(s.y()[i] > 0)) {
                        throw new IllegalStateException("line chart '" + title() + "': a log y axis needs positive values; series '"
                                + s.name() + "' has " + s.y()[i] + " at index " + i);
                    }
                }
            }
            XYSeries added = chart.addSeries(s.name(), s.x(), s.y());
            if (!showMarkers) {
                added.setMarker(SeriesMarkers.NONE);
            }
        }
        chart.paint(g, width, height);
    }

    @Override
    public String toString() {
        return "LineChart('" + title() + "', " + series.size() + " series, " + width() + "x" + height() + ")";
    }
}
