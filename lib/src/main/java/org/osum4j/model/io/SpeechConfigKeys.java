package org.osum4j.model.io;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Typed reads from a parsed config (JSON or YAML as nested maps) for {@link WhisperConfig} and
 * {@link AdapterConfig}, with errors that name the file, the key and what was expected. Package-private:
 * the records are the public face.
 */
final class SpeechConfigKeys {

    private static final ObjectMapper JSON = new ObjectMapper();

    private SpeechConfigKeys() {
    }

    /** A JSON ({@code .json}) or YAML (anything else) file as a map. */
    static Map<String, Object> readMap(Path file) throws IOException {
        String name = file.getFileName().toString().toLowerCase(java.util.Locale.ROOT);
        if (name.endsWith(".json")) {
            return JSON.readValue(file.toFile(), new TypeReference<Map<String, Object>>() {
            });
        }
        try (Reader r = Files.newBufferedReader(file)) {
            Object o = new Yaml(new SafeConstructor(new LoaderOptions())).load(r);
            if (!(o instanceof Map<?, ?>)) throw new IOException(file + ": expected a mapping at the top level");
            @SuppressWarnings("unchecked") Map<String, Object> m = (Map<String, Object>) o;
            return m;
        }
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> section(Map<String, Object> m, String key, String where) {
        Object o = m.get(key);
        if (!(o instanceof Map<?, ?>)) {
            throw new IllegalArgumentException(where + ": missing section '" + key + "' (has keys " + new TreeSet<>(m.keySet()) + ")");
        }
        return (Map<String, Object>) o;
    }

    static int requiredInt(Map<String, Object> m, String key, String where) {
        Object o = m.get(key);
        if (o == null) throw new IllegalArgumentException(where + ": missing required key '" + key + "'");
        if (o instanceof Number n && n.doubleValue() == Math.rint(n.doubleValue())) return Math.toIntExact(n.longValue());
        if (o instanceof String s) {
            try {
                return Integer.parseInt(s.trim());
            } catch (NumberFormatException e) {
                // fall through to the error below
            }
        }
        throw new IllegalArgumentException(where + ": key '" + key + "' must be an integer, got " + o);
    }

    static double optionalDouble(Map<String, Object> m, String key, double dflt, String where) {
        Object o = m.get(key);
        if (o == null) return dflt;
        if (o instanceof Number n) return n.doubleValue();
        throw new IllegalArgumentException(where + ": key '" + key + "' must be a number, got " + o);
    }

    static String optionalString(Map<String, Object> m, String key, String dflt) {
        Object o = m.get(key);
        return o == null ? dflt : o.toString();
    }

    static boolean optionalBool(Map<String, Object> m, String key, boolean dflt, String where) {
        Object o = m.get(key);
        if (o == null) return dflt;
        if (o instanceof Boolean b) return b;
        if (o instanceof String s && (s.equalsIgnoreCase("true") || s.equalsIgnoreCase("false"))) return Boolean.parseBoolean(s);
        throw new IllegalArgumentException(where + ": key '" + key + "' must be true/false, got " + o);
    }

    /** Throws when {@code m} has a key outside {@code known}, listing the unknown ones. */
    static void rejectUnknown(Map<String, Object> m, Set<String> known, String where) {
        Set<String> unknown = new TreeSet<>(m.keySet());
        unknown.removeAll(known);
        if (!unknown.isEmpty()) {
            throw new IllegalArgumentException(where + ": unknown keys " + unknown + " (known: " + new TreeSet<>(known) + ")");
        }
    }

    /** Throws unless the key is absent or equals one of {@code allowed} (compared as strings). */
    static void expectValue(Map<String, Object> m, String key, String where, String why, Object... allowed) {
        Object o = m.get(key);
        if (o == null) return;
        for (Object a : allowed) if (String.valueOf(a).equals(String.valueOf(o))) return;
        throw new IllegalArgumentException(where + ": key '" + key + "' = " + o + " is not supported (" + why + ")");
    }
}
