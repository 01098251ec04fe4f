package org.osum4j.notebook;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.geom.AffineTransform;

/**
 * A labelled matrix of coloured cells with a colour bar: confusion matrices, attention weights,
 * similarity tables. Row 0 is drawn at the top (matrix convention). Small matrices get their values
 * written into the cells. Drawn with plain Java2D; made by {@link Charts#heatmap}.
 */
public final class HeatmapChart extends Chart {

    /** Above this many cells the grid is drawn as one scaled raster and kept out of the SVG by default. */
    private static final int VECTOR_CELL_LIMIT = 4096;
    /** Smallest cell, in pixels, that has room for its value written inside. */
    private static final int MIN_ANNOTATED_CELL_WIDTH = 26;
    private static final int MIN_ANNOTATED_CELL_HEIGHT = 14;

    private final double[][] m; // [rows][cols]
    private final int rows;
    private final int cols;
    private final String[] rowLabels;
    private final String[] colLabels;
    private Colormap colormap = Colormap.BLUES;
    private double[] range;
    private Boolean annotate;
    private String xTitle = "";
    private String yTitle = "";

    HeatmapChart(String title, double[][] m, String[] rowLabels, String[] colLabels) {
        super(title, cellCount(m) <= VECTOR_CELL_LIMIT);
        this.rows = m.length;
        this.cols = m[0].length;
        this.m = new double[rows][];
        for (int r = 0; r < rows; r++) {
            if (m[r] == null || m[r].length != cols) {
                throw new IllegalArgumentException("heatmap '" + title + "': row " + r + " has "
                        + (m[r] == null ? "no" : m[r].length) + " values, row 0 has " + cols);
            }
            this.m[r] = m[r].clone();
        }
        this.rowLabels = labels(rowLabels, rows, "row", title);
        this.colLabels = labels(colLabels, cols, "column", title);
    }

    /** The colour scale (default {@link Colormap#BLUES}). */
    public HeatmapChart colormap(Colormap map) {
        this.colormap = java.util.Objects.requireNonNull(map, "colormap");
        return this;
    }

    /** Fixes the value range of the colour scale (default: min..max of the data). */
    public HeatmapChart range(double lo, double hi) {
        if (!(hi > lo)) {
            throw new IllegalArgumentException("heatmap range needs lo < hi, got " + lo + " .. " + hi);
        }
        this.range = new double[] {lo, hi};
        return this;
    }

    /** Writes each value into its cell (default: when the cells are big enough). */
    public HeatmapChart annotate(boolean show) {
        this.annotate = show;
        return this;
    }

    /** Axis titles, e.g. {@code axes("predicted", "true")} for a confusion matrix. */
    public HeatmapChart axes(String xAxisTitle, String yAxisTitle) {
        this.xTitle = xAxisTitle == null ? "" : xAxisTitle;
        this.yTitle = yAxisTitle == null ? "" : yAxisTitle;
        return this;
    }

    @Override
    public HeatmapChart size(int widthPx, int heightPx) {
        super.size(widthPx, heightPx);
        return this;
    }

    @Override
    public HeatmapChart withSvg(boolean include) {
        super.withSvg(include);
        return this;
    }

