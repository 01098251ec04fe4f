package org.osum4j.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.List;

import org.junit.jupiter.api.Test;

class CellPartsTest {

    @Test
    void parse_lineMagics_splitCodeAndKeepLineBases() {
        CellParts cell = CellParts.parse("int a = 1;\n%classpath lib/*\nint b = 2;\nint c = 3;\n  %time b + c");
        assertNull(cell.cellMagic());
        assertEquals(List.of(
                new CellParts.Code("int a = 1;\n", 0),
                new CellParts.LineMagic("classpath", "lib/*", 1),
                new CellParts.Code("int b = 2;\nint c = 3;\n", 2),
                new CellParts.LineMagic("time", "b + c", 4)), cell.parts());
    }

    @Test
    void parse_cellMagic_appliesToTheRest() {
        CellParts cell = CellParts.parse("%%time\nint t = 1;\nt + 1");
        assertEquals(new CellParts.CellMagic("time", ""), cell.cellMagic());
        assertEquals(List.of(new CellParts.Code("int t = 1;\nt + 1", 1)), cell.parts());
    }

    @Test
    void parse_moduloAtLineStart_staysJava() {
        CellParts cell = CellParts.parse("int m = 7\n  % 3;");
        assertEquals(List.of(new CellParts.Code("int m = 7\n  % 3;", 0)), cell.parts());
    }

    @Test
    void javaOnly_blanksMagicsKeepingOffsets() {
        String cell = "%%time\n%maven a:b:1\nint x = 1;";
        String java = CellParts.javaOnly(cell);
        assertEquals(cell.length(), java.length());
        assertEquals(" ".repeat("%%time".length()) + "\n" + " ".repeat("%maven a:b:1".length()) + "\nint x = 1;", java);
    }
}
