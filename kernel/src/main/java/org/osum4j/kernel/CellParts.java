package org.osum4j.kernel;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A cell cut into what the kernel runs in order: Java code and line magics ({@code %name args} on
 * a line of its own). A first line {@code %%name args} is a cell magic that applies to the rest.
 * Every part remembers its first line in the cell, so errors can name cell lines.
 *
 * <p>Only parsing: {@link OsumKernel} knows what each magic does.
 */
record CellParts(CellMagic cellMagic, List<Part> parts) {

    private static final Pattern LINE_MAGIC = Pattern.compile("^[ \\t]*%([A-Za-z][\\w-]*)(.*)$");
    private static final Pattern CELL_MAGIC = Pattern.compile("^[ \\t]*%%([A-Za-z][\\w-]*)(.*)$");

    /** {@code %%name args} on the first line; null when the cell has none. */
    record CellMagic(String name, String args) {}

    /** A piece of the cell, in order. */
    sealed interface Part permits Code, LineMagic {
        /** Lines of the cell before this part. */
        int lineBase();
    }

    /** Java source (one or more snippets). */
    record Code(String text, int lineBase) implements Part {}

    /** {@code %name args}. */
    record LineMagic(String name, String args, int lineBase) implements Part {}

    static CellParts parse(String cell) {
        String[] lines = cell.split("\n", -1);
        CellMagic cellMagic = null;
        int first = 0;
        if (lines.length > 0) {
            Matcher m = CELL_MAGIC.matcher(lines[0]);
            if (m.matches()) {
                cellMagic = new CellMagic(m.group(1), m.group(2).strip());
                first = 1;
            }
        }
        List<Part> parts = new ArrayList<>();
        StringBuilder code = new StringBuilder();
        int codeStart = first;
        for (int i = first; i < lines.length; i++) {
            Matcher m = LINE_MAGIC.matcher(lines[i]);
            if (m.matches() && !lines[i].strip().startsWith("%%")) {
                addCode(parts, code, codeStart);
                parts.add(new LineMagic(m.group(1), m.group(2).strip(), i));
                code.setLength(0);
                codeStart = i + 1;
            } else {
                code.append(lines[i]);
                if (i < lines.length - 1) {
                    code.append('\n');
                }
            }
        }
        addCode(parts, code, codeStart);
        return new CellParts(cellMagic, List.copyOf(parts));
    }

    private static void addCode(List<Part> parts, StringBuilder code, int lineBase) {
        if (!code.toString().isBlank()) {
            parts.add(new Code(code.toString(), lineBase));
        }
    }

    /**
     * The cell with every magic line replaced by spaces: the same offsets, only Java left. Used for
     * completion and completeness checks, which must not see magics.
     */
    static String javaOnly(String cell) {
        String[] lines = cell.split("\n", -1);
        StringBuilder out = new StringBuilder(cell.length());
        for (int i = 0; i < lines.length; i++) {
            boolean magic = LINE_MAGIC.matcher(lines[i]).matches() || (i == 0 && CELL_MAGIC.matcher(lines[i]).matches());
            out.append(magic ? " ".repeat(lines[i].length()) : lines[i]);
            if (i < lines.length - 1) {
                out.append('\n');
            }
        }
        return out.toString();
    }
}
