package org.osum4j.notebook;

import java.awt.BasicStroke;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.util.Objects;

/**
 * A matrix shown as a coloured picture with a colour bar: log-mel spectrograms, feature maps. Row 0
 * is drawn at the BOTTOM (spectrogram convention: low frequencies low), columns run left to right
 * (time). Only PNG goes into the notebook bundle by default, since an SVG would just wrap the raster.
 * Made by {@link Charts#image(float[][], String)}.
 */
public final class ImageChart extends Chart {

    private static final int TICK_LENGTH = 4;
    private static final int TICKS_PER_AXIS = 6;

    private final double[][] m; // [rows][cols], e.g. [n_mels][frames]
    private final int rows;
    private final int cols;
    private Colormap colormap = Colormap.VIRIDIS;
    private double[] range;
    private String xTitle = "frame";
    private String yTitle = "bin";

    ImageChart(String title, float[][] matrix) {
        super(title, false);
        if (matrix == null || matrix.length == 0 || matrix[0] == null || matrix[0].length == 0) {
            throw new IllegalArgumentException("image '" + title + "': matrix must have at least one row and one column");
        }
        this.rows = matrix.length;
        this.cols = matrix[0].length;
        this.m = new double[rows][cols];
        for (int r = 0; r < rows; r++) {
            if (matrix[r] == null || matrix[r].length != cols) {
                throw new IllegalArgumentException("image '" + title + "': row " + r + " has "
                        + (matrix[r] == null ? "no" : matrix[r].length) + " values, row 0 has " + cols);
            }
            for (int c = 0; c < cols; c++) {
                m[r][c] = matrix[r][c];
            }
        }
    }

    /** The colour scale (default {@link Colormap#VIRIDIS}). */
    public ImageChart colormap(Colormap map) {
        this.colormap = Objects.requireNonNull(map, "colormap");
        return this;
    }

    /** Fixes the value range of the colour scale (default: min..max of the data). */
    public ImageChart range(double lo, double hi) {
        if (!(hi > lo)) {
            throw new IllegalArgumentException("image range needs lo < hi, got " + lo + " .. " + hi);
        }
        this.range = new double[] {lo, hi};
        return this;
    }

    /** Axis titles (default "frame" and "bin"). */
    public ImageChart axes(String xAxisTitle, String yAxisTitle) {
        this.xTitle = xAxisTitle == null ? "" : xAxisTitle;
        this.yTitle = yAxisTitle == null ? "" : yAxisTitle;
        return this;
    }

    @Override
    public ImageChart size(int widthPx, int heightPx) {
        super.size(widthPx, heightPx);
        return this;
    }

    @Override
    public ImageChart withSvg(boolean include) {
        super.withSvg(include);
        return this;
    }

    @Override
    protected void paint(Graphics2D g, int width, int height) {
        double[] lohi = range != null ? range : Plot2D.finiteRange(m);
        int top = Plot2D.title(g, title(), width);
        g.setFont(Plot2D.LABEL_FONT);
        FontMetrics fm = g.getFontMetrics();
        int yTickWidth = fm.stringWidth(String.valueOf(rows));
        int left = Plot2D.PAD + (yTitle.isEmpty() ? 0 : fm.getHeight() + Plot2D.PAD) + yTickWidth + TICK_LENGTH + 2;
        int right = width - Plot2D.PAD - Plot2D.COLORBAR_LABELS - Plot2D.COLORBAR_WIDTH - Plot2D.PAD;
        int bottom = height - Plot2D.PAD - (xTitle.isEmpty() ? 0 : fm.getHeight()) - fm.getHeight() - TICK_LENGTH;
        int plotWidth = Math.max(1, right - left);
        int plotHeight = Math.max(1, bottom - top);

        Plot2D.drawScaled(g, Plot2D.raster(m, cols, colormap, lohi[0], lohi[1], true), left, top, plotWidth, plotHeight);
        g.setColor(Plot2D.AXIS_COLOR);
        g.setStroke(new BasicStroke(1f));
        g.drawRect(left, top, plotWidth, plotHeight);
        for (double tick : Plot2D.ticks(0, cols, TICKS_PER_AXIS)) {
            int x = left + (int) Math.round(tick / cols * plotWidth);
            String label = Html.number(tick);
            g.drawLine(x, bottom, x, bottom + TICK_LENGTH);
            g.drawString(label, x - fm.stringWidth(label) / 2, bottom + TICK_LENGTH + fm.getAscent());
        }
        for (double tick : Plot2D.ticks(0, rows, TICKS_PER_AXIS)) {
            int y = bottom - (int) Math.round(tick / rows * plotHeight);
            String label = Html.number(tick);
            g.drawLine(left - TICK_LENGTH, y, left, y);
            g.drawString(label, left - TICK_LENGTH - 2 - fm.stringWidth(label), y + fm.getAscent() / 2 - 1);
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
        return "ImageChart('" + title() + "', " + rows + "x" + cols + ", " + width() + "x" + height() + ")";
    }
}
