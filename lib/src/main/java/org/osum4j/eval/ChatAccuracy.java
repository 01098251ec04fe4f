package org.osum4j.eval;

import java.text.Normalizer;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Speech-to-text-chat (STTC) answer accuracy by normalised exact match: the answer after {@code <开始回答>} of
 * reference and hypothesis agree when their normalised forms are equal. Normalising: Unicode NFKC (full-width
 * forms), lower case, English number words and Chinese numerals written as digits ("twenty-one" → 21,
 * "四" → 4, "一百零五" → 105), then punctuation and white space removed (a decimal point between digits stays).
 * This is a cheap, reproducible stand-in for OSUM's GPT-3.5 judge: right for short factual answers, too strict
 * for free-form replies.
 */
public final class ChatAccuracy {

    private static final Map<String, Integer> SMALL = Map.ofEntries(
            Map.entry("zero", 0), Map.entry("one", 1), Map.entry("two", 2), Map.entry("three", 3), Map.entry("four", 4),
            Map.entry("five", 5), Map.entry("six", 6), Map.entry("seven", 7), Map.entry("eight", 8), Map.entry("nine", 9),
            Map.entry("ten", 10), Map.entry("eleven", 11), Map.entry("twelve", 12), Map.entry("thirteen", 13),
            Map.entry("fourteen", 14), Map.entry("fifteen", 15), Map.entry("sixteen", 16), Map.entry("seventeen", 17),
            Map.entry("eighteen", 18), Map.entry("nineteen", 19));
    private static final Map<String, Integer> TENS = Map.of("twenty", 20, "thirty", 30, "forty", 40, "fifty", 50,
            "sixty", 60, "seventy", 70, "eighty", 80, "ninety", 90);
    private static final Map<String, Long> SCALES = Map.of("thousand", 1_000L, "million", 1_000_000L, "billion", 1_000_000_000L);
    private static final String CN_DIGITS = "零〇一二两三四五六七八九";
    private static final int[] CN_DIGIT_VALUES = {0, 0, 1, 2, 2, 3, 4, 5, 6, 7, 8, 9};
    private static final String CN_UNITS = "十百千万亿";
    private static final long[] CN_UNIT_VALUES = {10, 100, 1000, 10_000, 100_000_000};

    private ChatAccuracy() {}

    /** Whether two answers agree after {@link #normalize}; an empty reference never matches. */
    public static boolean correct(String refAnswer, String hypAnswer) {
        String r = normalize(refAnswer);
        return !r.isEmpty() && r.equals(normalize(hypAnswer));
    }

    /** Fraction of answer pairs that agree. */
    public static double accuracy(List<String> refs, List<String> hyps) {
        if (refs.size() != hyps.size()) throw new IllegalArgumentException(refs.size() + " references but " + hyps.size() + " answers");
        if (refs.isEmpty()) return Double.NaN;
        int ok = 0;
        for (int i = 0; i < refs.size(); i++) if (correct(refs.get(i), hyps.get(i))) ok++;
        return (double) ok / refs.size();
    }

