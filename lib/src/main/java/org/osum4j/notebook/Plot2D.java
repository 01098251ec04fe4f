package org.osum4j.notebook;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.AffineTransform;
import java.awt.image.BufferedImage;

/**
 * Java2D pieces shared by the hand-drawn charts (heatmap, matrix image): fonts, titles, axis ticks
 * and the colour bar. Package-private; XChart draws the line, bar and histogram charts itself.
 */
final class Plot2D {

    static final Font TITLE_FONT = new Font(Font.SANS_SERIF, Font.BOLD, 14);
    static final Font LABEL_FONT = new Font(Font.SANS_SERIF, Font.PLAIN, 11);
    static final Font CELL_FONT = new Font(Font.SANS_SERIF, Font.PLAIN, 10);
    static final Color AXIS_COLOR = new Color(0x444444);
    /** Gap between chart parts, in pixels. */
    static final int PAD = 8;
    /** Width of the colour bar strip and of the space for its tick labels, in pixels. */
    static final int COLORBAR_WIDTH = 14;
    static final int COLORBAR_LABELS = 52;
    private static final int TICK_LENGTH = 4;
    private static final int COLORBAR_STEPS = 128;

    private Plot2D() {}

    /** Draws the title centred at the top; returns the y below it. */
    static int title(Graphics2D g, String title, int width) {
        if (title == null || title.isEmpty()) {
            return PAD;
        }
        g.setFont(TITLE_FONT);
        g.setColor(Color.BLACK);
        FontMetrics fm = g.getFontMetrics();
        g.drawString(title, Math.max(PAD, (width - fm.stringWidth(title)) / 2), PAD + fm.getAscent());
        return PAD + fm.getHeight() + PAD;
    }

    /** Draws {@code text} rotated by -90 degrees, centred vertically on {@code centerY}, left edge at x. */
    static void verticalText(Graphics2D g, String text, int x, int centerY) {
        FontMetrics fm = g.getFontMetrics();
        AffineTransform saved = g.getTransform();
        g.translate(x + fm.getAscent(), centerY + fm.stringWidth(text) / 2.0);
        g.rotate(-Math.PI / 2);
        g.drawString(text, 0, 0);
        g.setTransform(saved);
    }

    /** A vertical colour bar for values lo..hi in the box (x, y, COLORBAR_WIDTH, h), ticks to its right. */
    static void colorbar(Graphics2D g, Colormap map, double lo, double hi, int x, int y, int h) {
        double step = (double) h / COLORBAR_STEPS;
        for (int i = 0; i < COLORBAR_STEPS; i++) {
            g.setColor(map.color((i + 0.5) / COLORBAR_STEPS));
            int top = y + h - (int) Math.round((i + 1) * step);
            int bottom = y + h - (int) Math.round(i * step);
            g.fillRect(x, top, COLORBAR_WIDTH, Math.max(1, bottom - top));
        }
        g.setColor(AXIS_COLOR);
        g.setStroke(new BasicStroke(1f));
        g.drawRect(x, y, COLORBAR_WIDTH, h);
        g.setFont(LABEL_FONT);
        FontMetrics fm = g.getFontMetrics();
        for (double tick : ticks(lo, hi, 5)) {
            int ty = y + h - (int) Math.round((tick - lo) / (hi - lo) * h);
            g.drawLine(x + COLORBAR_WIDTH, ty, x + COLORBAR_WIDTH + TICK_LENGTH, ty);
            g.drawString(Html.number(tick), x + COLORBAR_WIDTH + TICK_LENGTH + 2, ty + fm.getAscent() / 2 - 1);
        }
    }

    /** Round tick values inside [lo, hi], about {@code wanted} of them (1, 2 or 5 times a power of ten apart). */
    static double[] ticks(double lo, double hi, int wanted) {
        if (!(hi > lo)) {
            return new double[] {lo};
        }
        double raw = (hi - lo) / Math.max(1, wanted);
        double power = Math.pow(10, Math.floor(Math.log10(raw)));
        double step = raw / power < 1.5 ? power : raw / power < 3.5 ? 2 * power : raw / power < 7.5 ? 5 * power : 10 * power;
        double first = Math.ceil(lo / step - 1e-9) * step;
        int count = (int) Math.floor((hi - first) / step + 1e-9) + 1;
        double[] out = new double[Math.max(0, count)];
        for (int i = 0; i < out.length; i++) {
            double v = first + i * step;
            out[i] = Math.abs(v) < step * 1e-9 ? 0.0 : v;
        }
        return out;
    }

    /** Min and max of the finite values of a matrix; {0, 1} when there are none; widened when equal. */
    static double[] finiteRange(double[][] m) {
        double lo = Double.POSITIVE_INFINITY;
        double hi = Double.NEGATIVE_INFINITY;
        for (double[] row : m) {
            for (double v : row) {
                if (Double.isFinite(v)) {
                    lo = Math.min(lo, v);
                    hi = Math.max(hi, v);
                }
            }
        }
        if (lo > hi) {
            return new double[] {0, 1};
        }
        if (lo == hi) {
            return new double[] {lo - 0.5, hi + 0.5};
        }
        return new double[] {lo, hi};
    }

    /**
     * The matrix as an image, one pixel per cell, coloured by {@code map} over [lo, hi]. Row 0 is at
     * the top when {@code originLower} is false, at the bottom when true (spectrogram convention).
     */
    static BufferedImage raster(double[][] m, int cols, Colormap map, double lo, double hi, boolean originLower) {
        int rows = m.length;
        BufferedImage image = new BufferedImage(cols, rows, BufferedImage.TYPE_INT_RGB);
        double span = hi - lo;
        for (int r = 0; r < rows; r++) {
            int py = originLower ? rows - 1 - r : r;
            for (int c = 0; c < cols; c++) {
                image.setRGB(c, py, map.rgb((m[r][c] - lo) / span));
            }
        }
        return image;
    }

    /** Draws an image scaled into a box, smoothing when it is shrunk and keeping hard cells when enlarged. */
    static void drawScaled(Graphics2D g, BufferedImage image, int x, int y, int w, int h) {
        boolean enlarged = w >= image.getWidth() && h >= image.getHeight();
        g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, enlarged
                ? RenderingHints.VALUE_INTERPOLATION_NEAREST_NEIGHBOR : RenderingHints.VALUE_INTERPOLATION_BILINEAR);
        g.drawImage(image, x, y, w, h, null);
    }
}
