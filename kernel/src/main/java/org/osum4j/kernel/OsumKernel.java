package org.osum4j.kernel;

import java.io.ByteArrayInputStream;
import java.io.File;
import java.io.PrintStream;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.dflib.jjava.jupyter.channels.JupyterConnection;
import org.dflib.jjava.jupyter.channels.ShellReplyEnvironment;
import org.dflib.jjava.jupyter.kernel.BaseKernel;
import org.dflib.jjava.jupyter.kernel.JupyterIO;
import org.dflib.jjava.jupyter.kernel.KernelConnectionProperties;
import org.dflib.jjava.jupyter.kernel.LanguageInfo;
import org.dflib.jjava.jupyter.kernel.ReplacementOptions;
import org.dflib.jjava.jupyter.kernel.comm.CommManager;
import org.dflib.jjava.jupyter.kernel.display.DisplayData;
import org.dflib.jjava.jupyter.kernel.display.Renderer;
import org.dflib.jjava.jupyter.kernel.magic.MagicsRegistry;
import org.dflib.jjava.jupyter.kernel.util.StringStyler;
import org.dflib.jjava.jupyter.messages.ContentType;
import org.dflib.jjava.jupyter.messages.Message;
import org.dflib.jjava.jupyter.messages.publish.PublishDisplayData;
import org.dflib.jjava.jupyter.messages.publish.PublishError;
import org.dflib.jjava.jupyter.messages.publish.PublishExecuteInput;
import org.dflib.jjava.jupyter.messages.publish.PublishExecuteResult;
import org.dflib.jjava.jupyter.messages.publish.PublishStream;
import org.dflib.jjava.jupyter.messages.publish.PublishUpdateDisplayData;
import org.dflib.jjava.jupyter.messages.reply.ErrorReply;
import org.dflib.jjava.jupyter.messages.reply.ExecuteReply;
import org.dflib.jjava.jupyter.messages.request.ExecuteRequest;
import org.osum4j.notebook.Display;
import org.osum4j.notebook.DisplaySink;

/**
 * osum4j's Jupyter kernel for Java: the Jupyter protocol from jjava-jupyter's {@link BaseKernel},
 * cells run by a {@link JavaSession} (JShell, executing inside this JVM). Output rules:
 * {@code System.out}/{@code System.err} stream while a cell runs; {@code display(x)} and
 * {@link Display#show} publish {@code display_data} (and {@code update_display_data}); the value of a
 * final expression without a semicolon is the {@code execute_result}; all three use
 * {@link Display#bundle}, so any {@link org.osum4j.notebook.Rich} object renders as HTML/PNG/...
 * without the kernel knowing its type. Magics: {@code %time}, {@code %%time}, {@code %classpath},
 * {@code %maven}.
 *
 * <p>Interrupts arrive as {@code interrupt_request} on the control channel ({@code interrupt_mode}
 * "message" in kernel.json) and stop the running snippet (see {@link CellExecutionControl}).
 *
 * <p>Usage: {@code java -cp <osum4j-lib, its deps, this> org.osum4j.kernel.OsumKernel <connection file>}.
 */
public final class OsumKernel extends BaseKernel {

    static final String VERSION = "0.1.0";

    /** How often buffered stdout/stderr text is published while a cell runs. */
    static final long STREAM_TICK_MILLIS = 50;

    /** Chatty library loggers, kept at WARN (all kernel-side logging goes to the process stderr). */
    private static final List<String> QUIET_LOGGERS = List.of(
            "org.nd4j", "org.deeplearning4j", "org.bytedeco", "ai.djl", "org.dflib", "org.zeromq",
            "org.eclipse.aether", "org.apache.http", "org.apache.maven");

    /**
     * Lines printed with System.out by libraries that no logger setting silences: SameDiff prints one
     * per differentiated op of every new gradient graph. Replace the list with
     * {@code -Dosum4j.kernel.dropLines=prefix1|prefix2} (empty: drop nothing).
     */
    static final String DEFAULT_DROPPED_LINES = "Added differentiated op ";

