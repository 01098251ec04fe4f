package org.osum4j.eval;

import tech.tablesaw.api.BooleanColumn;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.IntColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;
import tech.tablesaw.columns.Column;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Error analysis views below the headline numbers: errors grouped by any column of a per-utterance table
 * (task, label, speaker, a duration bin, ...), the substitution pairs, and the reference words most often
 * misrecognised. Rates are pooled within each group (errors summed, then divided by the summed reference
 * tokens), like the headline number, never a mean of per-utterance rates. It reads tables and alignments; the
 * scoring itself is {@link Evaluation}.
 */
public final class ErrorBreakdown {

    /** Columns {@link #by} needs in its input (as {@link Evaluation#table()} writes them). */
    public static final List<String> REQUIRED = List.of("ref_tokens", "sub", "del", "ins", "label_ok");

    private ErrorBreakdown() {}

    /**
     * Errors per value of {@code column} of a per-utterance table: {@code <column>, utterances, ref_tokens, sub,
     * del, ins, errors, err_rate} (pooled; NaN for a group without reference tokens), {@code labelled,
     * label_acc} (NaN for a group without labels). Groups in ascending order of their value; a missing value is
     * its own group, "(none)".
     */
    public static Table by(Table utterances, String column) {
        for (String c : REQUIRED) {
            if (!utterances.columnNames().contains(c)) {
                throw new IllegalArgumentException("table '" + utterances.name() + "' has no column '" + c
                        + "' (needs " + REQUIRED + ", as Evaluation.table() writes)");
            }
        }
        if (!utterances.columnNames().contains(column)) {
            throw new IllegalArgumentException("table '" + utterances.name() + "' has no column '" + column
                    + "' to group by; columns are " + utterances.columnNames());
        }
        Column<?> key = utterances.column(column);
        IntColumn n = utterances.intColumn("ref_tokens"), s = utterances.intColumn("sub");
        IntColumn d = utterances.intColumn("del"), in = utterances.intColumn("ins");
        BooleanColumn ok = utterances.booleanColumn("label_ok");
        Map<String, long[]> groups = new TreeMap<>();      // value → [utterances, N, S, D, I, labelled, correct]
        for (int r = 0; r < utterances.rowCount(); r++) {
            String g = key.isMissing(r) ? "(none)" : key.getString(r);
            long[] acc = groups.computeIfAbsent(g, k -> new long[7]);
            acc[0]++;
            acc[1] += n.getInt(r);
            acc[2] += s.getInt(r);
            acc[3] += d.getInt(r);
            acc[4] += in.getInt(r);
            if (!ok.isMissing(r)) {
                acc[5]++;
                if (ok.get(r)) acc[6]++;
            }
        }
        Table t = Table.create("errors by " + column, StringColumn.create(column), IntColumn.create("utterances"),
                IntColumn.create("ref_tokens"), IntColumn.create("sub"), IntColumn.create("del"), IntColumn.create("ins"),
                IntColumn.create("errors"), DoubleColumn.create("err_rate"), IntColumn.create("labelled"),
                DoubleColumn.create("label_acc"));
        groups.forEach((g, a) -> {
            long errors = a[2] + a[3] + a[4];
            t.stringColumn(column).append(g);
            t.intColumn("utterances").append((int) a[0]);
            t.intColumn("ref_tokens").append((int) a[1]);
            t.intColumn("sub").append((int) a[2]);
            t.intColumn("del").append((int) a[3]);
            t.intColumn("ins").append((int) a[4]);
            t.intColumn("errors").append((int) errors);
            t.doubleColumn("err_rate").append(a[1] == 0 ? Double.NaN : (double) errors / a[1]);
            t.intColumn("labelled").append((int) a[5]);
            t.doubleColumn("label_acc").append(a[5] == 0 ? Double.NaN : (double) a[6] / a[5]);
        });
        return t;
    }

