package org.osum4j.cli;

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

    /** One log line. */
    public static String summary() {
        Map<String, String> s = settings();
        return "osum4j runtime: java " + s.get("java") + ", heap " + s.get("heap_max_mib") + " MiB, off-heap "
                + s.get("offheap_max") + ", threads " + s.get("threads") + ", OPENBLAS_CORETYPE=" + s.get("OPENBLAS_CORETYPE");
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
}
