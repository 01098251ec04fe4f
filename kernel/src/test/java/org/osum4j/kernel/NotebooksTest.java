package org.osum4j.kernel;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every notebook in notebooks/ runs headless on the osum4j kernel (installed into a temporary prefix) with the
 * same runner as {@code ./osum run}: no cell may fail, and every output a notebook promises in its metadata
 * ({@code osum4j.promises}: HTML table, PNG/SVG chart, audio player, ...) must be there. A notebook with a
 * compile error must fail, naming the cell.
 */
class NotebooksTest {

    @TempDir
    static Path tmp;

    static Path jupyterPath;

    @BeforeAll
    static void installKernel() throws Exception {
        Path prefix = tmp.resolve("prefix");
        List<String> cmd = List.of(TestSupport.java(), "-cp", System.getProperty("java.class.path"),
                "org.osum4j.kernel.KernelInstaller", "install", "--prefix", prefix.toString(),
                "--java", TestSupport.java(), "--classpath", System.getProperty("java.class.path"),
                "--jvm-opt", "-Xmx2g", "--jvm-opt", "-Djava.awt.headless=true",
                "--env", "OSUM_ROOT=" + TestSupport.repoRoot());
        Result r = exec(cmd, null, 60);
        assertEquals(0, r.status(), "kernel install failed: " + r.output());
        jupyterPath = prefix.resolve("share/jupyter");
        assertTrue(Files.isRegularFile(jupyterPath.resolve("kernels/osum4j/kernel.json")), r.output());
    }

    record Result(int status, String output) {}

    static Result exec(List<String> cmd, Path jupyter, int timeoutS) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).directory(TestSupport.repoRoot().toFile());
        if (jupyter != null) pb.environment().put("JUPYTER_PATH", jupyter.toString());
        pb.environment().put("OSUM_MODE", "quick");
        Process p = pb.start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(timeoutS, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("timed out after " + timeoutS + " s: " + cmd);
        }
        return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8));
    }

    private Result runNotebooks(List<String> notebooks, Path out) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(TestSupport.python(),
                TestSupport.repoRoot().resolve("scripts/run_notebooks.py").toString(),
                "--kernel", "osum4j", "--out", out.toString(), "--timeout", "300"));
        cmd.addAll(notebooks);
        return exec(cmd, jupyterPath, 3600);
    }

    @Test
    void everyNotebook_runsHeadless_withPromisedOutputs() throws Exception {
        List<String> nbs;
        try (Stream<Path> s = Files.list(TestSupport.repoRoot().resolve("notebooks"))) {
            nbs = s.filter(p -> p.toString().endsWith(".ipynb")).sorted().map(Path::toString).toList();
        }
        assertFalse(nbs.isEmpty(), "no notebooks in notebooks/");
        Path out = tmp.resolve("out");
        Result r = runNotebooks(nbs, out);
        System.out.println(r.output());
        assertEquals(0, r.status(), r.output());
        for (String nb : nbs) {
            String name = Path.of(nb).getFileName().toString().replace(".ipynb", "");
            assertTrue(Files.isRegularFile(out.resolve(name + ".ipynb")), "executed copy of " + name);
            assertTrue(Files.isRegularFile(out.resolve(name + ".html")), "HTML of " + name);
            assertTrue(r.output().lines().anyMatch(l -> l.startsWith(name) && l.endsWith("ok")), r.output());
        }
    }

    @Test
    void quickstart_promisesTableChartAndAudio() throws Exception {
        String meta = Files.readString(TestSupport.repoRoot().resolve("notebooks/00_quickstart.ipynb"));
        assertTrue(meta.contains("\"promises\""), "00_quickstart declares its promised outputs");
        assertTrue(meta.contains("<table"), "promises an HTML table");
        assertTrue(meta.contains("image/png") || meta.contains("image/svg+xml"), "promises a chart");
        assertTrue(meta.contains("<audio") || meta.contains("data:audio/wav"), "promises an audio player");
    }

    @Test
    void notebookWithCompileError_failsNamingTheCell() throws Exception {
        Path nb = tmp.resolve("bad.ipynb");
        Files.writeString(nb, """
                {"cells": [
                  {"cell_type": "code", "metadata": {}, "execution_count": null, "outputs": [], "source": ["int a = 1;"]},
                  {"cell_type": "code", "metadata": {}, "execution_count": null, "outputs": [], "source": ["int b = \\"not an int\\";"]}
                 ],
                 "metadata": {"kernelspec": {"name": "osum4j", "display_name": "Java (osum4j)", "language": "java"}},
                 "nbformat": 4, "nbformat_minor": 5}
                """);
        Result r = runNotebooks(List.of(nb.toString()), tmp.resolve("badout"));
        assertNotEquals(0, r.status(), r.output());
        assertTrue(r.output().contains("bad") && r.output().contains("cell 2"), r.output());
    }
}