    /**
     * The {@code top} most frequent substitution pairs over the alignments: {@code ref, hyp, count}, most
     * frequent first (ties: by reference word, then hypothesis word).
     */
    public static Table substitutions(List<Alignment> alignments, int top) {
        Map<List<String>, Integer> counts = new HashMap<>();
        for (Alignment a : alignments) {
            for (Alignment.Step st : a.steps()) {
                if (st.op() == Alignment.Op.SUBSTITUTION) counts.merge(List.of(st.ref(), st.hyp()), 1, Integer::sum);
            }
        }
        List<Map.Entry<List<String>, Integer>> sorted = new ArrayList<>(counts.entrySet());
        sorted.sort(Map.Entry.<List<String>, Integer>comparingByValue().reversed()
                .thenComparing(e -> e.getKey().get(0)).thenComparing(e -> e.getKey().get(1)));
        Table t = Table.create("substitutions", StringColumn.create("ref"), StringColumn.create("hyp"), IntColumn.create("count"));
        for (Map.Entry<List<String>, Integer> e : sorted.subList(0, Math.min(Math.max(top, 0), sorted.size()))) {
            t.stringColumn("ref").append(e.getKey().get(0));
            t.stringColumn("hyp").append(e.getKey().get(1));
            t.intColumn("count").append(e.getValue());
        }
        return t;
    }

    /**
     * The {@code top} reference words most often misrecognised: {@code word, in_ref} (occurrences in the
     * references), {@code substituted, deleted, err_share} ((substituted + deleted) / in_ref) and
     * {@code most_often_as} (its most frequent replacement, "" when never substituted). Ordered by
     * substituted + deleted, then by word; words never misrecognised are left out.
     */
    public static Table wordErrors(List<Alignment> alignments, int top) {
        Map<String, int[]> words = new LinkedHashMap<>();                 // word → [in_ref, substituted, deleted]
        Map<String, Map<String, Integer>> replacements = new HashMap<>();
        for (Alignment a : alignments) {
            for (Alignment.Step st : a.steps()) {
                if (st.ref() == null) continue;                           // insertions have no reference word
                int[] c = words.computeIfAbsent(st.ref(), k -> new int[3]);
                c[0]++;
                if (st.op() == Alignment.Op.SUBSTITUTION) {
                    c[1]++;
                    replacements.computeIfAbsent(st.ref(), k -> new TreeMap<>()).merge(st.hyp(), 1, Integer::sum);
                } else if (st.op() == Alignment.Op.DELETION) {
                    c[2]++;
                }
            }
        }
        List<String> wrong = new ArrayList<>();
        words.forEach((w, c) -> {
            if (c[1] + c[2] > 0) wrong.add(w);
        });
        wrong.sort(Comparator.comparingInt((String w) -> -(words.get(w)[1] + words.get(w)[2])).thenComparing(w -> w));
        Table t = Table.create("words most often misrecognised", StringColumn.create("word"), IntColumn.create("in_ref"),
                IntColumn.create("substituted"), IntColumn.create("deleted"), DoubleColumn.create("err_share"),
                StringColumn.create("most_often_as"));
        for (String w : wrong.subList(0, Math.min(Math.max(top, 0), wrong.size()))) {
            int[] c = words.get(w);
            String as = "";
            Map<String, Integer> r = replacements.get(w);
            if (r != null) {
                int best = 0;
                for (Map.Entry<String, Integer> e : r.entrySet()) {       // TreeMap: ties go to the first word
                    if (e.getValue() > best) {
                        best = e.getValue();
                        as = e.getKey();
                    }
                }
            }
            t.stringColumn("word").append(w);
            t.intColumn("in_ref").append(c[0]);
            t.intColumn("substituted").append(c[1]);
            t.intColumn("deleted").append(c[2]);
            t.doubleColumn("err_share").append((double) (c[1] + c[2]) / c[0]);
            t.stringColumn("most_often_as").append(as);
        }
        return t;
    }
}
