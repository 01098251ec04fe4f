package org.osum4j.kernel;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Writes the Jupyter kernelspec {@code osum4j/kernel.json} that starts {@link OsumKernel}:
 *
 * <pre>
 * java -cp CP org.osum4j.kernel.KernelInstaller install [--user | --prefix DIR] [--java PATH]
 *      [--classpath CP] [--jvm-opt OPT]... [--env K=V]... [--display-name NAME]
 * </pre>
 *
 * {@code --user} (the default) installs into {@code ~/.local/share/jupyter/kernels/osum4j},
 * {@code --prefix DIR} into {@code DIR/share/jupyter/kernels/osum4j}. The Java executable defaults to
 * the one running the installer, the class path to the installer's own. Interrupts are sent as
 * messages ({@code interrupt_mode: "message"}). Nothing is downloaded; the file is replaced
 * atomically. Not a launcher: it does not check that the class path holds the kernel.
 */
public final class KernelInstaller {

    static final String KERNEL_NAME = "osum4j";
    static final String DEFAULT_DISPLAY_NAME = "Java (osum4j)";

    /** What to install; built from the command line. */
    record Spec(Path kernelsDir, String java, List<String> classPath, List<String> jvmOptions,
                Map<String, String> env, String displayName) {}

    private KernelInstaller() {}

    public static void main(String[] args) {
        try {
            Path written = install(parse(Arrays.asList(args)));
            System.out.println("Installed kernelspec " + KERNEL_NAME + " in " + written.getParent());
        } catch (IllegalArgumentException e) {
            System.err.println("error: " + e.getMessage());
            System.err.println("usage: KernelInstaller install [--user | --prefix DIR] [--java PATH] [--classpath CP]"
                    + " [--jvm-opt OPT]... [--env K=V]... [--display-name NAME]");
            System.exit(2);
        } catch (IOException e) {
            System.err.println("error: cannot write the kernelspec: " + e);
            System.exit(1);
        }
    }

    static Spec parse(List<String> args) {
        if (args.isEmpty() || !args.get(0).equals("install")) {
            throw new IllegalArgumentException("expected the command 'install'");
        }
        Path kernelsDir = null;
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String classPath = System.getProperty("java.class.path", "");
        List<String> jvmOptions = new ArrayList<>();
        Map<String, String> env = new LinkedHashMap<>();
        String displayName = DEFAULT_DISPLAY_NAME;
        for (int i = 1; i < args.size(); i++) {
            String arg = args.get(i);
            switch (arg) {
                case "--user" -> kernelsDir = userKernelsDir();
                case "--prefix" -> kernelsDir = Path.of(value(args, ++i, arg)).resolve("share/jupyter/kernels");
                case "--java" -> java = value(args, ++i, arg);
                case "--classpath" -> classPath = value(args, ++i, arg);
                case "--jvm-opt" -> jvmOptions.add(value(args, ++i, arg));
                case "--display-name" -> displayName = value(args, ++i, arg);
                case "--env" -> {
                    String pair = value(args, ++i, arg);
                    int eq = pair.indexOf('=');
                    if (eq <= 0) {
                        throw new IllegalArgumentException("--env expects K=V, got '" + pair + "'");
                    }
                    env.put(pair.substring(0, eq), pair.substring(eq + 1));
                }
                default -> throw new IllegalArgumentException("unknown option '" + arg + "'");
            }
        }
        List<String> entries = Arrays.stream(classPath.split(File.pathSeparator))
                .filter(e -> !e.isBlank())
                .map(e -> Path.of(e).toAbsolutePath().normalize().toString())
                .collect(Collectors.toList());
        if (entries.isEmpty()) {
            throw new IllegalArgumentException("empty class path: pass --classpath with osum4j-lib, its"
                    + " dependencies and the kernel classes");
        }
        return new Spec(kernelsDir == null ? userKernelsDir() : kernelsDir, java, entries, jvmOptions, env,
                displayName);
    }

    private static String value(List<String> args, int i, String option) {
        if (i >= args.size()) {
            throw new IllegalArgumentException(option + " needs a value");
        }
        return args.get(i);
    }

    private static Path userKernelsDir() {
        return Path.of(System.getProperty("user.home"), ".local", "share", "jupyter", "kernels");
    }

    /** Writes {@code <kernelsDir>/osum4j/kernel.json} (temp file + atomic rename); returns its path. */
    static Path install(Spec spec) throws IOException {
        Path dir = spec.kernelsDir().resolve(KERNEL_NAME);
        Files.createDirectories(dir);
        Path target = dir.resolve("kernel.json");
        Path temp = Files.createTempFile(dir, "kernel", ".json.tmp");
        try {
            Files.writeString(temp, kernelJson(spec), StandardCharsets.UTF_8);
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(temp);
        }
        return target;
    }

    /** The kernelspec JSON. */
    static String kernelJson(Spec spec) {
        List<String> argv = new ArrayList<>();
        argv.add(spec.java());
        argv.addAll(spec.jvmOptions());
        argv.add("-cp");
        argv.add(String.join(File.pathSeparator, spec.classPath()));
        argv.add(OsumKernel.class.getName());
        argv.add("{connection_file}");
        StringBuilder json = new StringBuilder("{\n");
        json.append("  \"argv\": [")
                .append(argv.stream().map(KernelInstaller::quote).collect(Collectors.joining(", ")))
                .append("],\n");
        json.append("  \"display_name\": ").append(quote(spec.displayName())).append(",\n");
        json.append("  \"language\": \"java\",\n");
        json.append("  \"interrupt_mode\": \"message\",\n");
        json.append("  \"env\": {")
                .append(spec.env().entrySet().stream()
                        .map(e -> quote(e.getKey()) + ": " + quote(e.getValue()))
                        .collect(Collectors.joining(", ")))
                .append("},\n");
        json.append("  \"metadata\": {\"debugger\": false}\n");
        return json.append("}\n").toString();
    }

    /** A JSON string literal. */
    static String quote(String text) {
        StringBuilder out = new StringBuilder("\"");
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c < 0x20) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.append('"').toString();
    }
}
