package org.osum4j.model;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Which ND4J backend (CPU or CUDA) this process uses, decided from facts that tests inject: is ND4J's CUDA backend
 * on the class path ({@code -Pcuda}), which CUDA devices are visible and their compute capabilities, and the
 * override {@code -Dosum.backend=cpu|cuda|auto}. The decision is one {@link Choice} with a reason, logged as one line.
 *
 * <p>How ND4J 1.0.0-M2.1 picks (read from its bytecode, {@code Nd4jBackend.load}): every backend on the class path
 * is found by {@code ServiceLoader}, sorted by priority, highest first, and the first whose {@code isAvailable()}
 * holds is loaded. The priorities are read ONCE, from the environment variables {@code BACKEND_PRIORITY_CPU}
 * (default 0) and {@code BACKEND_PRIORITY_GPU} (default 100), when {@code Nd4jBackend} is initialised; there is no
 * system property for them. So the CUDA backend wins whenever it is on the class path and a driver answers, even
 * on a GPU its kernels were not built for (its CUDA 11.6 build has sm_37…sm_86 only, no PTX: Ada sm_89 and
 * Hopper sm_90 fail at the first kernel launch). The choice is therefore applied as environment variables before
 * the JVM starts ({@link #nd4jEnvironment}, exported by {@code ./osum}); {@link #check} refuses a process whose
 * environment would make ND4J load another backend than the chosen one. Not here: device selection among
 * several GPUs ({@code CUDA_VISIBLE_DEVICES} does that).
 */
public final class Backends {

    public enum Backend { CPU, CUDA }

    /** The override: {@code cpu}, {@code cuda} or {@code auto} (default). */
    public static final String PROPERTY = "osum.backend";
    /** ND4J's CUDA backend class (nd4j-cuda-11.6); its presence on the class path is what -Pcuda adds. */
    public static final String CUDA_BACKEND_CLASS = "org.nd4j.linalg.jcublas.JCublasBackend";
    /** ND4J's environment variables for the backend priorities (Nd4jBackend's static initialiser). */
    public static final String ENV_PRIORITY_CPU = "BACKEND_PRIORITY_CPU", ENV_PRIORITY_GPU = "BACKEND_PRIORITY_GPU";
    /** Their defaults in ND4J 1.0.0-M2.1. */
    static final int DEFAULT_PRIORITY_CPU = 0, DEFAULT_PRIORITY_GPU = 100;
    /** A CPU priority above the GPU default, so the CPU backend is tried first. */
    static final int FORCE_CPU_PRIORITY = 200;
    /** Compute capabilities (major·10 + minor) ND4J 1.0.0-M2.1's CUDA 11.6 kernels are built for: sm_37 … sm_86. */
    public static final int MIN_CAPABILITY = 37, MAX_CAPABILITY = 86;
    private static final long PROBE_TIMEOUT_S = 10;

    private Backends() {}

    /**
     * What the decision is made from.
     *
     * @param cudaBackendOnClassPath ND4J's CUDA backend is on the class path (a {@code -Pcuda} build)
     * @param capabilities           one entry per visible CUDA device: major·10 + minor (8.6 → 86), or −1 when
     *                               the device exists but its capability could not be read; empty = no device
     * @param source                 how the devices were found, for the log line (e.g. "nvidia-smi: 1 GPU")
     */
    public record Facts(boolean cudaBackendOnClassPath, List<Integer> capabilities, String source) {
        public Facts {
            capabilities = List.copyOf(capabilities);
        }
    }

    /** The decision and why; {@link #logLine()} is what a process prints. */
    public record Choice(Backend backend, String reason) {
        public String logLine() {
            return "osum4j backend: " + backend.name().toLowerCase(Locale.ROOT) + " (" + reason + ")";
        }
    }

    // ================================================================== the decision

    /**
     * The backend for these facts and override ({@code cpu}, {@code cuda}, {@code auto}; null or blank = auto).
     * Auto takes CUDA only when its backend is on the class path and every visible device has a capability in
     * [{@value #MIN_CAPABILITY}, {@value #MAX_CAPABILITY}]; else the CPU, with the reason. An explicit {@code cuda}
     * that cannot run is an error saying why (no backend, no device, unsupported capability); with an unknown
     * capability it is taken at the user's word.
     */
    public static Choice decide(Facts f, String override) {
        String o = override == null || override.isBlank() ? "auto" : override.trim().toLowerCase(Locale.ROOT);
        switch (o) {
            case "cpu":
                return new Choice(Backend.CPU, "-D" + PROPERTY + "=cpu");
            case "cuda": {
                String problem = cudaProblem(f);
                if (problem != null && !problem.startsWith(UNKNOWN)) {
                    throw new IllegalArgumentException("-D" + PROPERTY + "=cuda, but " + problem
                            + "; use -D" + PROPERTY + "=cpu or auto");
                }
                return new Choice(Backend.CUDA, "-D" + PROPERTY + "=cuda; " + devices(f));
            }
            case "auto": {
                String problem = cudaProblem(f);
                if (problem == null) return new Choice(Backend.CUDA, "auto: " + devices(f));
                return new Choice(Backend.CPU, "auto: " + problem);
            }
            default:
                throw new IllegalArgumentException("-D" + PROPERTY + "=" + override + ": expected cpu, cuda or auto");
        }
    }

    private static final String UNKNOWN = "compute capability unknown";

    /** Why CUDA cannot be used with these facts, or null when it can. */
    private static String cudaProblem(Facts f) {
        if (!f.cudaBackendOnClassPath()) return "ND4J's CUDA backend is not on the class path (CPU build; build with -Pcuda)";
        if (f.capabilities().isEmpty()) return "no CUDA device visible (" + f.source() + ")";
        List<String> bad = new ArrayList<>();
        boolean unknown = false;
        for (int i = 0; i < f.capabilities().size(); i++) {
            int c = f.capabilities().get(i);
            if (c < 0) unknown = true;
            else if (c < MIN_CAPABILITY || c > MAX_CAPABILITY) bad.add("GPU " + i + " is " + sm(c));
        }
        if (!bad.isEmpty()) {
            return String.join(", ", bad) + ": compute capability " + (bad.size() == 1 ? "is" : "are") + " outside "
                    + sm(MIN_CAPABILITY) + ".." + sm(MAX_CAPABILITY) + ", the only ones ND4J 1.0.0-M2.1's CUDA 11.6 build has kernels for";
        }
        if (unknown) return UNKNOWN + " (" + f.source() + "); -D" + PROPERTY + "=cuda uses the GPU anyway";
        return null;
    }

    private static String devices(Facts f) {
        List<String> d = new ArrayList<>();
        for (int i = 0; i < f.capabilities().size(); i++) {
            int c = f.capabilities().get(i);
            d.add("GPU " + i + " " + (c < 0 ? "capability unknown" : sm(c)));
        }
        return d.isEmpty() ? "no device listed" : String.join(", ", d);
    }

    /** 86 → "sm_86 (8.6)". */
    static String sm(int capability) {
        return "sm_" + capability + " (" + capability / 10 + "." + capability % 10 + ")";
    }

    // ================================================================== applying it to ND4J

    /**
     * The environment variables that make ND4J load {@code backend} (they must be set before the JVM starts):
     * for the CPU, a CPU priority above the GPU's; for CUDA, ND4J's defaults (GPU first).
     */
    public static Map<String, String> nd4jEnvironment(Backend backend) {
        Map<String, String> env = new LinkedHashMap<>();
        env.put(ENV_PRIORITY_CPU, String.valueOf(backend == Backend.CPU ? FORCE_CPU_PRIORITY : DEFAULT_PRIORITY_CPU));
        env.put(ENV_PRIORITY_GPU, String.valueOf(DEFAULT_PRIORITY_GPU));
        return env;
    }

    /**
     * The backend ND4J will try first in a process with this environment: CUDA when its backend is on the class
     * path and its priority is higher (ND4J sorts by priority, highest first; on a tie, class-path order decides,
     * which this treats as CUDA). ND4J itself still skips CUDA when no driver answers.
     */
    public static Backend nd4jWouldTry(Facts f, Map<String, String> env) {
        if (!f.cudaBackendOnClassPath()) return Backend.CPU;
        int cpu = priority(env, ENV_PRIORITY_CPU, DEFAULT_PRIORITY_CPU), gpu = priority(env, ENV_PRIORITY_GPU, DEFAULT_PRIORITY_GPU);
        return cpu > gpu ? Backend.CPU : Backend.CUDA;
    }

    private static int priority(Map<String, String> env, String key, int dflt) {
        String v = env.get(key);
        if (v == null || v.isBlank()) return dflt;
        try {
            return Integer.parseInt(v.trim());
        } catch (NumberFormatException e) {
            throw new IllegalStateException("environment " + key + "=" + v + " is not an integer (ND4J would fail to start)");
        }
    }

    /**
     * Refuses a process whose environment would make ND4J load another backend than {@code choice}: in a CUDA
     * build on an unsupported GPU, ND4J would otherwise load CUDA and fail at the first kernel. The message says
     * which variables to set ({@code ./osum} sets them itself).
     */
    public static void check(Choice choice, Facts f, Map<String, String> env) {
        Backend would = nd4jWouldTry(f, env);
        if (would == choice.backend()) return;
        StringBuilder fix = new StringBuilder();
        nd4jEnvironment(choice.backend()).forEach((k, v) -> fix.append(fix.length() == 0 ? "" : " ").append(k).append('=').append(v));
        throw new IllegalStateException("chose the " + choice.backend() + " backend (" + choice.reason() + ") but this JVM's environment makes ND4J load "
                + would + " first; start it with " + fix + " (./osum does this)");
    }

    // ================================================================== facts of this machine

    /** The facts of this process: the class path, and {@code nvidia-smi}'s device list when the CUDA backend is there. */
    public static Facts probe() {
        boolean cuda = Backends.class.getClassLoader().getResource(CUDA_BACKEND_CLASS.replace('.', '/') + ".class") != null;
        if (!cuda) return new Facts(false, List.of(), "not probed: CPU build");
        return probeNvidiaSmi();
    }

    /**
     * Devices and capabilities from {@code nvidia-smi --query-gpu=compute_cap}; drivers older than that field
     * (before R510) fail the query, then the devices are counted by name with unknown capability; none when
     * nvidia-smi is missing or fails.
     */
    static Facts probeNvidiaSmi() {
        String[] caps = nvidiaSmi("--query-gpu=compute_cap");
        if (caps[1] == null) {
            List<Integer> c = parseCapabilities(caps[0]);
            return new Facts(true, c, "nvidia-smi: " + c.size() + " GPU" + (c.size() == 1 ? "" : "s"));
        }
        String[] names = nvidiaSmi("--query-gpu=name");
        if (names[1] != null) return new Facts(true, List.of(), caps[1]);
        List<Integer> unknown = new ArrayList<>();
        for (String line : names[0].split("\\R")) if (!line.isBlank()) unknown.add(-1);
        return new Facts(true, unknown, "nvidia-smi without compute_cap: " + unknown.size() + " GPU(s)");
    }

    /** {output, null} or {null, what went wrong}. */
    private static String[] nvidiaSmi(String query) {
        ProcessBuilder pb = new ProcessBuilder("nvidia-smi", query, "--format=csv,noheader");
        pb.redirectErrorStream(true);
        try {
            Process p = pb.start();
            String out;
            try (InputStream in = p.getInputStream()) {
                out = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
            if (!p.waitFor(PROBE_TIMEOUT_S, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return new String[]{null, "nvidia-smi did not answer in " + PROBE_TIMEOUT_S + " s"};
            }
            return p.exitValue() == 0 ? new String[]{out, null}
                    : new String[]{null, "nvidia-smi exit " + p.exitValue() + ": " + firstLine(out)};
        } catch (IOException e) {
            return new String[]{null, "nvidia-smi not found"};
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new String[]{null, "nvidia-smi interrupted"};
        }
    }

    /** Lines like {@code 8.6} → 86; a line that is not a capability (old drivers print an error per GPU) → −1. */
    static List<Integer> parseCapabilities(String nvidiaSmiOutput) {
        List<Integer> caps = new ArrayList<>();
        for (String line : nvidiaSmiOutput.split("\\R")) {
            String s = line.trim();
            if (s.isEmpty()) continue;
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("(\\d+)\\.(\\d)").matcher(s);
            caps.add(m.matches() ? Integer.parseInt(m.group(1)) * 10 + Integer.parseInt(m.group(2)) : -1);
        }
        return caps;
    }

    private static String firstLine(String s) {
        String t = s.strip();
        int nl = t.indexOf('\n');
        return nl < 0 ? t : t.substring(0, nl);
    }

    // ================================================================== this process

    private static Choice selected;
    private static boolean logged;

    /**
     * This process's choice (probed once, from {@code -Dosum.backend}), checked against the environment ND4J will
     * read; logs nothing (for callers that print it inside their own log line, like the Jupyter kernel's).
     */
    public static synchronized Choice choice() {
        if (selected == null) {
            Facts f = probe();
            Choice c = decide(f, System.getProperty(PROPERTY));
            check(c, f, System.getenv());
            selected = c;
        }
        return selected;
    }

    /** {@link #choice()}, logging its line to stderr the first time. Call before the first ND4J use. */
    public static synchronized Choice select() {
        Choice c = choice();
        if (!logged) {
            System.err.println(c.logLine());
            logged = true;
        }
        return c;
    }
}
