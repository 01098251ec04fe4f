package org.osum4j.notebook;

import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import tech.tablesaw.api.Table;

/**
 * A Tablesaw table paired with a row limit, shown as an HTML table in a notebook and as text
 * elsewhere. Built by {@link Tables#rich(Table)}; it renders on demand and never copies the table.
 */
public final class RichTable implements Rich {

    private final Table table;
    private final int maxRows;
    private final Set<String> htmlColumns;     // cells inserted as markup, unescaped

    RichTable(Table table, int maxRows) {
        this(table, maxRows, Set.of());
    }

    private RichTable(Table table, int maxRows, Set<String> htmlColumns) {
        this.table = Objects.requireNonNull(table, "table");
        if (maxRows < 0) {
            throw new IllegalArgumentException("maxRows must be >= 0, got " + maxRows);
        }
        for (String name : htmlColumns) {
            if (!table.columnNames().contains(name)) {
                throw new IllegalArgumentException("table '" + table.name() + "' has no column '" + name
                        + "' to show as HTML; columns are " + table.columnNames());
            }
        }
        this.maxRows = maxRows;
        this.htmlColumns = Set.copyOf(htmlColumns);
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
        return new RichTable(table, rows, htmlColumns);
    }

    /** The same table with every row shown. */
    public RichTable all() {
        return new RichTable(table, table.rowCount(), htmlColumns);
    }

    /**
     * The same table with the cells of {@code columns} shown as HTML (markup the library built, e.g.
     * {@code AlignmentHtml.render}); the text form still shows them as text.
     */
    public RichTable htmlColumns(String... columns) {
        Set<String> all = new LinkedHashSet<>(htmlColumns);
        all.addAll(List.of(columns));
        return new RichTable(table, maxRows, all);
    }

    @Override
    public Map<String, String> mimeBundle() {
        Map<String, String> bundle = new LinkedHashMap<>();
        bundle.put("text/html", Tables.html(table, maxRows, htmlColumns));
        bundle.put("text/plain", Tables.text(table, maxRows));
        return bundle;
    }

    @Override
    public String toString() {
        return Tables.text(table, maxRows);
    }
}
