package org.osum4j.notebook;

import java.math.BigDecimal;
import java.math.MathContext;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Small HTML helpers shared by the notebook renderers: escaping, number formatting and a styled
 * key/value block ({@code Html.keyValues(Map.of("WER", 0.12))}) for summaries in a notebook.
 * It is not a template engine; every renderer builds its own markup with these pieces.
 */
public final class Html {

    private Html() {}

    /** Escapes the five characters that are special in HTML text and attribute values. */
    public static String escape(String text) {
        if (text == null) {
            return "";
        }
        StringBuilder out = new StringBuilder(text.length() + 16);
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '&' -> out.append("&amp;");
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '"' -> out.append("&quot;");
                case '\'' -> out.append("&#39;");
                default -> out.append(c);
            }
        }
        return out.toString();
    }

    /**
     * A compact human form of a number: integers without decimals, otherwise four significant digits
     * (scientific notation for very large or small magnitudes).
     */
    public static String number(double value) {
        if (Double.isNaN(value) || Double.isInfinite(value)) {
            return String.valueOf(value);
        }
        if (value == Math.rint(value) && Math.abs(value) < 1e15) {
            return String.valueOf((long) value);
        }
        double magnitude = Math.abs(value);
        if (magnitude >= 1e5 || magnitude < 1e-3) {
            return String.format(Locale.ROOT, "%.3e", value);
        }
        return new BigDecimal(value).round(new MathContext(4)).stripTrailingZeros().toPlainString();
    }

    /**
     * A key/value block from alternating keys and values, in the given order:
     * {@code Html.keyValues("WER", wer, "utterances", n)}.
     */
    public static Rich keyValues(Object... keysAndValues) {
        if (keysAndValues.length % 2 != 0) {
            throw new IllegalArgumentException("keyValues needs key, value pairs; got " + keysAndValues.length + " arguments");
        }
        Map<String, Object> entries = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            entries.put(String.valueOf(keysAndValues[i]), keysAndValues[i + 1]);
        }
        return keyValues(entries);
    }

    /** A two-column key/value block, e.g. a run summary; values are shown with {@link #number} when numeric. */
    public static Rich keyValues(Map<String, ?> entries) {
        Map<String, ?> copy = new LinkedHashMap<>(entries);
        return () -> {
            StringBuilder html = new StringBuilder(
                    "<table style=\"border-collapse:collapse;font-family:monospace;font-size:12px\">");
            StringBuilder text = new StringBuilder();
            copy.forEach((key, value) -> {
                String shown = value instanceof Number n ? number(n.doubleValue()) : String.valueOf(value);
                html.append("<tr><th style=\"text-align:left;padding:1px 12px 1px 2px;color:#555\">")
                        .append(escape(key)).append("</th><td style=\"text-align:left;padding:1px 2px\">")
                        .append(escape(shown)).append("</td></tr>");
                text.append(key).append(": ").append(shown).append('\n');
            });
            html.append("</table>");
            Map<String, String> bundle = new LinkedHashMap<>();
            bundle.put("text/html", html.toString());
            bundle.put("text/plain", text.toString().stripTrailing());
            return bundle;
        };
    }
}
