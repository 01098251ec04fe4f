package org.osum4j.data;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One label vocabulary of an ASR+X task (spec §2.2), e.g. {@code EMOTION} = sad, anger, … The name is
 * the task-tag word without brackets. {@code aliases} map raw data labels onto the final classes at load
 * time (OSUM's 15 fine style labels → 8 coarse ones); values map to themselves implicitly.
 * Labels are compared after OSUM's lower-casing, so {@code MALE} and {@code male} are the same class.
 */
public record LabelSet(String name, List<String> values, Map<String, String> aliases) {

    public LabelSet {
        Objects.requireNonNull(name, "label set name");
        if (values == null || values.isEmpty()) throw new IllegalArgumentException("label set " + name + ": no values");
        values = List.copyOf(values);
        aliases = Map.copyOf(aliases == null ? Map.of() : aliases);
        for (Map.Entry<String, String> a : aliases.entrySet()) {
            if (!values.contains(a.getValue()))
                throw new IllegalArgumentException("label set " + name + ": alias " + a.getKey() + " -> "
                        + a.getValue() + " maps onto no value of " + values);
        }
    }

    public static LabelSet of(String name, String... values) {
        return new LabelSet(name, List.of(values), Map.of());
    }

    /** The final class of a raw label (alias applied, case-insensitive), or null when it is not in this set. */
    public String canonical(String raw) {
        String key = raw.strip();
        for (String v : values) if (v.equalsIgnoreCase(key)) return v;
        for (Map.Entry<String, String> a : aliases.entrySet()) if (a.getKey().equalsIgnoreCase(key)) return a.getValue();
        return null;
    }

    /** True if {@code raw} is a value or an alias of this set. */
    public boolean accepts(String raw) {
        return canonical(raw) != null;
    }

    /** The aliases as an ordered map (for display). */
    public Map<String, String> aliasTable() {
        return new LinkedHashMap<>(aliases);
    }
}
