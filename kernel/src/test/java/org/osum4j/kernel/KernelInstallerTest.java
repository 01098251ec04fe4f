package org.osum4j.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KernelInstallerTest {

    @TempDir
    Path prefix;

    private JsonNode install(String... extra) throws Exception {
        List<String> args = new ArrayList<>(List.of("install", "--prefix", prefix.toString()));
        args.addAll(List.of(extra));
        Path written = KernelInstaller.install(KernelInstaller.parse(args));
        assertEquals(prefix.resolve("share/jupyter/kernels/osum4j/kernel.json"), written);
        return new ObjectMapper().readTree(Files.readString(written));
    }

    @Test
    void install_prefix_writesValidKernelJson() throws Exception {
        JsonNode spec = install("--java", "/opt/jdk/bin/java", "--classpath", "/a.jar" + File.pathSeparator + "/b dir",
                "--jvm-opt", "-Xmx8g", "--jvm-opt", "-Dx=\"q\"", "--env", "OMP_NUM_THREADS=4", "--env", "A=b=c");
        List<String> argv = new ArrayList<>();
        spec.get("argv").forEach(a -> argv.add(a.asText()));
        assertEquals(List.of("/opt/jdk/bin/java", "-Xmx8g", "-Dx=\"q\"", "-cp", "/a.jar" + File.pathSeparator + "/b dir",
                "org.osum4j.kernel.OsumKernel", "{connection_file}"), argv);
        assertEquals("Java (osum4j)", spec.get("display_name").asText());
        assertEquals("java", spec.get("language").asText());
        assertEquals("message", spec.get("interrupt_mode").asText());
        assertEquals("4", spec.get("env").get("OMP_NUM_THREADS").asText());
        assertEquals("b=c", spec.get("env").get("A").asText());
    }

    @Test
    void install_twice_replacesFileAndLeavesNoTempFiles() throws Exception {
        install("--classpath", "/one.jar");
        JsonNode second = install("--classpath", "/two.jar");
        assertTrue(second.get("argv").toString().contains("/two.jar"));
        try (Stream<Path> files = Files.list(prefix.resolve("share/jupyter/kernels/osum4j"))) {
            assertEquals(List.of("kernel.json"), files.map(p -> p.getFileName().toString()).toList());
        }
    }

    @Test
    void install_defaults_useRunningJavaAndClassPath() throws Exception {
        JsonNode spec = install();
        assertTrue(spec.get("argv").get(0).asText().endsWith("java"));
        assertTrue(spec.get("argv").toString().contains("kernel"), "own class path expected");
    }

    @Test
    void parse_badArguments_explainWhatIsWrong() {
        IllegalArgumentException noCommand = assertThrows(IllegalArgumentException.class,
                () -> KernelInstaller.parse(List.of("--user")));
        assertTrue(noCommand.getMessage().contains("install"));
        IllegalArgumentException badEnv = assertThrows(IllegalArgumentException.class,
                () -> KernelInstaller.parse(List.of("install", "--env", "NOEQUALS")));
        assertTrue(badEnv.getMessage().contains("K=V"));
        assertThrows(IllegalArgumentException.class, () -> KernelInstaller.parse(List.of("install", "--prefix")));
        assertThrows(IllegalArgumentException.class, () -> KernelInstaller.parse(List.of("install", "--bogus")));
    }
}
