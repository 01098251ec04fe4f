package org.osum4j.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;

import javax.tools.ToolProvider;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * End-to-end: starts {@link OsumKernel} as its own process on a connection file and drives it with
 * a real Jupyter client (jupyter_client's BlockingKernelClient in Debian's /usr/bin/python3, script
 * src/test/python/kernel_scenarios.py). The script runs every scenario once; each test asserts on
 * its part of the JSON it prints.
 */
class OsumKernelProtocolTest {

    private static final String PYTHON = "/usr/bin/python3";
    /** Guards against a hung kernel; not a performance assertion. */
    private static final long SCENARIO_LIMIT_MINUTES = 8;

    @TempDir
    static Path dir;
    private static Process kernel;
    private static JsonNode results;

    @BeforeAll
    static void runScenarios() throws Exception {
        requireJupyterClient();
        Path connection = dir.resolve("connection.json");
        Files.writeString(connection, connectionJson());
        Path kernelLog = dir.resolve("kernel-stderr.txt");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Path classes = compile("FromFolder", dir.resolve("folder-classes"));
        Path repo = dir.resolve("m2");
        jarIntoRepository(compile("FromJar", dir.resolve("jar-classes")), repo);
        // Started through python, which resets SIGINT to its default before exec'ing the JVM (same pid): a test run
        // launched in the background by a shell inherits SIGINT ignored, and the JVM would then never see the
        // signal the SIGINT scenario sends.
        kernel = new ProcessBuilder(PYTHON, "-c", "import os, signal, sys; signal.signal(signal.SIGINT, signal.SIG_DFL);"
                + " os.execv(sys.argv[1], sys.argv[1:])", java, "-Xmx2g", "-Dmaven.repo.local=" + repo,
                "-cp", System.getProperty("java.class.path"), OsumKernel.class.getName(), connection.toString())
                .redirectOutput(dir.resolve("kernel-stdout.txt").toFile())
                .redirectError(kernelLog.toFile())
                .start();
        ProcessBuilder clientBuilder = new ProcessBuilder(PYTHON, script().toString(), connection.toString(),
                Long.toString(kernel.pid()))
                .redirectError(dir.resolve("client-stderr.txt").toFile());
        clientBuilder.environment().put("OSUM_TEST_CLASSES", classes.toString());
        clientBuilder.environment().put("OSUM_TEST_MAVEN", "demo:fromjar:1.0");
        Process client = clientBuilder.start();
        byte[] stdout = client.getInputStream().readAllBytes();
        if (!client.waitFor(SCENARIO_LIMIT_MINUTES, TimeUnit.MINUTES) || client.exitValue() != 0) {
            client.destroyForcibly();
            fail("Jupyter client failed (exit " + (client.isAlive() ? "timeout" : client.exitValue()) + ")\n"
                    + "client stderr:\n" + Files.readString(dir.resolve("client-stderr.txt"))
                    + "\nkernel stderr:\n" + Files.readString(kernelLog));
        }
        results = new ObjectMapper().readTree(new String(stdout, StandardCharsets.UTF_8));
        System.out.printf("osum4j kernel: client ready after %.2f s, first cell (waits for JShell) %.2f s%n",
                results.get("ready_s").asDouble(), results.get("first_cell_s").asDouble());
        System.out.println("kernel stderr:\n" + Files.readString(kernelLog));
    }

    @AfterAll
    static void stopKernel() throws InterruptedException {
        if (kernel != null && !kernel.waitFor(20, TimeUnit.SECONDS)) {
            kernel.destroyForcibly();
        }
    }