    /** The comparison form of an answer (see the class comment). */
    public static String normalize(String answer) {
        if (answer == null) return "";
        String s = Normalizer.normalize(answer, Normalizer.Form.NFKC).toLowerCase(Locale.ROOT);
        StringBuilder spaced = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            boolean decimalPoint = c == '.' && i > 0 && i + 1 < s.length()
                    && Character.isDigit(s.charAt(i - 1)) && Character.isDigit(s.charAt(i + 1));
            spaced.append(isPunctuation(c) && !decimalPoint ? ' ' : c);
        }
        List<String> tokens = englishNumbers(spaced.toString().strip().split("\\s+"));
        return chineseNumbers(String.join("", tokens));
    }

    private static boolean isPunctuation(char c) {
        return switch (Character.getType(c)) {
            case Character.CONNECTOR_PUNCTUATION, Character.DASH_PUNCTUATION, Character.START_PUNCTUATION,
                 Character.END_PUNCTUATION, Character.INITIAL_QUOTE_PUNCTUATION, Character.FINAL_QUOTE_PUNCTUATION,
                 Character.OTHER_PUNCTUATION -> true;
            default -> false;
        };
    }

    /**
     * Replaces runs of English number words by their value: "one hundred and five" → 105, "twenty one" → 21.
     * A unit after a unit ("one two") starts a new number, so digit-by-digit readings stay separate.
     */
    static List<String> englishNumbers(String[] words) {
        List<String> out = new ArrayList<>();
        int i = 0;
        while (i < words.length) {
            if (!isNumberWord(words[i])) {
                if (!words[i].isEmpty()) out.add(words[i]);
                i++;
                continue;
            }
            long total = 0, current = 0;
            String last = "";                       // kind of the previous word: small, tens, hundred, scale
            while (i < words.length) {
                String w = words[i];
                if (w.equals("and") && !last.isEmpty() && i + 1 < words.length && isNumberWord(words[i + 1])
                        && (last.equals("hundred") || last.equals("scale"))) {
                    i++;
                    continue;
                }
                if (SMALL.containsKey(w)) {
                    if (last.equals("small") || (last.equals("tens") && SMALL.get(w) >= 10)) break;
                    current += SMALL.get(w);
                    last = "small";
                } else if (TENS.containsKey(w)) {
                    if (last.equals("small") || last.equals("tens")) break;
                    current += TENS.get(w);
                    last = "tens";
                } else if (w.equals("hundred")) {
                    if (last.equals("hundred")) break;
                    current = Math.max(current, 1) * 100;
                    last = "hundred";
                } else if (SCALES.containsKey(w)) {
                    total += Math.max(current, 1) * SCALES.get(w);
                    current = 0;
                    last = "scale";
                } else {
                    break;
                }
                i++;
            }
            out.add(Long.toString(total + current));
        }
        return out;
    }

    private static boolean isNumberWord(String w) {
        return SMALL.containsKey(w) || TENS.containsKey(w) || w.equals("hundred") || SCALES.containsKey(w);
    }

    /**
     * Replaces runs of Chinese numerals by digits: positional ("一百零五" → 105, "十二" → 12) or, without unit
     * characters, digit by digit ("二零二四" → 2024).
     */
    static String chineseNumbers(String s) {
        StringBuilder out = new StringBuilder(s.length());
        int i = 0;
        while (i < s.length()) {
            char c = s.charAt(i);
            if (CN_DIGITS.indexOf(c) < 0 && CN_UNITS.indexOf(c) < 0) {
                out.append(c);
                i++;
                continue;
            }
            int j = i;
            while (j < s.length() && (CN_DIGITS.indexOf(s.charAt(j)) >= 0 || CN_UNITS.indexOf(s.charAt(j)) >= 0)) j++;
            out.append(chineseValue(s.substring(i, j)));
            i = j;
        }
        return out.toString();
    }

    private static String chineseValue(String run) {
        boolean positional = false;
        for (char c : run.toCharArray()) if (CN_UNITS.indexOf(c) >= 0) positional = true;
        if (!positional) {
            StringBuilder d = new StringBuilder();
            for (char c : run.toCharArray()) d.append(CN_DIGIT_VALUES[CN_DIGITS.indexOf(c)]);
            return d.toString();
        }
        long total = 0, section = 0, digit = -1;
        for (char c : run.toCharArray()) {
            int di = CN_DIGITS.indexOf(c);
            if (di >= 0) {
                digit = CN_DIGIT_VALUES[di];
                continue;
            }
            long unit = CN_UNIT_VALUES[CN_UNITS.indexOf(c)];
            if (unit == 100_000_000) {                           // 亿 scales everything before it
                total = (total + section + Math.max(digit, 0)) * unit;
                section = 0;
            } else if (unit == 10_000) {                         // 万 scales its own section
                total += (section + Math.max(digit, 0)) * unit;
                section = 0;
            } else {
                section += (digit < 0 ? 1 : digit) * unit;         // "十二": a bare 十 means 一十
            }
            digit = -1;
        }
        return Long.toString(total + section + Math.max(digit, 0));
    }
}
