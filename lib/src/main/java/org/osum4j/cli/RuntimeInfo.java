package org.osum4j.cli;

import org.osum4j.model.Backends;

import java.lang.management.ManagementFactory;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The runtime settings a process actually runs with (heap, off-heap limit, threads, BLAS kernel choice), so
 * every run can log them and every results file can record them. The settings themselves are decided in one
 * place, {@code scripts/runtime.sh}; this class only reads them back.
 */
public final class RuntimeInfo {

    private RuntimeInfo() {}

    /** name → value, in a stable order. */
    public static Map<String, String> settings() {
        Map<String, String> m = new LinkedHashMap<>();
        Runtime rt = Runtime.getRuntime();
        m.put("java", System.getProperty("java.version"));
        m.put("heap_max_mib", String.valueOf(rt.maxMemory() / (1024 * 1024)));
        m.put("offheap_max", System.getProperty("org.bytedeco.javacpp.maxbytes", "default (= heap max)"));
        m.put("cpus", String.valueOf(rt.availableProcessors()));
        m.put("threads", System.getProperty("osum.threads", System.getenv().getOrDefault("OSUM_THREADS", String.valueOf(rt.availableProcessors()))));
        m.put("OMP_NUM_THREADS", System.getenv().getOrDefault("OMP_NUM_THREADS", "unset"));
        m.put("OPENBLAS_CORETYPE", System.getenv().getOrDefault("OPENBLAS_CORETYPE", "default"));
        m.put("backend", backendLine());
        m.put("jvm_args", String.join(" ", ManagementFactory.getRuntimeMXBean().getInputArguments()));
        return m;
    }

    /**
     * The run record of a process started now: model, decoding options, git commit of the working directory,
     * date, and these runtime settings (what results files store beside their entries).
     */
    public static org.osum4j.run.RunRecord runRecord(String model, String modelDir, Map<String, Object> decoding) {
        return org.osum4j.run.RunRecord.start(model, modelDir, decoding).withRuntime(settings());
    }

    /** The ND4J backend choice of this process ({@link Backends#choice}), or why there is none; never throws. */
    static String backendLine() {
        try {
            Backends.Choice c = Backends.choice();
            return c.backend().name().toLowerCase(java.util.Locale.ROOT) + " (" + c.reason() + ")";
        } catch (RuntimeException e) {
            return "error: " + e.getMessage();
        }
    }

    /** One log line. */
    public static String summary() {
        Map<String, String> s = settings();
        return "osum4j runtime: java " + s.get("java") + ", heap " + s.get("heap_max_mib") + " MiB, off-heap "
                + s.get("offheap_max") + ", threads " + s.get("threads") + ", OPENBLAS_CORETYPE=" + s.get("OPENBLAS_CORETYPE")
                + ", backend " + s.get("backend");
    }

    /** {@code ./osum runtime}: prints the settings as seen from Java. */
    static final class Command implements Main.Command {
        @Override
        public String summary() {
            return "print the runtime settings as the JVM sees them";
        }

        @Override
        public int run(String[] args) {
            settings().forEach((k, v) -> System.out.println(k + " = " + v));
            return 0;
        }
    }

    /**
     * {@code ./osum backend [--env]}: the backend this machine gets and why; with {@code --env}, the
     * {@code KEY=VALUE} lines that make ND4J load it (the launcher exports them before starting a CUDA build's JVM).
     */
    static final class BackendCommand implements Main.Command {
        @Override
        public String summary() {
            return "which ND4J backend (cpu/cuda) this machine gets and why; --env: the variables that apply it";
        }

        @Override
        public int run(String[] args) {
            boolean env = args.length == 1 && args[0].equals("--env");
            if (args.length > 1 || (args.length == 1 && !env)) {
                System.out.println("usage: ./osum backend [--env]   (override: -Dosum.backend=cpu|cuda|auto, OSUM_BACKEND in ./osum)");
                return args.length == 1 && (args[0].equals("--help") || args[0].equals("-h")) ? 0 : 2;
            }
            Backends.Facts f = Backends.probe();
            Backends.Choice c = Backends.decide(f, System.getProperty(Backends.PROPERTY));
            if (env) Backends.nd4jEnvironment(c.backend()).forEach((k, v) -> System.out.println(k + "=" + v));
            else System.out.println(c.logLine());
            return 0;
        }
    }
}
