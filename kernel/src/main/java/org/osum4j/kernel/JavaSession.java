package org.osum4j.kernel;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

import jdk.jshell.DeclarationSnippet;
import jdk.jshell.Diag;
import jdk.jshell.EvalException;
import jdk.jshell.ExpressionSnippet;
import jdk.jshell.JShell;
import jdk.jshell.JShellException;
import jdk.jshell.Snippet;
import jdk.jshell.SnippetEvent;
import jdk.jshell.SourceCodeAnalysis;
import jdk.jshell.SourceCodeAnalysis.CompletionInfo;
import jdk.jshell.SourceCodeAnalysis.Completeness;
import jdk.jshell.UnresolvedReferenceException;
import jdk.jshell.VarSnippet;

/**
 * One Java session: a JShell whose snippets run in this JVM (see {@link CellExecutionControl}),
 * fed a cell at a time. A cell is cut into snippets with {@link SourceCodeAnalysis#analyzeCompletion};
 * each snippet remembers where it started in its cell, so compile errors and stack traces name the
 * cell line. The value of a final expression written without a semicolon is the cell's result.
 *
 * <p>Not Jupyter-aware: no messages, no magics; {@link OsumKernel} adds those.
 */
final class JavaSession implements AutoCloseable {

    /** Stack frames kept in a runtime-error traceback before "... n more". */
    private static final int MAX_FRAMES = 40;

    /** Where a snippet came from, for mapping stack frames ("#12:3") back to cell lines. */
    private record Origin(String cellLabel, int firstLine) {}

    /** A cell's outcome: the value of its final expression, if it had one. */
    record Result(boolean hasValue, Object value) {
        static final Result NONE = new Result(false, null);
    }

    /** Completion candidates replacing {@code code[start, end)}. */
    record Completions(List<String> matches, int start, int end) {}

    private final CellExecutionControl control = new CellExecutionControl();
    private final JShell shell;
    private final SourceCodeAnalysis analysis;
    private final PrintStream log;
    private final Map<String, Origin> origins = new ConcurrentHashMap<>();

    /**
     * @param classPath entries made visible to the compiler (and loader) of the session
     * @param startup   snippets evaluated once, e.g. imports; a failing one is logged and skipped
     * @param log       where the session reports its own problems (the kernel's stderr)
     */
    JavaSession(List<String> classPath, List<String> startup, PrintStream log) {
        this.log = log;
        this.shell = JShell.builder()
                .executionEngine(new CellExecutionControl.Provider(control), Map.of())
                .out(log)
                .err(log)
                .build();
        this.analysis = shell.sourceCodeAnalysis();
        String joined = classPath.stream().filter(e -> !e.isBlank())
                .collect(Collectors.joining(java.io.File.pathSeparator));
        if (!joined.isEmpty()) {
            shell.addToClasspath(joined); // one call: JShell rebuilds its compiler class path per call
        }
        for (String snippet : startup) {
            for (SnippetEvent event : shell.eval(snippet)) {
                if (event.status() == Snippet.Status.REJECTED) {
                    log.println("osum4j kernel: start-up snippet skipped: " + snippet.strip() + " -- "
                            + shell.diagnostics(event.snippet()).map(d -> d.getMessage(Locale.ROOT))
                                    .collect(Collectors.joining("; ")));
                }
            }
        }
    }

    /** Adds class path entries (jars or class folders) for later snippets. */
    void addToClasspath(List<String> entries) {
        shell.addToClasspath(String.join(java.io.File.pathSeparator, entries));
    }

    /** Called before each cell: forgets an interrupt that arrived while no cell was running. */
    void beginCell() {
        control.resetStop();
    }

    /** Stops the running snippet (from another thread); the current cell then fails as interrupted. */
    void stop() {
        control.stop();
    }

