package org.osum4j.text;

import java.util.Locale;
import java.util.regex.Pattern;

/**
 * OSUM's text normalisation before tokenising ({@code processor.py::process_text}): what the model
 * was trained to read and write. It is not a full text normaliser (no punctuation removal, no number
 * expansion); OSUM's data were normalised upstream and that step is unknown (spec §2.3).
 */
public final class TextNorm {

    /** Whitespace around one CJK unified ideograph (U+4E00–U+9FFF), as OSUM's {@code \s*([\u4e00-\u9fff])\s*}. */
    private static final Pattern SPACE_AROUND_CJK =
            Pattern.compile("\\s*([\\x{4E00}-\\x{9FFF}])\\s*", Pattern.UNICODE_CHARACTER_CLASS);
    private static final Pattern SPACE_AROUND_LT = Pattern.compile("\\s*<\\s*", Pattern.UNICODE_CHARACTER_CLASS);
    private static final Pattern SPACE_AROUND_GT = Pattern.compile("\\s*>\\s*", Pattern.UNICODE_CHARACTER_CLASS);

    private TextNorm() {
    }

    /**
     * OSUM {@code process_text}, in its order: (1) drop whitespace around every CJK character,
     * (2) lower-case everything, (3) drop whitespace around {@code <} and {@code >}.
     * E.g. {@code "说 做 得 <Happy> It Looks"} → {@code "说做得<happy>it looks"}.
     */
    public static String processText(String text) {
        String s = SPACE_AROUND_CJK.matcher(text).replaceAll("$1");
        s = s.toLowerCase(Locale.ROOT);
        s = SPACE_AROUND_LT.matcher(s).replaceAll("<");
        return SPACE_AROUND_GT.matcher(s).replaceAll(">");
    }

    /** True for a code point in OSUM's CJK range U+4E00–U+9FFF. */
    public static boolean isCjk(int codePoint) {
        return codePoint >= 0x4E00 && codePoint <= 0x9FFF;
    }
}
