package org.osum4j.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.PrintStream;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * {@code ./osum bench <name> --config FILE --json [--threads N]}: the Java side of the side-by-side benchmarks
 * with the PyTorch baseline ({@code ../shared/bench/README.md}). One process per benchmark; setup is untimed;
 * then warm-up runs and timed repeats (counts from the config's {@code bench} section); the reported value is
 * the median; one JSON line per measurement on stdout, logs on stderr.
 *
 * <p>Each benchmark is a {@link Workload} registered under its name; this class owns only the protocol.
 */
public final class Bench implements Main.Command {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** One benchmark: builds its inputs from the config (untimed) and returns the measurements to make. */
    public interface Workload {
        /** Prepares everything (weights, inputs) and returns one or more timed measurements. */
        List<Measurement> setup(JsonNode config, int threads) throws Exception;
    }

    /**
     * One timed measurement: {@code run()} does the work once and returns optional per-run details; the value is
     * computed from the run's seconds by {@code valueOf}.
     */
    public interface Measurement {
        /** Result-line name, e.g. {@code encoder_b1}. */
        String bench();

        /** Unit, e.g. {@code ms_per_window}. */
        String unit();

        /** Section of the config's {@code bench} block with warmup/repeats, e.g. {@code encoder}. */
        String section();

        /** Runs once; returns extra details to merge (may be empty). */
        Map<String, Object> run() throws Exception;

        /** The reported value for one run that took {@code seconds}. */
        double valueOf(double seconds, Map<String, Object> runDetail);

        /** Warm-up runs the JIT needs at least (the protocol lets a JIT use more than the config says). */
        default int minWarmup() {
            return 0;
        }

        /** Fixed details for the result line (shapes, parameter counts, ...). */
        default Map<String, Object> detail() {
            return Map.of();
        }
    }

    private static final Map<String, Workload> WORKLOADS = new LinkedHashMap<>();

    /** Registers a benchmark (each part of the library adds its own). */
    public static void register(String name, Workload w) {
        WORKLOADS.put(name, w);
    }

    private final LongSupplier nanoTime;
    private final PrintStream out;

    public Bench() {
        this(System::nanoTime, System.out);
    }

    Bench(LongSupplier nanoTime, PrintStream out) {
        this.nanoTime = nanoTime;
        this.out = out;
    }

    @Override
    public String summary() {
        return "benchmarks vs the PyTorch baseline: " + String.join(", ", Benchmarks.names());
    }

    @Override
    public int run(String[] args) throws Exception {
        Benchmarks.registerAll();
        if (args.length == 0 || args[0].equals("--help") || args[0].equals("-h")) {
            System.out.println("usage: ./osum bench <" + String.join("|", WORKLOADS.keySet()) + "> --config FILE --json [--threads N]\n"
                    + "Prints one JSON line per measurement (see ../shared/bench/README.md); compare with\n"
                    + "JAVA_BENCH=\"./osum bench\" ../shared/bench/compare.sh");
            return args.length == 0 ? 2 : 0;
        }
        String name = args[0];
        Workload w = WORKLOADS.get(name);
        if (w == null) throw new IllegalArgumentException("unknown benchmark '" + name + "' (have " + WORKLOADS.keySet() + ")");
        Path config = null;
        int threads = Integer.getInteger("osum.threads", Runtime.getRuntime().availableProcessors());
        for (int i = 1; i < args.length; i++) {
            switch (args[i]) {
                case "--config" -> config = Paths.get(args[++i]);
                case "--threads" -> threads = Integer.parseInt(args[++i]);
                case "--json" -> { }
                default -> throw new IllegalArgumentException("unknown option '" + args[i] + "'");
            }
        }
        if (config == null) throw new IllegalArgumentException("--config FILE is required");
        JsonNode cfg = JSON.readTree(config.toFile());
        for (Measurement m : w.setup(cfg, threads)) {
            out.println(measure(cfg, m, threads));
            out.flush();
        }
        return 0;
    }

    /** Warm-up then timed repeats; returns the JSON result line. */
    String measure(JsonNode cfg, Measurement m, int threads) throws Exception {
        JsonNode sec = cfg.path("bench").path(m.section());
        int warmup = Math.max(sec.path("warmup").asInt(2), m.minWarmup());
        int repeats = sec.path("repeats").asInt(5);
        for (int i = 0; i < warmup; i++) m.run();
        double[] values = new double[repeats];
        Map<String, Object> lastDetail = Map.of();
        Map<String, double[]> perRun = new LinkedHashMap<>();
        for (int i = 0; i < repeats; i++) {
            long t0 = nanoTime.getAsLong();
            Map<String, Object> d = m.run();
            double s = (nanoTime.getAsLong() - t0) / 1e9;
            values[i] = m.valueOf(s, d);
            lastDetail = d;
            for (Map.Entry<String, Object> e : d.entrySet()) {
                if (e.getValue() instanceof Number n) perRun.computeIfAbsent(e.getKey(), k -> new double[repeats])[i] = n.doubleValue();
            }
        }
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        ObjectNode line = JSON.createObjectNode();
        line.put("bench", m.bench());
        line.put("config", cfg.path("name").asText("?"));
        line.put("engine", "osum4j-" + version());
        line.put("threads", threads);
        line.put("value", round(median(sorted)));
        line.put("unit", m.unit());
        ObjectNode detail = line.putObject("detail");
        detail.put("min", round(sorted[0]));
        detail.put("median", round(median(sorted)));
        detail.put("max", round(sorted[sorted.length - 1]));
        detail.put("warmup", warmup);
        detail.put("repeats", repeats);
        for (Map.Entry<String, double[]> e : perRun.entrySet()) {
            double[] v = e.getValue().clone();
            Arrays.sort(v);
            detail.put(e.getKey(), round(median(v)));
        }
        for (Map.Entry<String, Object> e : lastDetail.entrySet()) {
            if (!(e.getValue() instanceof Number)) detail.putPOJO(e.getKey(), e.getValue());
        }
        m.detail().forEach(detail::putPOJO);
        RuntimeInfo.settings().forEach((k, v) -> {
            if (!k.equals("jvm_args")) detail.put("runtime_" + k, v);
        });
        return JSON.writeValueAsString(line);
    }

    static double median(double[] sorted) {
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    private static double round(double v) {
        return Double.parseDouble(String.format(java.util.Locale.ROOT, "%.6g", v));
    }

    static String version() {
        String v = Bench.class.getPackage().getImplementationVersion();
        return v == null ? "0.1.0-SNAPSHOT" : v;
    }
}
