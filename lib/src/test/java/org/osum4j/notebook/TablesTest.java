package org.osum4j.notebook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;

class TablesTest {

    private static Table words(int rows) {
        String[] names = new String[rows];
        double[] scores = new double[rows];
        for (int i = 0; i < rows; i++) {
            names[i] = "w" + i;
            scores[i] = i * 0.5;
        }
        return Table.create("words", StringColumn.create("word", names), DoubleColumn.create("score", scores));
    }

    private static int count(String haystack, String needle) {
        Matcher m = Pattern.compile(Pattern.quote(needle)).matcher(haystack);
        int n = 0;
        while (m.find()) {
            n++;
        }
        return n;
    }

    @Test
    void html_escapesCellsAndColumnNames() {
        Table t = Table.create("<t>", StringColumn.create("a<b", new String[] {"<script>alert('x')</script>", "R&D \"q\""}));
        String html = Tables.html(t, 10);
        assertFalse(html.contains("<script>"), html);
        assertTrue(html.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;"), html);
        assertTrue(html.contains("R&amp;D &quot;q&quot;"), html);
        assertTrue(html.contains("a&lt;b"), html);
        assertTrue(html.contains("&lt;t&gt;"), html);
    }

    @Test
    void html_htmlColumnsAreInsertedAsMarkup_othersStillEscaped() {
        Table t = Table.create("t", StringColumn.create("text", new String[] {"<b>x</b>"}),
                StringColumn.create("markup", new String[] {"<span style=\"color:red\">y</span>"}));
        String html = Tables.rich(t).htmlColumns("markup").mimeBundle().get("text/html");
        assertTrue(html.contains("<span style=\"color:red\">y</span>"), html);
        assertTrue(html.contains("&lt;b&gt;x&lt;/b&gt;"), html);
        assertFalse(html.contains("<b>x</b>"), html);
        assertTrue(Tables.rich(t).htmlColumns("markup").maxRows(5).mimeBundle().get("text/html").contains("<span style"),
                "the HTML columns survive a new row limit");
    }

    @Test
    void htmlColumns_unknownName_isRejectedNamingTheColumns() {
        Table t = words(2);
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> Tables.rich(t).htmlColumns("alignment"));
        assertTrue(e.getMessage().contains("alignment") && e.getMessage().contains("word"), e.getMessage());
    }

    @Test
    void html_limitsRowsAndSaysHowManyAreLeft() {
        String html = Tables.html(words(57), 10);
        assertEquals(10, count(html, "<tr><td"));
        assertTrue(html.contains("… 47 more rows"), html);
        assertTrue(html.contains("w9<"), html);
        assertFalse(html.contains("w10<"), html);
    }

    @Test
    void html_allRowsShown_hasNoMoreRowsNote() {
        String html = Tables.html(words(3), 10);
        assertEquals(3, count(html, "<tr><td"));
        assertFalse(html.contains("more row"), html);
    }

    @Test
    void html_numericColumnsRightAligned_textLeft() {
        String html = Tables.html(words(1), 5);
        assertTrue(html.contains("text-align:right\">0<") || html.contains("text-align:right\">0.0<"), html);
        assertTrue(html.contains("text-align:left\">w0<"), html);
    }

    @Test
    void rich_bundleHasHtmlAndPlainText() {
        Map<String, String> bundle = Tables.rich(words(30)).maxRows(5).mimeBundle();
        assertTrue(bundle.get("text/html").startsWith("<div class=\"osum-table\">"));
        assertTrue(bundle.get("text/plain").contains("w4"), bundle.get("text/plain"));
        assertTrue(bundle.get("text/plain").contains("… 25 more rows"), bundle.get("text/plain"));
    }

    @Test
    void keyValues_pairsKeepTheirOrder() {
        assertEquals("b: 2\na: x", Html.keyValues("b", 2, "a", "x").mimeBundle().get("text/plain"));
    }

    @Test
    void keyValues_escapesAndFormatsNumbers() {
        Map<String, String> bundle = Html.keyValues(Map.of("<k>", 0.123456)).mimeBundle();
        assertTrue(bundle.get("text/html").contains("&lt;k&gt;"));
        assertTrue(bundle.get("text/html").contains("0.1235"), bundle.get("text/html"));
        assertEquals("<k>: 0.1235", bundle.get("text/plain"));
    }
}
