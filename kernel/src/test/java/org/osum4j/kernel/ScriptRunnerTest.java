package org.osum4j.kernel;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** `./osum jshell script.jsh`: scripts run with the library and default imports, and exit with their status. */
class ScriptRunnerTest {

    @TempDir
    Path tmp;

    /** Runs ScriptRunner in a fresh JVM (System.exit in scripts must not end the test JVM). */
    private Result runScript(String body) throws IOException, InterruptedException {
        Path script = tmp.resolve("s.jsh");
        Files.writeString(script, body, StandardCharsets.UTF_8);
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx1g", "-Dosum.root=" + TestSupport.repoRoot(), "-cp", System.getProperty("java.class.path"),
                ScriptRunner.class.getName(), script.toString()));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "script runner did not finish");
        return new Result(p.exitValue(), out);
    }

    record Result(int status, String output) {}

    @Test
    void quickstartScript_passesItsOwnChecks() throws Exception {
        Result r = runScript(Files.readString(TestSupport.repoRoot().resolve("scripts/quickstart.jsh")));
        assertEquals(0, r.status(), r.output());
        assertTrue(r.output().contains("all checks passed"), r.output());
        assertTrue(!r.output().contains("NOT OK"), r.output());
    }

    @Test
    void script_withLibraryAndImports_runsAndExitsZero() throws Exception {
        Result r = runScript("""
                var a = Nd4j.create(new float[]{1, 2, 3, 4}, new long[]{2, 2});
                double s = a.mmul(a).sumNumber().doubleValue();
                System.out.println("sum=" + s);
                var t = Table.create("t", DoubleColumn.create("x", new double[]{1, 2}));
                System.out.println("rows=" + t.rowCount());
                """);
        assertEquals(0, r.status(), r.output());
        assertTrue(r.output().contains("sum=54.0"), r.output());
        assertTrue(r.output().contains("rows=2"), r.output());
    }

    @Test
    void script_throwing_exitsOneNamingTheLine() throws Exception {
        Result r = runScript("""
                int x = 1;
                if (x == 1) throw new IllegalStateException("boom");
                System.out.println("not reached");
                """);
        assertEquals(1, r.status(), r.output());
        assertTrue(r.output().contains("s.jsh:2"), r.output());
        assertTrue(r.output().contains("IllegalStateException") && r.output().contains("boom"), r.output());
        assertTrue(!r.output().contains("not reached"), r.output());
    }

    @Test
    void script_compileError_exitsOneWithLineAndColumn() throws Exception {
        Result r = runScript("int ok = 1;\nint y = \"text\";\n");
        assertEquals(1, r.status(), r.output());
        assertTrue(r.output().contains("s.jsh:2:"), r.output());
        assertTrue(r.output().contains("error"), r.output());
    }

    @Test
    void script_commentsBetweenSnippets_areNotTakenForCommands() throws Exception {
        Result r = runScript("// a comment\nint a = 2; // trailing\n/* block */\nSystem.out.println(\"a=\" + a);\n");
        assertEquals(0, r.status(), r.output());
        assertTrue(r.output().contains("a=2"), r.output());
        assertTrue(!r.output().contains("ignored"), r.output());
    }

    @Test
    void script_systemExit_usesItsStatus() throws Exception {
        Result r = runScript("System.out.println(\"bye\");\nSystem.exit(3);\n");
        assertEquals(3, r.status(), r.output());
        assertTrue(r.output().contains("bye"), r.output());
    }
}
