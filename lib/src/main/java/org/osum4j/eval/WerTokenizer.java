package org.osum4j.eval;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Turns a transcript into scoring tokens exactly as OSUM's {@code tools/compute-wer.py --char=1} does, so
 * Chinese is scored per character (CER) and English per word (WER) in one pass:
 * <ol>
 *   <li>whole {@code <...>} tags are removed (so ASR+X outputs such as {@code hello<happy>} can be scored);</li>
 *   <li>text is upper-cased (scoring is case-insensitive);</li>
 *   <li>only the punctuation {@code ! , ? 、 。 ！ ， ； ？ ： 「 」 ︰ 『 』 《 》} and white space are dropped;
 *       other ASCII punctuation ({@code .}, {@code '}) stays attached to its word;</li>
 *   <li>each "other letter" (Unicode category Lo: CJK characters) is its own token; runs of ASCII
 *       non-space characters are words.</li>
 * </ol>
 * Not a text normaliser beyond that: numbers, contractions and spelling variants count as written.
 */
public final class WerTokenizer {

    /** The punctuation compute-wer.py drops; nothing else is removed. */
    public static final Set<Character> PUNCTUATION = Set.of(
            '!', ',', '?', '、', '。', '！', '，', '；', '？', '：', '「', '」', '︰', '『', '』', '《', '》');

    private static final Pattern TAG = Pattern.compile("<[^<>]*>");

    private WerTokenizer() {}

    /** Scoring tokens of a transcript (see the class comment for the rules). */
    public static List<String> tokens(String text) {
        String s = TAG.matcher(text == null ? "" : text).replaceAll(" ").toUpperCase(Locale.ROOT);
        List<String> out = new ArrayList<>();
        int i = 0;
        int n = s.length();
        while (i < n) {
            char c = s.charAt(i);
            int type = Character.getType(c);
            if (PUNCTUATION.contains(c) || Character.isWhitespace(c) || type == Character.SPACE_SEPARATOR
                    || type == Character.UNASSIGNED) {
                i++;
                continue;
            }
            int cp = s.codePointAt(i);
            if (Character.getType(cp) == Character.OTHER_LETTER) {          // CJK etc.: one token per character
                out.add(new String(Character.toChars(cp)));
                i += Character.charCount(cp);
                continue;
            }
            int j = i + 1;                                                   // a word: up to space, non-ASCII
            while (j < n) {
                char d = s.charAt(j);
                if (d >= 128 || Character.isWhitespace(d) || PUNCTUATION.contains(d)) break;
                j++;
            }
            out.add(s.substring(i, j));
            i = j;
        }
        return out;
    }
}