    /**
     * Evaluates a piece of a cell.
     *
     * @param code      Java source, one or more snippets
     * @param lineBase  number of cell lines before {@code code} (0 when {@code code} is the whole cell)
     * @param cellLabel how tracebacks name this cell, e.g. {@code "cell [3]"}
     */
    Result eval(String code, int lineBase, String cellLabel) throws CellError {
        Result result = Result.NONE;
        int offset = 0;
        String rest = code;
        while (!rest.isBlank()) {
            if (control.stopRequested()) {
                throw CellError.interrupted();
            }
            CompletionInfo info = analysis.analyzeCompletion(rest);
            Completeness completeness = info.completeness();
            if (completeness == Completeness.EMPTY) {
                break;
            }
            boolean wholeRest = !completeness.isComplete() || info.source() == null;
            String source = wholeRest ? rest : info.source();
            int consumed = wholeRest ? rest.length() : rest.length() - info.remaining().length();
            // JShell numbers stack-frame lines wrongly for a snippet that starts with a newline:
            // hand it the snippet from its first non-blank character.
            int lead = leadingWhitespace(source);
            // Like IPython: a final expression is shown unless the cell ends it with ';'.
            boolean shown = !source.strip().endsWith(";");
            result = evalSnippet(code, offset + lead, source.substring(lead), shown, lineBase, cellLabel);
            offset += consumed;
            rest = wholeRest ? "" : info.remaining();
        }
        return result;
    }

    private Result evalSnippet(String code, int start, String source, boolean shown, int lineBase,
                               String cellLabel) throws CellError {
        control.clearLastValue();
        List<SnippetEvent> events = shell.eval(source);
        Result result = Result.NONE;
        for (SnippetEvent event : events) {
            if (event.causeSnippet() != null) {
                continue; // an update of an earlier snippet, not this one
            }
            Snippet snippet = event.snippet();
            int firstLine = lineBase + lineOf(code, start);
            origins.put(snippet.id(), new Origin(cellLabel, firstLine));
            if (control.stopRequested()) {
                throw CellError.interrupted();
            }
            if (event.status() == Snippet.Status.REJECTED) {
                throw compileError(code, start, source, snippet, lineBase);
            }
            if (event.exception() != null) {
                throw runtimeError(event.exception());
            }
            if (event.status() == Snippet.Status.RECOVERABLE_DEFINED
                    || event.status() == Snippet.Status.RECOVERABLE_NOT_DEFINED) {
                warnUnresolved(snippet);
            }
            if (shown && isExpression(snippet)) {
                result = new Result(true, control.lastValue());
            }
        }
        control.clearLastValue();
        return result;
    }

    private static boolean isExpression(Snippet snippet) {
        if (snippet instanceof ExpressionSnippet expression) {
            return !"void".equals(expression.typeName());
        }
        return snippet instanceof VarSnippet var
                && var.subKind() == Snippet.SubKind.TEMP_VAR_EXPRESSION_SUBKIND
                && !"void".equals(var.typeName());
    }

    private void warnUnresolved(Snippet snippet) {
        if (snippet instanceof DeclarationSnippet declaration) {
            List<String> missing = shell.unresolvedDependencies(declaration).collect(Collectors.toList());
            System.err.println("warning: " + declaration.name() + " is defined but cannot be used until "
                    + String.join(", ", missing) + " " + (missing.size() == 1 ? "is" : "are") + " defined");
        }
    }

    // ---- errors -------------------------------------------------------------------------------

