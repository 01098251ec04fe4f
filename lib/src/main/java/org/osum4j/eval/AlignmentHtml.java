package org.osum4j.eval;

/**
 * Colour-marked HTML of an alignment, for tables and reports: correct tokens plain, substitutions red as
 * {@code ref→hyp}, deletions struck through in orange, insertions green and underlined.
 */
public final class AlignmentHtml {

    /** Inline CSS so the HTML renders the same in Jupyter, nbconvert output and a standalone report. */
    public static final String STYLE_SUB = "color:#c62828;font-weight:600";
    public static final String STYLE_DEL = "color:#ef6c00;text-decoration:line-through";
    public static final String STYLE_INS = "color:#2e7d32;text-decoration:underline";

    private AlignmentHtml() {}

    public static String render(Alignment a) {
        StringBuilder sb = new StringBuilder("<span class=\"osum-align\">");
        for (Alignment.Step s : a.steps()) {
            if (sb.length() > 26) sb.append(' ');
            switch (s.op()) {
                case CORRECT -> sb.append(escape(s.ref()));
                case SUBSTITUTION -> sb.append("<span style=\"").append(STYLE_SUB).append("\" title=\"substitution\">")
                        .append(escape(s.ref())).append("→").append(escape(s.hyp())).append("</span>");
                case DELETION -> sb.append("<span style=\"").append(STYLE_DEL).append("\" title=\"deletion\">")
                        .append(escape(s.ref())).append("</span>");
                case INSERTION -> sb.append("<span style=\"").append(STYLE_INS).append("\" title=\"insertion\">")
                        .append(escape(s.hyp())).append("</span>");
            }
        }
        return sb.append("</span>").toString();
    }

    /** Minimal HTML escaping for text content and attribute values. */
    public static String escape(String s) {
        if (s == null) return "";
        StringBuilder sb = new StringBuilder(s.length());
        for (char c : s.toCharArray()) {
            switch (c) {
                case '<' -> sb.append("&lt;");
                case '>' -> sb.append("&gt;");
                case '&' -> sb.append("&amp;");
                case '"' -> sb.append("&quot;");
                case '\'' -> sb.append("&#39;");
                default -> sb.append(c);
            }
        }
        return sb.toString();
    }
}
