package org.osum4j.notebook;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import tech.tablesaw.api.Table;

/**
 * A Tablesaw table paired with a row limit, shown as an HTML table in a notebook and as text
 * elsewhere. Built by {@link Tables#rich(Table)}; it renders on demand and never copies the table.
 */
public final class RichTable implements Rich {

    private final Table table;
    private final int maxRows;

    RichTable(Table table, int maxRows) {
        this.table = Objects.requireNonNull(table, "table");
        if (maxRows < 0) {
            throw new IllegalArgumentException("maxRows must be >= 0, got " + maxRows);
        }
        this.maxRows = maxRows;
    }

    /** The wrapped table. */
    public Table table() {
        return table;
    }

    /** The row limit. */
    public int maxRows() {
        return maxRows;
    }

    /** The same table with another row limit. */
    public RichTable maxRows(int rows) {
        return new RichTable(table, rows);
    }

    /** The same table with every row shown. */
    public RichTable all() {
        return new RichTable(table, table.rowCount());
    }

    @Override
    public Map<String, String> mimeBundle() {
        Map<String, String> bundle = new LinkedHashMap<>();
        bundle.put("text/html", Tables.html(table, maxRows));
        bundle.put("text/plain", Tables.text(table, maxRows));
        return bundle;
    }

    @Override
    public String toString() {
        return Tables.text(table, maxRows);
    }
}
