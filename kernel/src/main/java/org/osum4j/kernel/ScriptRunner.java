package org.osum4j.kernel;

import jdk.jshell.Diag;
import jdk.jshell.EvalException;
import jdk.jshell.JShell;
import jdk.jshell.Snippet;
import jdk.jshell.SnippetEvent;
import jdk.jshell.SourceCodeAnalysis;
import jdk.jshell.UnresolvedReferenceException;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.Locale;

/**
 * Runs a JShell script ({@code .jsh}) non-interactively: {@code ./osum jshell script.jsh}.
 *
 * <p>The library is on the class path and the default prelude ({@link Prelude}) are evaluated
 * first, exactly as in the notebook kernel. Snippets run in order; the first one that fails to compile or
 * throws stops the script with exit status 1 and a message naming the script line. {@code /exit N} and
 * {@code System.exit(N)} end it with N. Not an interactive shell: {@code ./osum jshell} without a script
 * starts the JDK's own jshell tool.
 */
public final class ScriptRunner {

    private ScriptRunner() {}

    public static void main(String[] args) throws IOException {
        if (args.length != 1) {
            System.err.println("usage: ScriptRunner SCRIPT.jsh");
            System.exit(2);
        }
        Path script = Paths.get(args[0]);
        if (!Files.isRegularFile(script)) {
            System.err.println("jshell: script not found: " + script);
            System.exit(2);
        }
        System.exit(run(script));
    }

    /** Runs the prelude ({@link Prelude}) then the script; returns the exit status. */
    static int run(Path script) throws IOException {
        try (JShell shell = JShell.builder()
                .executionEngine("local")
                .out(System.out).err(System.err)
                .build()) {
            for (String entry : System.getProperty("java.class.path").split(java.io.File.pathSeparator)) {
                if (!entry.isBlank()) shell.addToClasspath(entry);
            }
            int st = evalSource(shell, Prelude.source(), Paths.get(Prelude.RESOURCE));
            if (st != 0) return st;
            return evalSource(shell, Files.readString(script, StandardCharsets.UTF_8), script);
        }
    }

    /** Evaluates every snippet of {@code source}; returns 0, or the status of the first failure / exit. */
    static int evalSource(JShell shell, String source, Path file) {
        SourceCodeAnalysis sca = shell.sourceCodeAnalysis();
        String rest = source;
        int consumed = 0;
        while (!rest.isBlank()) {
            // JShell commands are lines; only /exit matters in a script.
            String trimmed = rest.stripLeading();
            int lead = rest.length() - trimmed.length();
            if (trimmed.length() > 1 && trimmed.charAt(0) == '/' && Character.isLetter(trimmed.charAt(1))) {
                int eol = trimmed.indexOf('\n');
                String cmd = (eol < 0 ? trimmed : trimmed.substring(0, eol)).trim();
                if (cmd.startsWith("/exit")) {
                    String arg = cmd.substring(5).trim();
                    return arg.isEmpty() ? 0 : Integer.parseInt(arg);
                }
                System.err.println(where(file, source, consumed + lead) + ": JShell command ignored in a script: " + cmd);
                int adv = lead + (eol < 0 ? trimmed.length() : eol + 1);
                consumed += adv;
                rest = rest.substring(adv);
                continue;
            }
            SourceCodeAnalysis.CompletionInfo info = sca.analyzeCompletion(rest);
            if (info.completeness() == SourceCodeAnalysis.Completeness.EMPTY) break;
            if (!info.completeness().isComplete()) {
                System.err.println(where(file, source, consumed + lead) + ": incomplete snippet at end of file");
                return 1;
            }
            String snippet = info.source();
            int adv = rest.length() - info.remaining().length();
            int status = evalSnippet(shell, snippet, file, source, consumed + lead);
            if (status != 0) return status;
            consumed += adv;
            rest = info.remaining();
        }
        return 0;
    }

    private static int evalSnippet(JShell shell, String snippet, Path file, String source, int offset) {
        List<SnippetEvent> events = shell.eval(snippet);
        for (SnippetEvent e : events) {
            if (e.status() == Snippet.Status.REJECTED) {
                for (Diag d : shell.diagnostics(e.snippet()).toList()) {
                    if (!d.isError()) continue;
                    int at = offset + (int) Math.max(0, d.getStartPosition());
                    System.err.println(where(file, source, at) + ": error: " + d.getMessage(Locale.ROOT));
                }
                return 1;
            }
            if (e.exception() != null) {
                Throwable ex = e.exception();
                String name = ex instanceof EvalException ee ? ee.getExceptionClassName() : ex.getClass().getName();
                if (ex instanceof UnresolvedReferenceException ure) {
                    name = "unresolved reference in " + ure.getSnippet().source().strip();
                }
                System.err.println(where(file, source, offset) + ": " + name + ": " + ex.getMessage());
                for (StackTraceElement el : ex.getStackTrace()) {
                    if (el.getClassName().startsWith("jdk.jshell") || el.getClassName().startsWith("java.lang.reflect")
                            || el.getClassName().startsWith("jdk.internal")) break;
                    System.err.println("\tat " + el);
                }
                return 1;
            }
        }
        return 0;
    }

    /** "file:line:col" for a character offset in the file. */
    static String where(Path file, String source, int offset) {
        int line = 1, col = 1;
        for (int i = 0; i < Math.min(offset, source.length()); i++) {
            if (source.charAt(i) == '\n') { line++; col = 1; } else col++;
        }
        return file + ":" + line + ":" + col;
    }
}
