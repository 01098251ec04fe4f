package org.osum4j.notebook;

import org.junit.jupiter.api.Test;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.Table;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DisplayTest {

    @Test
    void bundle_tablesawTable_rendersAsHtmlTable() {
        Map<String, String> b = Display.bundle(Table.create("t", DoubleColumn.create("x", new double[]{1.5, 2})));
        assertTrue(b.get("text/html").contains("<table"), b.toString());
        assertTrue(b.containsKey("text/plain"));
    }

    @Test
    void bundle_plainObject_isTextOnly() {
        assertEquals(Map.of("text/plain", "42"), Display.bundle(42));
    }

    @Test
    void bundle_richWithoutText_getsToString() {
        Rich r = new Rich() {
            @Override public Map<String, String> mimeBundle() { return Map.of("text/html", "<b>x</b>"); }
            @Override public String toString() { return "X"; }
        };
        Map<String, String> b = Display.bundle(r);
        assertEquals("<b>x</b>", b.get("text/html"));
        assertEquals("X", b.get("text/plain"));
    }
}
