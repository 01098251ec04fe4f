package org.osum4j.kernel;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

import jdk.jshell.execution.DirectExecutionControl;
import jdk.jshell.spi.ExecutionControl;
import jdk.jshell.spi.ExecutionControlProvider;
import jdk.jshell.spi.ExecutionEnv;

/**
 * JShell's execution engine for the kernel: snippets run inside the kernel JVM (like JShell's
 * "local" engine), each on its own thread, so that (1) the value of a snippet is a real object the
 * kernel can render as a MIME bundle, and (2) an interrupt can stop the running snippet.
 *
 * <p>Stopping uses {@link Thread#stop()}, which works up to JDK 19. From JDK 20 on that method throws
 * {@link UnsupportedOperationException}; the control then falls back to {@link Thread#interrupt()},
 * which only stops code that checks for interruption (blocking calls, {@code Thread.sleep}, loops
 * that test {@code Thread.interrupted()}); a bare {@code while (true) {}} keeps running there.
 *
 * <p>Not a general remote engine: there is no separate JVM, and {@code System.exit} in a cell ends
 * the kernel.
 */
final class CellExecutionControl extends DirectExecutionControl {

    /** Name of the thread that runs user code; {@link StackTraces} trims frames below it. */
    static final String CELL_THREAD_NAME = "osum4j-cell";

    /** First JDK feature release whose {@link Thread#stop()} always throws. */
    static final int FIRST_JDK_WITHOUT_THREAD_STOP = 20;

    private volatile Thread running;
    private volatile boolean stopRequested;
    private volatile Object lastValue;

    /** The value returned by the most recently invoked snippet (null for statements). */
    Object lastValue() {
        return lastValue;
    }

    /** Forgets the last value so that it is not kept reachable longer than needed. */
    void clearLastValue() {
        lastValue = null;
    }

    /** True when {@link #stop()} was called since the last {@link #resetStop()}. */
    boolean stopRequested() {
        return stopRequested;
    }

    /** Called at the start of every cell: an interrupt that arrived while idle must not kill it. */
    void resetStop() {
        stopRequested = false;
    }

    /** True when this JDK can stop a busy loop (see the class comment). */
    static boolean canStopBusyCode() {
        return Runtime.version().feature() < FIRST_JDK_WITHOUT_THREAD_STOP;
    }

    @Override
    protected String invoke(Method doitMethod) throws Exception {
        AtomicReference<Object> value = new AtomicReference<>();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread cell = new Thread(() -> {
            try {
                value.set(doitMethod.invoke(null));
            } catch (InvocationTargetException e) {
                failure.set(e.getCause());
            } catch (Throwable e) {
                failure.set(e);
            }
        }, CELL_THREAD_NAME);
        cell.setDaemon(true);
        cell.setContextClassLoader(doitMethod.getDeclaringClass().getClassLoader());
        running = cell;
        try {
            if (stopRequested) {
                throw new StoppedException();
            }
            cell.start();
            cell.join();
        } finally {
            running = null;
        }
        if (stopRequested) {
            throw new StoppedException();
        }
        if (failure.get() != null) {
            throw new InvocationTargetException(failure.get());
        }
        lastValue = value.get();
        return valueString(lastValue);
    }

    @Override
    @SuppressWarnings({"deprecation", "removal"})
    public void stop() {
        stopRequested = true;
        Thread cell = running;
        if (cell == null) {
            return;
        }
        if (canStopBusyCode()) {
            cell.stop();
        } else {
            cell.interrupt();
        }
    }

    /** Hands JShell this control; the kernel keeps the same instance to read values and stop cells. */
    static final class Provider implements ExecutionControlProvider {
        private final CellExecutionControl control;

        Provider(CellExecutionControl control) {
            this.control = control;
        }

        @Override
        public String name() {
            return "osum4j-cell";
        }

        @Override
        public ExecutionControl generate(ExecutionEnv env, Map<String, String> parameters) {
            return control;
        }
    }
}