    private CellError compileError(String code, int start, String source, Snippet snippet, int lineBase) {
        List<Diag> errors = shell.diagnostics(snippet).filter(Diag::isError).collect(Collectors.toList());
        if (errors.isEmpty()) {
            int line = lineBase + lineOf(code, start);
            return new CellError(CellError.COMPILE_ERROR, "line " + line + ": the snippet was rejected",
                    List.of("Compilation error at cell line " + line + ": " + source.strip()));
        }
        List<String> traceback = new ArrayList<>();
        String evalue = null;
        for (Diag diag : errors) {
            long pos = diag.getPosition() >= 0 ? diag.getPosition() : Math.max(0, diag.getStartPosition());
            int absolute = (int) Math.min(code.length(), start + Math.min(pos, source.length()));
            int line = lineBase + lineOf(code, absolute);
            int column = absolute - code.lastIndexOf('\n', absolute - 1);
            String[] message = diag.getMessage(Locale.ROOT).split("\n");
            if (evalue == null) {
                evalue = "line " + line + ", column " + column + ": " + message[0];
            }
            traceback.add("Compilation error at cell line " + line + ", column " + column + ":");
            traceback.add("    " + lineText(code, absolute));
            traceback.add("    " + " ".repeat(Math.max(0, column - 1)) + "^");
            for (String part : message) {
                if (!part.strip().equals("location: class")) { // JShell's wrapper class has no name
                    traceback.add(part);
                }
            }
        }
        return new CellError(CellError.COMPILE_ERROR, evalue, traceback);
    }

    private CellError runtimeError(JShellException exception) {
        if (exception instanceof UnresolvedReferenceException unresolved) {
            DeclarationSnippet declaration = unresolved.getSnippet();
            String missing = shell.unresolvedDependencies(declaration).collect(Collectors.joining(", "));
            String evalue = declaration.name() + " cannot run: it uses undefined " + missing;
            List<String> traceback = new ArrayList<>();
            traceback.add("UnresolvedReference: " + evalue);
            traceback.addAll(frames(exception.getStackTrace()));
            return new CellError("UnresolvedReference", evalue, traceback);
        }
        String className = exceptionClassName(exception);
        String message = exception.getMessage() == null ? "" : exception.getMessage();
        List<String> traceback = new ArrayList<>();
        Throwable current = exception;
        Set<Throwable> seen = new LinkedHashSet<>();
        String prefix = "";
        while (current != null && seen.add(current)) {
            String text = current.getMessage() == null ? "" : ": " + current.getMessage();
            traceback.add(prefix + exceptionClassName(current) + text);
            traceback.addAll(frames(current.getStackTrace()));
            current = current.getCause();
            prefix = "Caused by: ";
        }
        String simpleName = className.substring(className.lastIndexOf('.') + 1);
        return new CellError(simpleName, message, traceback);
    }

    private static String exceptionClassName(Throwable throwable) {
        return throwable instanceof EvalException eval ? eval.getExceptionClassName()
                : throwable.getClass().getName();
    }

    /** User-facing frames: snippet frames named by cell line, library frames kept, JShell/reflection dropped. */
    private List<String> frames(StackTraceElement[] trace) {
        List<String> lines = new ArrayList<>();
        int kept = 0;
        for (StackTraceElement frame : trace) {
            String cls = frame.getClassName();
            if (cls.startsWith("jdk.internal.reflect.") || cls.startsWith("java.lang.reflect.")
                    || cls.startsWith("jdk.jshell.") || cls.startsWith(getClass().getPackageName() + ".")
                    || cls.equals("java.lang.Thread")) {
                continue;
            }
            if (kept == MAX_FRAMES) {
                lines.add("    ... " + (trace.length - MAX_FRAMES) + " more");
                break;
            }
            lines.add("    at " + describe(frame));
            kept++;
        }
        return lines;
    }

    private String describe(StackTraceElement frame) {
        String file = frame.getFileName();
        String method = frame.getClassName().isEmpty() ? frame.getMethodName()
                : frame.getClassName() + "." + frame.getMethodName();
        if (file != null && file.startsWith("#")) {
            Origin origin = origins.get(file.substring(1));
            String where = origin == null ? "snippet " + file
                    : origin.cellLabel() + ", line " + (origin.firstLine() + Math.max(1, frame.getLineNumber()) - 1);
            return method.isEmpty() ? where : method + " (" + where + ")";
        }
        return frame.toString();
    }

    // ---- completion, inspection, completeness -------------------------------------------------