    @Override
    protected void paint(Graphics2D g, int width, int height) {
        double[] lohi = range != null ? range : Plot2D.finiteRange(m);
        int top = Plot2D.title(g, title(), width);
        g.setFont(Plot2D.LABEL_FONT);
        FontMetrics fm = g.getFontMetrics();
        int rowLabelWidth = 0;
        for (String label : rowLabels) {
            rowLabelWidth = Math.max(rowLabelWidth, fm.stringWidth(label));
        }
        int colLabelWidth = 0;
        for (String label : colLabels) {
            colLabelWidth = Math.max(colLabelWidth, fm.stringWidth(label));
        }
        int yTitleSpace = yTitle.isEmpty() ? 0 : fm.getHeight() + Plot2D.PAD;
        int xTitleSpace = xTitle.isEmpty() ? 0 : fm.getHeight() + Plot2D.PAD;
        int left = Plot2D.PAD + yTitleSpace + rowLabelWidth + Plot2D.PAD;
        int right = width - Plot2D.PAD - Plot2D.COLORBAR_LABELS - Plot2D.COLORBAR_WIDTH - Plot2D.PAD;
        int plotWidth = Math.max(1, right - left);
        double cellWidth = (double) plotWidth / cols;
        boolean verticalColLabels = colLabelWidth > cellWidth - 4;
        int colLabelHeight = verticalColLabels ? colLabelWidth : fm.getHeight();
        int bottom = height - Plot2D.PAD - xTitleSpace - colLabelHeight - Plot2D.PAD;
        int plotHeight = Math.max(1, bottom - top);
        double cellHeight = (double) plotHeight / rows;

        double span = lohi[1] - lohi[0];
        if ((long) rows * cols > VECTOR_CELL_LIMIT) {
            Plot2D.drawScaled(g, Plot2D.raster(m, cols, colormap, lohi[0], lohi[1], false), left, top, plotWidth, plotHeight);
        } else {
            for (int r = 0; r < rows; r++) {
                for (int c = 0; c < cols; c++) {
                    int x0 = left + (int) Math.round(c * cellWidth);
                    int y0 = top + (int) Math.round(r * cellHeight);
                    int x1 = left + (int) Math.round((c + 1) * cellWidth);
                    int y1 = top + (int) Math.round((r + 1) * cellHeight);
                    g.setColor(new Color(colormap.rgb((m[r][c] - lohi[0]) / span)));
                    g.fillRect(x0, y0, x1 - x0, y1 - y0);
                }
            }
        }
        boolean writeValues = annotate != null ? annotate
                : cellWidth >= MIN_ANNOTATED_CELL_WIDTH && cellHeight >= MIN_ANNOTATED_CELL_HEIGHT;
        if (writeValues) {
            g.setFont(Plot2D.CELL_FONT);
            FontMetrics cfm = g.getFontMetrics();
            for (int r = 0; r < rows; r++) {
                for (int c = 0; c < cols; c++) {
                    String text = Html.number(m[r][c]);
                    g.setColor(Colormap.textOn(colormap.rgb((m[r][c] - lohi[0]) / span)));
                    int cx = left + (int) Math.round((c + 0.5) * cellWidth);
                    int cy = top + (int) Math.round((r + 0.5) * cellHeight);
                    g.drawString(text, cx - cfm.stringWidth(text) / 2, cy + cfm.getAscent() / 2 - 1);
                }
            }
        }
        g.setColor(Plot2D.AXIS_COLOR);
        g.setStroke(new BasicStroke(1f));
        g.drawRect(left, top, plotWidth, plotHeight);

        // Row labels right-aligned left of the grid; column labels under it (vertical when crowded).
        g.setFont(Plot2D.LABEL_FONT);
        int labelStride = Math.max(1, (int) Math.ceil(fm.getHeight() / cellHeight));
        for (int r = 0; r < rows; r += labelStride) {
            int cy = top + (int) Math.round((r + 0.5) * cellHeight);
            g.drawString(rowLabels[r], left - Plot2D.PAD / 2 - fm.stringWidth(rowLabels[r]), cy + fm.getAscent() / 2 - 1);
        }
        int colStride = Math.max(1, (int) Math.ceil((verticalColLabels ? fm.getHeight() : colLabelWidth + 4) / cellWidth));
        for (int c = 0; c < cols; c += colStride) {
            int cx = left + (int) Math.round((c + 0.5) * cellWidth);
            if (verticalColLabels) {
                AffineTransform saved = g.getTransform();
                g.translate(cx + fm.getAscent() / 2.0 - 1, bottom + Plot2D.PAD / 2.0 + fm.stringWidth(colLabels[c]));
                g.rotate(-Math.PI / 2);
                g.drawString(colLabels[c], 0, 0);
                g.setTransform(saved);
            } else {
                g.drawString(colLabels[c], cx - fm.stringWidth(colLabels[c]) / 2, bottom + Plot2D.PAD / 2 + fm.getAscent());
            }
        }
        if (!xTitle.isEmpty()) {
            g.drawString(xTitle, left + (plotWidth - fm.stringWidth(xTitle)) / 2, height - Plot2D.PAD - fm.getDescent());
        }
        if (!yTitle.isEmpty()) {
            Plot2D.verticalText(g, yTitle, Plot2D.PAD, top + plotHeight / 2);
        }
        Plot2D.colorbar(g, colormap, lohi[0], lohi[1], right + Plot2D.PAD, top, plotHeight);
    }

    @Override
    public String toString() {
        return "HeatmapChart('" + title() + "', " + rows + "x" + cols + " cells, " + width() + "x" + height() + ")";
    }

    private static int cellCount(double[][] m) {
        if (m == null || m.length == 0 || m[0] == null || m[0].length == 0) {
            throw new IllegalArgumentException("heatmap matrix must have at least one row and one column");
        }
        return m.length * m[0].length;
    }

    private static String[] labels(String[] given, int n, String what, String title) {
        if (given == null) {
            String[] out = new String[n];
            for (int i = 0; i < n; i++) {
                out[i] = String.valueOf(i);
            }
            return out;
        }
        if (given.length != n) {
            throw new IllegalArgumentException("heatmap '" + title + "': " + given.length + " " + what
                    + " labels for " + n + " " + what + "s");
        }
        String[] out = given.clone();
        for (int i = 0; i < n; i++) {
            out[i] = out[i] == null ? "" : out[i];
        }
        return out;
    }
}
