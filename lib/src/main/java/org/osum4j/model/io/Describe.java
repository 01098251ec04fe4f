package org.osum4j.model.io;

import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Parameter counts and memory of a set of weights, per part of the model, computed from names, shapes and
 * dtypes alone (no tensor data is touched or allocated). Parts are the first name component
 * ({@code encoder}, {@code adapter}, {@code llm}, ...), with LoRA tensors counted as their own part so
 * that "trainable LoRA vs frozen base" is visible. Plain text table; notebooks show {@link #toString()}.
 *
 * <pre>{@code Describe.of(Checkpoints.open(dir))}</pre>
 */
public final class Describe {

    /** One part of the model: tensors, parameters, bytes as stored and by dtype. */
    public record Row(String part, int tensors, long parameters, long storedBytes, Map<DType, Long> paramsByDtype) {
        /** Bytes the part would take in the given dtype. */
        public long bytesAs(DType d) {
            return parameters * d.bytes;
        }
    }

    private final List<Row> rows;
    private final Row total;

    private Describe(List<Row> rows, Row total) {
        this.rows = rows;
        this.total = total;
    }

    /** Describes tensors (shapes and dtypes only). */
    public static Describe of(Map<String, TensorData> tensors) {
        Map<String, long[]> shapes = new LinkedHashMap<>();
        Map<String, DType> dtypes = new LinkedHashMap<>();
        tensors.forEach((n, t) -> {
            shapes.put(n, t.shape());
            dtypes.put(n, t.dtype());
        });
        return of(shapes, dtypes, Describe::partOf);
    }

    /** Describes a name-to-shape map, e.g. a model's expected shapes, assuming {@code dtype} everywhere. */
    public static Describe ofShapes(Map<String, long[]> shapes, DType dtype) {
        Map<String, DType> d = new LinkedHashMap<>();
        shapes.keySet().forEach(n -> d.put(n, dtype));
        return of(shapes, d, Describe::partOf);
    }

    /** The general form: shapes, dtypes (same names) and a function naming each tensor's part. */
    public static Describe of(Map<String, long[]> shapes, Map<String, DType> dtypes, Function<String, String> part) {
        Map<String, int[]> count = new LinkedHashMap<>();
        Map<String, Map<DType, Long>> byDtype = new LinkedHashMap<>();
        for (Map.Entry<String, long[]> e : shapes.entrySet()) {
            DType d = dtypes.get(e.getKey());
            if (d == null) throw new IllegalArgumentException("no dtype for tensor '" + e.getKey() + "'");
            String p = part.apply(e.getKey());
            count.computeIfAbsent(p, k -> new int[1])[0]++;
            byDtype.computeIfAbsent(p, k -> new EnumMap<>(DType.class)).merge(d, TensorData.numel(e.getValue()), Long::sum);
        }
        List<Row> rows = new ArrayList<>();
        Map<DType, Long> all = new EnumMap<>(DType.class);
        int allTensors = 0;
        for (String p : count.keySet()) {
            Map<DType, Long> m = byDtype.get(p);
            rows.add(row(p, count.get(p)[0], m));
            m.forEach((d, n) -> all.merge(d, n, Long::sum));
            allTensors += count.get(p)[0];
        }
        return new Describe(Collections.unmodifiableList(rows), row("total", allTensors, all));
    }

    private static Row row(String part, int tensors, Map<DType, Long> byDtype) {
        long params = 0;
        long bytes = 0;
        for (Map.Entry<DType, Long> e : byDtype.entrySet()) {
            params += e.getValue();
            bytes += e.getValue() * e.getKey().bytes;
        }
        return new Row(part, tensors, params, bytes, Collections.unmodifiableMap(new EnumMap<>(byDtype)));
    }

    /** Default grouping: first name component; LoRA tensors get their own part ("llm lora"). */
    public static String partOf(String name) {
        int dot = name.indexOf('.');
        String top = dot < 0 ? name : name.substring(0, dot);
        return name.contains(".lora_A.") || name.contains(".lora_B.") ? top + " lora" : top;
    }

    public List<Row> rows() {
        return rows;
    }

    public Row total() {
        return total;
    }

    public long totalParameters() {
        return total.parameters();
    }

    /** A fixed-width table: part, tensors, parameters, stored dtypes and bytes, and bytes as F32 / BF16. */
    @Override
    public String toString() {
        String fmt = "%-22s %8s %16s %-12s %11s %11s %11s%n";
        StringBuilder sb = new StringBuilder(String.format(fmt, "part", "tensors", "parameters", "stored as",
                "stored", "as F32", "as BF16"));
        List<Row> all = new ArrayList<>(rows);
        all.add(total);
        for (Row r : all) {
            if (r == total) sb.append("-".repeat(97)).append('\n');
            sb.append(String.format(fmt, r.part(), r.tensors(), String.format("%,d", r.parameters()),
                    dtypes(r), bytes(r.storedBytes()), bytes(r.bytesAs(DType.F32)), bytes(r.bytesAs(DType.BF16))));
        }
        return sb.toString().stripTrailing();
    }

    private static String dtypes(Row r) {
        List<String> s = new ArrayList<>();
        r.paramsByDtype().keySet().forEach(d -> s.add(d.name()));
        return String.join("+", s);
    }

    /** Binary units, three significant digits: 512 B, 1.50 KiB, 14.2 GiB. */
    static String bytes(long b) {
        String[] units = {"B", "KiB", "MiB", "GiB", "TiB"};
        double v = b;
        int u = 0;
        while (v >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        if (u == 0) return b + " B";
        return (v >= 100 ? String.format("%.0f", v) : v >= 10 ? String.format("%.1f", v) : String.format("%.2f", v))
                + " " + units[u];
    }
}