    /**
     * Jupyter's is_complete answer: {@code "complete"}, {@code "invalid"}, {@code "unknown"}, or the
     * indent to continue with when more input is needed.
     */
    String isComplete(String code) {
        String rest = code;
        while (!rest.isBlank()) {
            CompletionInfo info = analysis.analyzeCompletion(rest);
            switch (info.completeness()) {
                case DEFINITELY_INCOMPLETE:
                case CONSIDERED_INCOMPLETE:
                    return "    ";
                case UNKNOWN:
                    return "invalid";
                case EMPTY:
                    return "complete";
                default:
                    rest = info.remaining();
            }
        }
        return "complete";
    }

    /** Completion candidates at {@code cursor}, with the range of {@code code} they replace. */
    Completions complete(String code, int cursor) {
        int[] bounds = snippetAround(code, cursor);
        String snippet = code.substring(bounds[0], bounds[1]);
        int[] anchor = new int[1];
        List<SourceCodeAnalysis.Suggestion> suggestions =
                analysis.completionSuggestions(snippet, cursor - bounds[0], anchor);
        Set<String> matches = new LinkedHashSet<>();
        suggestions.stream().filter(SourceCodeAnalysis.Suggestion::matchesType)
                .forEach(s -> matches.add(s.continuation()));
        suggestions.forEach(s -> matches.add(s.continuation()));
        return new Completions(List.copyOf(matches), bounds[0] + anchor[0], cursor);
    }

    /** Signatures (and Javadoc where the JDK has it) of what is at {@code cursor}; empty if nothing. */
    String documentation(String code, int cursor) {
        int[] bounds = snippetAround(code, cursor);
        String snippet = code.substring(bounds[0], bounds[1]);
        int at = cursor - bounds[0];
        while (at < snippet.length() && Character.isJavaIdentifierPart(snippet.charAt(at))) {
            at++;
        }
        // JShell documents a call: "s.substring(" rather than "s.substring".
        String head = snippet.substring(0, at);
        List<SourceCodeAnalysis.Documentation> docs = analysis.documentation(head, head.length(), true);
        if (docs.isEmpty()) {
            docs = analysis.documentation(head + "(", head.length() + 1, true);
        }
        return docs.stream()
                .map(d -> d.javadoc() == null || d.javadoc().isBlank() ? d.signature()
                        : d.signature() + "\n\n" + d.javadoc())
                .collect(Collectors.joining("\n\n"));
    }

    /** [start, end) of the snippet of {@code code} that contains {@code cursor}. */
    private int[] snippetAround(String code, int cursor) {
        int start = 0;
        String rest = code;
        while (!rest.isBlank()) {
            CompletionInfo info = analysis.analyzeCompletion(rest);
            if (!info.completeness().isComplete() || info.source() == null) {
                break;
            }
            int end = start + rest.length() - info.remaining().length();
            if (end > cursor || info.remaining().isBlank()) {
                return new int[] {start, Math.max(end, Math.min(cursor, code.length()))};
            }
            start = end;
            rest = info.remaining();
        }
        return new int[] {Math.min(start, cursor), code.length()};
    }

    // ---- text helpers ---------------------------------------------------------------------------

    private static int leadingWhitespace(String text) {
        int i = 0;
        while (i < text.length() && Character.isWhitespace(text.charAt(i))) {
            i++;
        }
        return i;
    }

    /** 1-based line of {@code offset} in {@code text}. */
    static int lineOf(String text, int offset) {
        int line = 1;
        for (int i = 0; i < offset && i < text.length(); i++) {
            if (text.charAt(i) == '\n') {
                line++;
            }
        }
        return line;
    }

    private static String lineText(String text, int offset) {
        int from = text.lastIndexOf('\n', Math.max(0, offset - 1)) + 1;
        if (offset == 0) {
            from = 0;
        }
        int to = text.indexOf('\n', from);
        return text.substring(from, to < 0 ? text.length() : to);
    }

    @Override
    public void close() {
        shell.close();
    }
}
