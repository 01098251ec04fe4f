package org.osum4j.notebook;

import java.awt.Graphics2D;
import java.util.function.BiFunction;

/**
 * A {@link Chart} whose picture comes from an XChart chart built at render time for the requested
 * size (the bar and histogram factories use it). Package-private: notebooks see only {@link Chart}.
 */
final class XChartFigure extends Chart {

    private final String kind;
    private final BiFunction<Integer, Integer, org.knowm.xchart.internal.chartpart.Chart<?, ?>> build;

    XChartFigure(String kind, String title,
                 BiFunction<Integer, Integer, org.knowm.xchart.internal.chartpart.Chart<?, ?>> build) {
        super(title, true);
        this.kind = kind;
        this.build = build;
    }

    @Override
    protected void paint(Graphics2D g, int width, int height) {
        build.apply(width, height).paint(g, width, height);
    }

    @Override
    public String toString() {
        return kind + "('" + title() + "', " + width() + "x" + height() + ")";
    }
}
