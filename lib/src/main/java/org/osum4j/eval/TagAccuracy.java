package org.osum4j.eval;

import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Classification accuracy by OSUM's first-tag rule ({@code tools/compute-acc.py}): the label of an output is its
 * first {@code <...>} tag, upper-cased; accuracy = matching utterances / utterances, and a hypothesis without a
 * tag counts as wrong.
 */
public final class TagAccuracy {

    private static final Pattern TAG = Pattern.compile("<([^<>]*)>");

    private TagAccuracy() {}

    /** The first tag's content, upper-cased, or empty when the text has no tag. */
    public static Optional<String> firstTag(String text) {
        if (text == null) return Optional.empty();
        Matcher m = TAG.matcher(text);
        return m.find() ? Optional.of(m.group(1).trim().toUpperCase(Locale.ROOT)) : Optional.empty();
    }

    /** Whether the first tags of reference and hypothesis agree (a missing hypothesis tag is wrong). */
    public static boolean correct(String ref, String hyp) {
        Optional<String> r = firstTag(ref);
        Optional<String> h = firstTag(hyp);
        return r.isPresent() && h.isPresent() && r.get().equals(h.get());
    }

    /** Fraction of utterances whose first tags agree. */
    public static double accuracy(List<String> refs, List<String> hyps) {
        if (refs.size() != hyps.size()) {
            throw new IllegalArgumentException(refs.size() + " references but " + hyps.size() + " hypotheses");
        }
        if (refs.isEmpty()) return Double.NaN;
        int ok = 0;
        for (int i = 0; i < refs.size(); i++) if (correct(refs.get(i), hyps.get(i))) ok++;
        return (double) ok / refs.size();
    }
}
