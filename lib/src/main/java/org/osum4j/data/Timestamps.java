package org.osum4j.data;

import org.osum4j.text.TextNorm;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The SRWT (speech recognition with word-level timestamps) target syntax of osum4j, and its parser.
 * OSUM's exact syntax is unknown (spec §2.3); its prompts ask for the start and end time of every English
 * word / Chinese character "before and after" it, "in &lt;&gt;", "to 0.1 s". osum4j therefore defines:
 *
 * <pre>
 *   target := item*            item := '&lt;' time '&gt;' word '&lt;' time '&gt;'
 *   time   := seconds with exactly one decimal (0.1 s resolution), e.g. 0.3, 12.0
 *   word   := one English word or one Chinese character: any text without '&lt;', '&gt;' or whitespace
 * </pre>
 *
 * Example: {@code <0.3>hello<0.7><0.8>world<1.2><1.3>你<1.5><1.5>好<1.8>}. The canonical form has no
 * separator between items, which is what {@link TextNorm#processText} leaves of any spacing (it removes
 * whitespace around {@code <} and {@code >}), so the model is trained and parsed on the same string.
 * The parser accepts whitespace between items. Times are integers in tenths of a second, so
 * {@code format(parse(s)).equals(s)} for canonical {@code s}, and {@code parse(format(w)).equals(w)}.
 * Rules checked: start ≤ end within a word, and a word never starts before the previous one ends.
 */
public final class Timestamps {

    /** Time resolution of the SRWT task: 0.1 s, i.e. 10 ticks per second. */
    public static final int TICKS_PER_SECOND = 10;

    /** One timed word; times in tenths of a second (ticks). */
    public record Word(String text, int startTicks, int endTicks) {
        public Word {
            Objects.requireNonNull(text, "word text");
            if (text.isEmpty() || text.chars().anyMatch(c -> c == '<' || c == '>' || Character.isWhitespace(c)))
                throw new IllegalArgumentException("SRWT word '" + text + "': must be non-empty, without <, > or spaces");
            if (startTicks < 0 || endTicks < startTicks)
                throw new IllegalArgumentException("SRWT word '" + text + "': bad times " + startTicks + ".." + endTicks
                        + " ticks (need 0 <= start <= end)");
        }

        /** A word with times in seconds, rounded to the nearest 0.1 s. */
        public static Word of(String text, double startSeconds, double endSeconds) {
            return new Word(text, (int) Math.round(startSeconds * TICKS_PER_SECOND),
                    (int) Math.round(endSeconds * TICKS_PER_SECOND));
        }

        public double startSeconds() {
            return startTicks / (double) TICKS_PER_SECOND;
        }

        public double endSeconds() {
            return endTicks / (double) TICKS_PER_SECOND;
        }
    }

    private Timestamps() {
    }

    /** The canonical target text of timed words. */
    public static String format(List<Word> words) {
        checkOrder(words, "words");
        StringBuilder sb = new StringBuilder();
        for (Word w : words) {
            sb.append('<').append(formatTicks(w.startTicks())).append('>').append(w.text())
              .append('<').append(formatTicks(w.endTicks())).append('>');
        }
        return sb.toString();
    }

    /** Parses a target; throws with the character position and what was expected on malformed input. */
    public static List<Word> parse(String text) {
        List<Word> out = new ArrayList<>();
        int[] pos = {0};
        skipSpace(text, pos);
        while (pos[0] < text.length()) {
            int itemAt = pos[0];
            int start = readTime(text, pos);
            int wordFrom = pos[0];
            while (pos[0] < text.length() && text.charAt(pos[0]) != '<') pos[0]++;
            String word = text.substring(wordFrom, pos[0]);
            if (word.isEmpty() || word.chars().anyMatch(c -> c == '>' || Character.isWhitespace(c)))
                throw error(text, wordFrom, "a word without spaces or '>' between the start and end times, got '" + word + "'");
            int end = readTime(text, pos);
            if (end < start) throw error(text, itemAt, "end time before start time for '" + word + "'");
            out.add(new Word(word, start, end));
            skipSpace(text, pos);
        }
        checkOrder(out, "'" + text + "'");
        return List.copyOf(out);
    }

    /** True if {@code text} parses as a non-empty SRWT target. */
    public static boolean isValid(String text) {
        try {
            return !parse(text).isEmpty();
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /** The plain transcript: words joined by a space, except next to a CJK character (no space in Chinese). */
    public static String transcript(List<Word> words) {
        StringBuilder sb = new StringBuilder();
        for (Word w : words) {
            if (sb.length() > 0 && !TextNorm.isCjk(sb.codePointBefore(sb.length())) && !TextNorm.isCjk(w.text().codePointAt(0)))
                sb.append(' ');
            sb.append(w.text());
        }
        return sb.toString();
    }

    private static String formatTicks(int ticks) {
        return (ticks / TICKS_PER_SECOND) + "." + (ticks % TICKS_PER_SECOND);
    }

    /** Reads {@code <digits.digit>} at pos; returns ticks. */
    private static int readTime(String s, int[] pos) {
        int at = pos[0];
        if (at >= s.length() || s.charAt(at) != '<') throw error(s, at, "'<' opening a time");
        int close = s.indexOf('>', at);
        if (close < 0) throw error(s, at, "a time '<seconds.tenth>' closed by '>'");
        String t = s.substring(at + 1, close);
        int dot = t.indexOf('.');
        if (dot < 1 || dot != t.length() - 2 || !t.substring(0, dot).chars().allMatch(Character::isDigit)
                || !Character.isDigit(t.charAt(dot + 1)))
            throw error(s, at, "a time in seconds with one decimal (0.1 s resolution) like <1.3>, got <" + t + ">");
        pos[0] = close + 1;
        try {
            return Math.addExact(Math.multiplyExact(Integer.parseInt(t.substring(0, dot)), TICKS_PER_SECOND),
                    t.charAt(dot + 1) - '0');
        } catch (ArithmeticException | NumberFormatException e) {
            throw error(s, at, "a time that fits in an int, got <" + t + ">");
        }
    }

    private static void skipSpace(String s, int[] pos) {
        while (pos[0] < s.length() && Character.isWhitespace(s.charAt(pos[0]))) pos[0]++;
    }

    private static void checkOrder(List<Word> words, String what) {
        for (int i = 1; i < words.size(); i++) {
            if (words.get(i).startTicks() < words.get(i - 1).endTicks())
                throw new IllegalArgumentException("SRWT " + what + ": word " + i + " '" + words.get(i).text()
                        + "' starts at " + words.get(i).startSeconds() + " s, before word " + (i - 1) + " '"
                        + words.get(i - 1).text() + "' ends at " + words.get(i - 1).endSeconds() + " s");
        }
    }

    private static IllegalArgumentException error(String s, int at, String expected) {
        return new IllegalArgumentException("SRWT target at char " + at + ": expected " + expected + " in '" + s + "'");
    }
}