    private static void requireJupyterClient() throws IOException, InterruptedException {
        if (!Files.isExecutable(Path.of(PYTHON))) {
            fail(PYTHON + " not found: the kernel protocol test needs Debian's python3 with jupyter_client");
        }
        Process probe = new ProcessBuilder(PYTHON, "-c", "import jupyter_client").redirectErrorStream(true).start();
        String out = new String(probe.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (probe.waitFor() != 0) {
            fail(PYTHON + " lacks jupyter_client (install Debian's python3-jupyter-client / jupyter-client): " + out);
        }
    }

    /** Compiles {@code demo.<name>} (with {@code hi()} returning "hi from <name>") into {@code out}. */
    private static Path compile(String name, Path out) throws IOException {
        Path source = Files.createDirectories(out.resolveSibling(name + "-src").resolve("demo")).resolve(name + ".java");
        Files.writeString(source, "package demo; public class " + name
                + " { public static String hi() { return \"hi from " + name + "\"; } }");
        Files.createDirectories(out);
        int rc = ToolProvider.getSystemJavaCompiler().run(null, null, null, "-d", out.toString(), source.toString());
        assertEquals(0, rc, "javac " + source);
        return out;
    }

    /** Packs {@code classes} as demo:fromjar:1.0 into a local Maven repository. */
    private static void jarIntoRepository(Path classes, Path repo) throws IOException {
        Path dir = Files.createDirectories(repo.resolve("demo/fromjar/1.0"));
        try (JarOutputStream jar = new JarOutputStream(Files.newOutputStream(dir.resolve("fromjar-1.0.jar")),
                new Manifest())) {
            jar.putNextEntry(new JarEntry("demo/FromJar.class"));
            jar.write(Files.readAllBytes(classes.resolve("demo/FromJar.class")));
            jar.closeEntry();
        }
        Files.writeString(dir.resolve("fromjar-1.0.pom"), "<project><modelVersion>4.0.0</modelVersion>"
                + "<groupId>demo</groupId><artifactId>fromjar</artifactId><version>1.0</version></project>");
    }

    private static Path script() {
        Path relative = Path.of("src", "test", "python", "kernel_scenarios.py");
        if (Files.exists(relative)) {
            return relative.toAbsolutePath();
        }
        return Path.of(System.getProperty("osum.root", "..")).resolve("kernel").resolve(relative);
    }

    private static String connectionJson() throws IOException {
        List<Integer> ports = new ArrayList<>();
        List<ServerSocket> sockets = new ArrayList<>();
        try {
            for (int i = 0; i < 5; i++) {
                ServerSocket socket = new ServerSocket(0);
                sockets.add(socket);
                ports.add(socket.getLocalPort());
            }
        } finally {
            for (ServerSocket socket : sockets) {
                socket.close();
            }
        }
        return String.format("{\"transport\": \"tcp\", \"ip\": \"127.0.0.1\", \"shell_port\": %d, \"iopub_port\": %d,"
                        + " \"stdin_port\": %d, \"control_port\": %d, \"hb_port\": %d,"
                        + " \"signature_scheme\": \"hmac-sha256\", \"key\": \"%s\", \"kernel_name\": \"osum4j\"}",
                ports.get(0), ports.get(1), ports.get(2), ports.get(3), ports.get(4), UUID.randomUUID());
    }

    private static JsonNode scenario(String name) {
        JsonNode node = results.get(name);
        assertTrue(node != null, "scenario " + name + " missing from " + results);
        return node;
    }

    private static String resultText(String name) {
        JsonNode s = scenario(name);
        assertEquals("ok", s.get("status").asText(), name + ": " + s);
        assertEquals(1, s.get("results").size(), name + " should have one execute_result: " + s);
        return s.get("results").get(0).get("text/plain").asText();
    }

    private static JsonNode error(String name) {
        JsonNode s = scenario(name);
        assertEquals("error", s.get("status").asText(), name + ": " + s);
        assertEquals(1, s.get("errors").size(), name + " should publish one error: " + s);
        return s.get("errors").get(0);
    }

    private static String traceback(JsonNode error) {
        List<String> lines = new ArrayList<>();
        error.get("traceback").forEach(l -> lines.add(l.asText()));
        return String.join("\n", lines);
    }

    @Test
    void execute_keepsStateAcrossCells() {
        assertEquals("ok", scenario("define").get("status").asText());
        assertEquals("42", resultText("expression"));
    }

    @Test
    void execute_trailingSemicolon_hidesResult() {
        assertEquals("ok", scenario("semicolon").get("status").asText());
        assertEquals(0, scenario("semicolon").get("results").size());
    }

    @Test
    void stdout_streamsWhileCellRuns() {
        JsonNode s = scenario("stream");
        assertEquals("tick 0\ntick 1\ntick 2\n", s.get("stdout").asText());
        assertEquals("warned\n", s.get("stderr").asText());
        // Three prints 300 ms apart arrive as separate stream messages, not one block at the end.
        assertTrue(s.get("stream_messages").asInt() >= 3, "stream messages: " + s.get("stream_messages"));
    }

    @Test
    void richValue_sendsWholeMimeBundle() {
        JsonNode data = scenario("rich").get("results").get(0);
        assertEquals("<b>pic</b>", data.get("text/html").asText());
        assertEquals("iVBORw0KGgo=", data.get("image/png").asText());
        assertEquals("Pic", data.get("text/plain").asText());
    }

    @Test
    void display_publishesDisplayDataAndUpdatesById() {
        JsonNode s = scenario("display");
        assertEquals("ok", s.get("status").asText());
        JsonNode displays = s.get("displays");
        assertEquals(2, displays.size(), s.toString());
        assertEquals("<b>pic</b>", displays.get(0).get("data").get("text/html").asText());
        String id = displays.get(1).get("transient").get("display_id").asText();
        assertFalse(id.isEmpty());
        JsonNode update = s.get("updates").get(0);
        assertEquals(id, update.get("transient").get("display_id").asText());
        assertEquals("v2", update.get("data").get("text/plain").asText());
    }

    @Test
    void compileError_namesCellLineAndColumn() {
        JsonNode e = error("compile_error");
        assertEquals("CompilationError", e.get("ename").asText());
        assertTrue(e.get("evalue").asText().startsWith("line 4, column 5: cannot find symbol"), e.toString());
        assertTrue(traceback(e).contains("undefinedVar"), traceback(e));
        assertFalse(traceback(e).contains("location: class"), traceback(e));
    }

    @Test
    void runtimeError_traceNamesCellLinesWithoutInternals() {
        JsonNode e = error("runtime_error");
        assertEquals("ArrayIndexOutOfBoundsException", e.get("ename").asText());
        String trace = traceback(e);
        assertTrue(trace.matches("(?s).*at poke \\(cell \\[\\d+], line 3\\).*"), trace);
        assertTrue(trace.matches("(?s).*at cell \\[\\d+], line 5.*"), trace);
        assertFalse(trace.contains("jdk.internal") || trace.contains("jdk.jshell") || trace.contains("osum4j.kernel"),
                trace);
    }

    @Test
    void failedCells_keepEarlierState() {
        assertEquals("3", resultText("state_after_errors"));
    }

    @Test
    void interrupt_stopsBusyLoopAndKernelStaysUsable() {
        JsonNode loop = scenario("interrupt").get("loop");
        assertEquals("error", loop.get("status").asText(), loop.toString());
        assertEquals("Interrupted", loop.get("errors").get(0).get("ename").asText());
        JsonNode after = scenario("interrupt").get("after");
        assertEquals("true", after.get("results").get(0).get("text/plain").asText(), after.toString());
    }

    @Test
    void threadLocals_surviveCellsAndInterrupts() {
        assertEquals("ok", scenario("thread_local_set").get("status").asText());
        assertEquals("7", resultText("thread_local_after"));
    }

    @Test
    void sigint_alsoInterruptsACell() {
        JsonNode loop = scenario("interrupt_signal").get("loop");
        assertEquals("Interrupted", loop.get("errors").get(0).get("ename").asText(), loop.toString());
        JsonNode after = scenario("interrupt_signal").get("after");
        assertEquals("true", after.get("results").get(0).get("text/plain").asText(), after.toString());
    }

    @Test
    void timeMagics_printWallTime() {
        assertTrue(scenario("time_line").get("stdout").asText().startsWith("Wall time: "));
        assertTrue(scenario("time_cell").get("stdout").asText().startsWith("Wall time: "));
        assertEquals("2", resultText("time_cell"));
    }

    @Test
    void unknownMagic_failsTheCell() {
        assertEquals("UnknownMagic", error("unknown_magic").get("ename").asText());
    }

    @Test
    void firstCells_seeLibraryClassPathAndDefaultImports() {
        assertEquals("3 rows, sum 6.0", resultText("libraries"));
    }

    @Test
    void classpathMagic_makesFolderClassesUsable() {
        assertEquals("\"hi from FromFolder\"".replace("\"", ""), resultText("classpath_magic"));
        assertTrue(scenario("classpath_magic").get("stdout").asText().startsWith("Added 1 class path entry"));
    }

    @Test
    void mavenMagic_resolvesFromLocalRepositoryAndLoads() {
        assertEquals("hi from FromJar", resultText("maven_magic"));
        assertTrue(scenario("maven_magic").get("stdout").asText().contains("demo:fromjar:1.0 (1 jar"),
                scenario("maven_magic").toString());
    }

    @Test
    void history_isAnswered() {
        JsonNode history = scenario("history");
        assertEquals(3, history.get("history").size(), history.toString());
        assertTrue(history.get("history").get(2).toString().contains("demo.FromJar.hi()"), history.toString());
    }

    @Test
    void complete_offersMembersAndClasses() {
        JsonNode member = scenario("complete_member");
        assertTrue(member.get("matches").toString().contains("\"substring(\""), member.toString());
        assertEquals(2, member.get("cursor_start").asInt());
        JsonNode type = scenario("complete_class");
        assertTrue(type.get("matches").toString().contains("\"StringBuilder\""), type.toString());
        assertEquals("int y = 1;\n".length(), type.get("cursor_start").asInt());
    }

    @Test
    void isComplete_tellsOpenBlocksFromFinishedAndInvalidCode() {
        assertEquals("incomplete", scenario("is_complete_open").get("status").asText());
        assertEquals("complete", scenario("is_complete_done").get("status").asText());
        assertEquals("invalid", scenario("is_complete_bad").get("status").asText());
    }

    @Test
    void inspect_showsSignatures() {
        JsonNode s = scenario("inspect");
        assertTrue(s.get("found").asBoolean(), s.toString());
        assertTrue(s.get("data").get("text/plain").asText().contains("substring(int beginIndex)"), s.toString());
    }
}
