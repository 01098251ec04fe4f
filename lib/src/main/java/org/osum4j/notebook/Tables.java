package org.osum4j.notebook;

import java.util.List;
import java.util.Objects;
import java.util.Set;
import tech.tablesaw.api.NumericColumn;
import tech.tablesaw.api.Table;
import tech.tablesaw.columns.Column;

/**
 * Renders a Tablesaw {@link Table} for a notebook: {@code Tables.rich(table)} is a {@link Rich}
 * showing an HTML table (escaped, numeric columns right-aligned, at most {@code maxRows} rows with a
 * "… N more rows" note) and Tablesaw's own text form as {@code text/plain}. It does not compute
 * anything on the table; filtering and summaries stay with Tablesaw.
 */
public final class Tables {

    /** Rows shown when no limit is given: enough to see the shape, short enough to scroll past. */
    public static final int DEFAULT_MAX_ROWS = 20;

    private static final String TABLE_STYLE =
            "border-collapse:collapse;font-family:monospace;font-size:12px;margin:2px 0";
    private static final String CELL_STYLE = "padding:2px 8px;border-bottom:1px solid #ddd;";
    private static final String HEAD_STYLE = "padding:2px 8px;border-bottom:2px solid #888;background:#f4f4f4;";
    private static final String NOTE_STYLE = "font-family:monospace;font-size:11px;color:#777";

    private Tables() {}

    /** The table as a rich output with the first {@link #DEFAULT_MAX_ROWS} rows. */
    public static RichTable rich(Table table) {
        return new RichTable(table, DEFAULT_MAX_ROWS);
    }

    /** The table as a rich output with at most {@code maxRows} rows. */
    public static RichTable rich(Table table, int maxRows) {
        return new RichTable(table, maxRows);
    }

    /**
     * The HTML of the table: a caption with its name and size, a header row with column names and
     * types, at most {@code maxRows} body rows, and a note with the number of rows left out.
     */
    public static String html(Table table, int maxRows) {
        return html(table, maxRows, Set.of());
    }

    /**
     * As {@link #html(Table, int)}, but the cells of {@code htmlColumns} are inserted as HTML, unescaped: for
     * columns that hold markup built by the library itself (a colour-marked alignment, an audio player). Every
     * other cell, and every column name, is still escaped. A name that is no column of the table is an error.
     */
    public static String html(Table table, int maxRows, Set<String> htmlColumns) {
        Objects.requireNonNull(table, "table");
        Objects.requireNonNull(htmlColumns, "htmlColumns");
        for (String name : htmlColumns) {
            if (!table.columnNames().contains(name)) {
                throw new IllegalArgumentException("table '" + table.name() + "' has no column '" + name
                        + "' to show as HTML; columns are " + table.columnNames());
            }
        }
        if (maxRows < 0) {
            throw new IllegalArgumentException("maxRows must be >= 0, got " + maxRows);
        }
        List<Column<?>> columns = table.columns();
        int rows = table.rowCount();
        int shown = Math.min(rows, maxRows);
        StringBuilder html = new StringBuilder(256 + 40 * shown * Math.max(1, columns.size()));
        html.append("<div class=\"osum-table\">");
        html.append("<table style=\"").append(TABLE_STYLE).append("\">");
        html.append("<caption style=\"text-align:left;").append(NOTE_STYLE).append("\">")
                .append(Html.escape(table.name() == null ? "" : table.name()))
                .append(" [").append(rows).append(" rows × ").append(columns.size()).append(" cols]")
                .append("</caption>");
        html.append("<thead><tr>");
        for (Column<?> column : columns) {
            html.append("<th style=\"").append(HEAD_STYLE).append("text-align:").append(align(column))
                    .append("\" title=\"").append(Html.escape(column.type().name())).append("\">")
                    .append(Html.escape(column.name())).append("</th>");
        }
        html.append("</tr></thead><tbody>");
        for (int row = 0; row < shown; row++) {
            html.append("<tr>");
            for (Column<?> column : columns) {
                html.append("<td style=\"").append(CELL_STYLE).append("text-align:").append(align(column))
                        .append("\">");
                if (column.isMissing(row)) {
                    html.append("<span style=\"color:#aaa\">—</span>");
                } else if (htmlColumns.contains(column.name())) {
                    html.append(column.getString(row));
                } else {
                    html.append(Html.escape(column.getString(row)));
                }
                html.append("</td>");
            }
            html.append("</tr>");
        }
        html.append("</tbody></table>");
        if (rows > shown) {
            int left = rows - shown;
            html.append("<div style=\"").append(NOTE_STYLE).append("\">… ").append(left)
                    .append(left == 1 ? " more row" : " more rows").append("</div>");
        }
        html.append("</div>");
        return html.toString();
    }

    /** Plain-text form: Tablesaw's own printout, limited to {@code maxRows} rows. */
    public static String text(Table table, int maxRows) {
        Objects.requireNonNull(table, "table");
        // Tablesaw's own print(n) shows head and tail; this shows the head, like the HTML.
        String printed = table.rowCount() > maxRows ? table.first(maxRows).print(maxRows) : table.print(maxRows);
        int left = table.rowCount() - Math.min(table.rowCount(), maxRows);
        return left > 0 ? printed + "\n… " + left + (left == 1 ? " more row" : " more rows") : printed;
    }

    private static String align(Column<?> column) {
        return column instanceof NumericColumn<?> ? "right" : "left";
    }
}