    private final PrintStream log;
    private final CellOutputStream out;
    private final CellOutputStream err;
    private final CompletableFuture<JavaSession> session;
    private final MavenResolver maven = MavenResolver.standard();
    private final Object ioLock = new Object();
    private final ScheduledExecutorService ticker;
    private volatile ShellReplyEnvironment cellEnv;

    private OsumKernel(PrintStream processOut, PrintStream processErr, List<String> classPath) {
        super("osum4j", VERSION,
                new LanguageInfo("java", Runtime.version().toString(), "text/x-java-source", ".jshell",
                        "java", "java", "script"),
                List.of(), new CellHistory(), new JupyterIO(StandardCharsets.UTF_8), new CommManager(),
                new Renderer(),
                null, new MagicsRegistry(), false, new StringStyler.Builder().build());
        this.log = processErr;
        this.out = new CellOutputStream(processOut, droppedLinePrefixes());
        this.err = new CellOutputStream(processErr, droppedLinePrefixes());
        this.ticker = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "osum4j-stream-ticker");
            t.setDaemon(true);
            return t;
        });
        ticker.scheduleWithFixedDelay(this::drainStreams, STREAM_TICK_MILLIS, STREAM_TICK_MILLIS,
                TimeUnit.MILLISECONDS);
        List<String> startup = new ArrayList<>(Prelude.snippets());   // imports + display(), shared with jshell
        // JShell start-up (compiler warm-up, imports) takes seconds: do it while Jupyter connects.
        this.session = CompletableFuture.supplyAsync(() -> new JavaSession(classPath, startup, log));
    }

    /** Entry point: {@code args[0]} is the connection file Jupyter wrote. */
    public static void main(String[] args) throws Exception {
        if (args.length != 1) {
            System.err.println("usage: java -cp <class path> org.osum4j.kernel.OsumKernel <connection-file>");
            System.exit(2);
        }
        long startNanos = System.nanoTime();
        quietLoggers();
        org.slf4j.LoggerFactory.getLogger(OsumKernel.class); // binds slf4j to the process stderr now
        PrintStream processOut = System.out;
        PrintStream processErr = System.err;
        Path connectionFile = Path.of(args[0]);
        KernelConnectionProperties connection = KernelConnectionProperties.parse(Files.readString(connectionFile));
        List<String> classPath = Arrays.asList(System.getProperty("java.class.path", "").split(File.pathSeparator));

        OsumKernel kernel = new OsumKernel(processOut, processErr, classPath);
        System.setOut(new PrintStream(kernel.out, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(kernel.err, true, StandardCharsets.UTF_8));
        System.setIn(new ByteArrayInputStream(new byte[0]));
        Display.install(kernel.new JupyterDisplaySink());
        onSigint(kernel::interrupt, processErr);

        JupyterConnection jupyter = new JupyterConnection(connection);
        kernel.becomeHandlerForConnection(jupyter);
        jupyter.connect();
        kernel.onStartup();
        processErr.println(org.osum4j.cli.RuntimeInfo.summary());   // the settings this kernel runs with
        processErr.printf("osum4j kernel: listening (%s) after %d ms%n", connectionFile.getFileName(),
                (System.nanoTime() - startNanos) / 1_000_000);
        kernel.session.thenRun(() -> processErr.printf("osum4j kernel: Java session ready after %d ms%n",
                (System.nanoTime() - startNanos) / 1_000_000));
        if (!CellExecutionControl.canStopBusyCode()) {
            processErr.println("osum4j kernel: JDK " + Runtime.version().feature()
                    + " cannot stop busy loops (Thread.stop was removed); interrupts only reach code that"
                    + " checks Thread.interrupted() or blocks. Use JDK 17-19 for full interrupt support.");
        }
        jupyter.waitUntilClose();
        System.exit(0); // library thread pools (ND4J) are not daemons
    }

    /**
     * Makes SIGINT interrupt the running cell instead of ending the JVM, for kernelspecs that use
     * {@code interrupt_mode: "signal"} (ours uses messages). sun.misc.Signal is reached by reflection:
     * it is JDK-specific API, and without it the kernel still works with message interrupts.
     */
    private static void onSigint(Runnable action, PrintStream log) {
        if (sigintIgnoredAtStart()) {
            // the JVM does not install handlers for shutdown signals its parent ignored (a process started in the
            // background by a non-interactive shell, or under nohup, inherits SIGINT ignored)
            log.println("osum4j kernel: SIGINT is ignored in this process (inherited from the process that started it);"
                    + " SIGINT will not interrupt cells, message interrupts still work");
            return;
        }
        try {
            Class<?> signal = Class.forName("sun.misc.Signal");
            Class<?> handlerType = Class.forName("sun.misc.SignalHandler");
            Object handler = Proxy.newProxyInstance(handlerType.getClassLoader(), new Class<?>[] {handlerType},
                    (proxy, method, args) -> switch (method.getName()) {
                        case "handle" -> {
                            action.run();
                            yield null;
                        }
                        case "hashCode" -> System.identityHashCode(proxy);
                        case "equals" -> proxy == args[0];
                        default -> "osum4j SIGINT handler";
                    });
            signal.getMethod("handle", signal, handlerType)
                    .invoke(null, signal.getConstructor(String.class).newInstance("INT"), handler);
        } catch (ReflectiveOperationException | RuntimeException e) {
            log.println("osum4j kernel: SIGINT will not interrupt cells (" + e + "); message interrupts still work");
        }
    }

    /** Whether this process started with SIGINT ignored (Linux: bit 2 of SigIgn in /proc/self/status). */
    static boolean sigintIgnoredAtStart() {
        try {
            for (String line : java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/self/status"))) {
                if (line.startsWith("SigIgn:")) return (Long.parseUnsignedLong(line.substring(7).trim(), 16) & 0x2L) != 0;
            }
        } catch (java.io.IOException | RuntimeException e) {
            return false;                                    // not Linux: assume the handler can be installed
        }
        return false;
    }

    /** Sets slf4j-simple defaults unless the user gave them with -D. */
    private static void quietLoggers() {
        setDefault("org.slf4j.simpleLogger.cacheOutputStream", "true"); // kernel logs -> process stderr
        setDefault("org.slf4j.simpleLogger.logFile", "System.err");
        setDefault("org.slf4j.simpleLogger.defaultLogLevel", "warn"); // jjava's loops log at INFO
        setDefault("org.slf4j.simpleLogger.log.org.osum4j", "info");
        for (String logger : QUIET_LOGGERS) {
            setDefault("org.slf4j.simpleLogger.log." + logger, "warn");
        }
    }

    private static void setDefault(String key, String value) {
        if (System.getProperty(key) == null) {
            System.setProperty(key, value);
        }
    }

    private static List<String> droppedLinePrefixes() {
        String configured = System.getProperty("osum4j.kernel.dropLines", DEFAULT_DROPPED_LINES);
        return Arrays.stream(configured.split("\\|")).filter(p -> !p.isEmpty()).toList();
    }

    private JavaSession session() {
        return session.join();
    }

    // ---- execute ------------------------------------------------------------------------------

    @Override
    protected synchronized void handleExecuteRequest(ShellReplyEnvironment env, Message<ExecuteRequest> message) {
        commManager.setMessageContext(message);
        ExecuteRequest request = message.getContent();
        boolean silent = request.isSilent();
        int count = silent ? executionCount.get() : executionCount.getAndIncrement();
        env.setBusyDeferIdle();
        if (!silent) {
            env.publish(new PublishExecuteInput(request.getCode(), count));
            if (request.shouldStoreHistory()) {
                ((CellHistory) historyManager).add(count, request.getCode());
            }
        }
        attach(env);
        try {
            JavaSession.Result result = runCell(request.getCode(), count);
            drainStreams();
            synchronized (ioLock) {
                if (result.hasValue() && !silent) {
                    env.publish(new PublishExecuteResult(count, displayData(result.value())));
                }
                env.defer().reply(new ExecuteReply(count, Map.of()));
            }
        } catch (CellError e) {
            replyError(env, count, e);
        } catch (RuntimeException | LinkageError | StackOverflowError e) {
            List<String> trace = new ArrayList<>();
            trace.add("osum4j kernel error: " + e);
            Arrays.stream(e.getStackTrace()).limit(20).forEach(f -> trace.add("    at " + f));
            replyError(env, count, new CellError(e.getClass().getSimpleName(), String.valueOf(e.getMessage()), trace));
        }
    }

    private void replyError(ShellReplyEnvironment env, int count, CellError e) {
        drainStreams();
        synchronized (ioLock) {
            env.publish(new PublishError(e.ename(), e.evalue(), e.traceback()));
            ErrorReply reply = new ErrorReply(e.ename(), e.evalue(), e.traceback());
            reply.setExecutionCount(count);
            env.defer().replyError(ExecuteReply.MESSAGE_TYPE.error(), reply);
        }
    }

    private JavaSession.Result runCell(String code, int count) throws CellError {
        JavaSession java = session();
        java.beginCell();
        CellParts cell = CellParts.parse(code);
        String label = "cell [" + count + "]";
        if (cell.cellMagic() == null) {
            return runParts(java, cell.parts(), label);
        }
        if (!cell.cellMagic().name().equals("time")) {
            throw unknownMagic("%%" + cell.cellMagic().name(), 1);
        }
        long start = System.nanoTime();
        try {
            return runParts(java, cell.parts(), label);
        } finally {
            printWallTime(start);
        }
    }

    private JavaSession.Result runParts(JavaSession java, List<CellParts.Part> parts, String label) throws CellError {
        JavaSession.Result result = JavaSession.Result.NONE;
        for (CellParts.Part part : parts) {
            if (part instanceof CellParts.Code code) {
                result = java.eval(code.text(), code.lineBase(), label);
            } else {
                result = runLineMagic(java, (CellParts.LineMagic) part, label);
            }
        }
        return result;
    }

    private JavaSession.Result runLineMagic(JavaSession java, CellParts.LineMagic magic, String label)
            throws CellError {
        int line = magic.lineBase() + 1;
        switch (magic.name()) {
            case "time": {
                long start = System.nanoTime();
                try {
                    return java.eval(magic.args(), magic.lineBase(), label);
                } finally {
                    printWallTime(start);
                }
            }
            case "classpath": {
                try {
                    List<String> entries = ClassPathPatterns.expand(magic.args(), Path.of("").toAbsolutePath());
                    java.addToClasspath(entries);
                    System.out.println("Added " + entries.size() + " class path entr" + (entries.size() == 1 ? "y" : "ies"));
                } catch (IllegalArgumentException e) {
                    throw magicError("ClassPathError", e.getMessage(), line);
                }
                return JavaSession.Result.NONE;
            }
            case "maven": {
                if (magic.args().isBlank()) {
                    throw magicError("MavenError", "%maven: expected group:artifact:version", line);
                }
                for (String coordinates : magic.args().split("\\s+")) {
                    try {
                        List<String> files = maven.resolve(coordinates).stream().map(Path::toString).toList();
                        java.addToClasspath(files);
                        System.out.println("Added " + coordinates + " (" + files.size() + " jar"
                                + (files.size() == 1 ? "" : "s") + " with dependencies)");
                    } catch (Exception e) {
                        throw magicError("MavenError", "%maven " + coordinates + ": " + e.getMessage()
                                + " (local repository " + maven.localRepository() + ")", line);
                    }
                }
                return JavaSession.Result.NONE;
            }
            default:
                throw unknownMagic("%" + magic.name(), line);
        }
    }

    private static CellError unknownMagic(String name, int line) {
        return magicError("UnknownMagic", name + " is not a magic of this kernel"
                + " (known: %time, %%time, %classpath, %maven)", line);
    }

    private static CellError magicError(String ename, String message, int line) {
        return new CellError(ename, message, List.of(ename + " at cell line " + line + ": " + message));
    }

    private static void printWallTime(long startNanos) {
        double millis = (System.nanoTime() - startNanos) / 1e6;
        System.out.println(millis >= 1000 ? String.format("Wall time: %.2f s", millis / 1000)
                : String.format("Wall time: %.1f ms", millis));
    }

    // ---- output -------------------------------------------------------------------------------

    /** Later stdout/stderr/display output belongs to this request (also from background threads). */
    private void attach(ShellReplyEnvironment env) {
        cellEnv = env;
        out.attach(text -> publish(new PublishStream(PublishStream.StreamType.OUT, text)));
        err.attach(text -> publish(new PublishStream(PublishStream.StreamType.ERR, text)));
    }

    private void drainStreams() {
        out.drain();
        err.drain();
    }

    private <T extends ContentType<T>> void publish(T content) {
        synchronized (ioLock) {
            ShellReplyEnvironment env = cellEnv;
            if (env != null) {
                env.publish(content);
            }
        }
    }

    /** The MIME bundle of {@code value} as Jupyter display data; a failing renderer degrades to text. */
    static DisplayData displayData(Object value) {
        DisplayData data = new DisplayData();
        try {
            Display.bundle(value).forEach(data::putData);
        } catch (RuntimeException e) {
            String type = value == null ? "null" : value.getClass().getName();
            data.putData("text/plain", "<" + type + ": rendering failed: " + e + ">");
        }
        return data;
    }

    /** Publishes {@link Display} output of cells (and of their background threads) to Jupyter. */
    final class JupyterDisplaySink implements DisplaySink {
        @Override
        public void display(Object value, String displayId) {
            DisplayData data = displayData(value);
            if (displayId != null) {
                data.setDisplayId(displayId);
            }
            drainStreams(); // text printed before display(...) must appear above it
            publish(new PublishDisplayData(data));
        }

        @Override
        public void update(String displayId, Object value) {
            DisplayData data = displayData(value);
            data.setDisplayId(displayId);
            drainStreams();
            publish(new PublishUpdateDisplayData(data));
        }

        @Override
        public boolean supportsUpdates() {
            return true;
        }
    }

    // ---- the rest of the protocol -------------------------------------------------------------

    @Override
    public Object evalRaw(String code) {
        try {
            JavaSession.Result result = session().eval(code, 0, "expression");
            return result.hasValue() ? result.value() : null;
        } catch (CellError e) {
            throw new IllegalStateException(e.ename() + ": " + e.evalue(), e);
        }
    }

    // complete/inspect/is_complete must always answer: a client waits for the reply, and an
    // exception here would leave it without one. Failures degrade to "nothing found".

    @Override
    public String isComplete(String code) {
        try {
            return session().isComplete(CellParts.javaOnly(code));
        } catch (RuntimeException e) {
            log.println("osum4j kernel: is_complete failed: " + e);
            return IS_COMPLETE_MAYBE;
        }
    }

    @Override
    public ReplacementOptions complete(String code, int cursor) {
        int lineStart = code.lastIndexOf('\n', Math.max(0, cursor - 1)) + 1;
        if (cursor > 0 && code.substring(lineStart, cursor).stripLeading().startsWith("%")) {
            return null; // completing a magic line: nothing Java to offer
        }
        try {
            JavaSession.Completions completions = session().complete(CellParts.javaOnly(code), cursor);
            return completions.matches().isEmpty() ? null
                    : new ReplacementOptions(completions.matches(), completions.start(), completions.end());
        } catch (RuntimeException e) {
            log.println("osum4j kernel: completion failed: " + e);
            return null;
        }
    }

    @Override
    public DisplayData inspect(String code, int cursor, boolean extraDetail) {
        try {
            String doc = session().documentation(CellParts.javaOnly(code), cursor);
            return doc.isBlank() ? null : new DisplayData(doc);
        } catch (RuntimeException e) {
            log.println("osum4j kernel: inspect failed: " + e);
            return null;
        }
    }

    @Override
    public void interrupt() {
        if (!session.isDone()) {
            return;
        }
        session().stop();
        if (!CellExecutionControl.canStopBusyCode()) {
            System.err.println("interrupt: this JDK cannot stop a busy loop; only code that checks"
                    + " Thread.interrupted() or blocks will stop");
        }
    }

    @Override
    public String getBanner() {
        return "osum4j Java kernel " + VERSION + " (JShell, Java " + Runtime.version() + ")";
    }

    @Override
    public void onShutdown(boolean isRestarting) {
        super.onShutdown(isRestarting);
        Display.install(null);
        ticker.shutdownNow();
        drainStreams();
        if (session.isDone()) {
            session().close();
        }
    }
}
