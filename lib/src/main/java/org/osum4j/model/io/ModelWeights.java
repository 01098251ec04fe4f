package org.osum4j.model.io;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Checks a set of weights against what a model expects, name by name: which expected tensors are missing,
 * which have the wrong shape (with both shapes), which names nobody asked for. A model builds the expected
 * name-to-shape map from its config; this class only compares, so loading fails with one message listing
 * every problem instead of the first NullPointerException. It does not look at values or dtypes.
 */
public final class ModelWeights {

    private static final int MAX_LISTED = 20;

    private ModelWeights() {
    }

    /** One tensor whose shape differs from the expected one. */
    public record Mismatch(String name, long[] expected, long[] actual) {
        @Override
        public String toString() {
            return name + ": expected " + Arrays.toString(expected) + ", got " + Arrays.toString(actual);
        }
    }

    /**
     * The outcome of a check. {@code ignored} lists names that were set aside on purpose (e.g. OSUM's unused
     * {@code speaker_head}); they are reported but do not make the check fail.
     */
    public record Report(List<String> missing, List<Mismatch> misshaped, List<String> unexpected, List<String> ignored) {
        public Report {
            missing = List.copyOf(missing);
            misshaped = List.copyOf(misshaped);
            unexpected = List.copyOf(unexpected);
            ignored = List.copyOf(ignored);
        }

        /** True when nothing is missing, mis-shaped or unexpected. */
        public boolean ok() {
            return missing.isEmpty() && misshaped.isEmpty() && unexpected.isEmpty();
        }

        /** Throws an {@link IllegalArgumentException} with the whole report unless {@link #ok()}. */
        public void requireOk(String what) {
            if (!ok()) throw new IllegalArgumentException(what + ": weights do not fit the model:\n" + this);
        }

        @Override
        public String toString() {
            StringBuilder sb = new StringBuilder();
            list(sb, "missing", missing);
            list(sb, "mis-shaped", misshaped);
            list(sb, "unexpected", unexpected);
            list(sb, "ignored (unused by the model)", ignored);
            return sb.length() == 0 ? "all weights present with the expected shapes" : sb.toString().stripTrailing();
        }

        private static void list(StringBuilder sb, String title, List<?> items) {
            if (items.isEmpty()) return;
            sb.append("  ").append(title).append(" (").append(items.size()).append("):\n");
            for (int i = 0; i < items.size() && i < MAX_LISTED; i++) sb.append("    ").append(items.get(i)).append('\n');
            if (items.size() > MAX_LISTED) sb.append("    ... ").append(items.size() - MAX_LISTED).append(" more\n");
        }
    }

    /** Compares expected and actual name-to-shape maps. Report lists keep the maps' iteration orders. */
    public static Report check(Map<String, long[]> expected, Map<String, long[]> actual) {
        List<String> missing = new ArrayList<>();
        List<Mismatch> misshaped = new ArrayList<>();
        for (Map.Entry<String, long[]> e : expected.entrySet()) {
            long[] a = actual.get(e.getKey());
            if (a == null) missing.add(e.getKey());
            else if (!Arrays.equals(a, e.getValue())) misshaped.add(new Mismatch(e.getKey(), e.getValue().clone(), a.clone()));
        }
        List<String> unexpected = new ArrayList<>();
        for (String n : actual.keySet()) if (!expected.containsKey(n)) unexpected.add(n);
        return new Report(missing, misshaped, unexpected, List.of());
    }

    /** {@link #check} that throws with the full report when anything is wrong. */
    public static void require(Map<String, long[]> expected, Map<String, TensorData> actual, String what) {
        check(expected, shapes(actual)).requireOk(what);
    }

    /** Name-to-shape of a tensor map (reads headers only, never the data). */
    public static Map<String, long[]> shapes(Map<String, TensorData> tensors) {
        Map<String, long[]> out = new LinkedHashMap<>();
        tensors.forEach((n, t) -> out.put(n, t.shape()));
        return Collections.unmodifiableMap(out);
    }
}
