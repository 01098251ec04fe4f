package org.osum4j.kernel;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import jdk.jshell.execution.DirectExecutionControl;
import jdk.jshell.spi.ExecutionControl;
import jdk.jshell.spi.ExecutionControlProvider;
import jdk.jshell.spi.ExecutionEnv;

/**
 * JShell's execution engine for the kernel: snippets run inside the kernel JVM (like JShell's
 * "local" engine), all on one long-lived cell thread, so that (1) the value of a snippet is a real
 * object the kernel can render as a MIME bundle, (2) thread-locals live across cells, and (3) an
 * interrupt can stop the running snippet.
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

    /** How often a waiting invoke checks that the cell thread is still alive. */
    private static final long AWAIT_POLL_MILLIS = 200;

    private CellThread cellThread;
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
        if (stopRequested) {
            throw new StoppedException();
        }
        FutureTask<Object> task = new FutureTask<>(() -> {
            Thread.currentThread().setContextClassLoader(doitMethod.getDeclaringClass().getClassLoader());
            return doitMethod.invoke(null);
        });
        CellThread thread = cellThread();
        thread.submit(task);
        Object value;
        try {
            value = await(task, thread);
        } catch (java.util.concurrent.CancellationException e) {
            throw new StoppedException();                    // stopped after submit, before the thread began it
        } catch (ExecutionException e) {
            Throwable cause = e.getCause() instanceof InvocationTargetException target ? target.getCause() : e.getCause();
            if (stopRequested && cause instanceof ThreadDeath) {
                throw new StoppedException();
            }
            throw new InvocationTargetException(cause);
        }
        if (stopRequested) {
            throw new StoppedException();
        }
        lastValue = value;
        return valueString(value);
    }

    /** Waits for {@code task}; if its thread died outside it (a stop that came too late), gives up. */
    private static Object await(FutureTask<Object> task, CellThread thread) throws Exception {
        while (true) {
            try {
                return task.get(AWAIT_POLL_MILLIS, TimeUnit.MILLISECONDS);
            } catch (TimeoutException e) {
                if (!thread.isAlive()) {
                    try {
                        return task.get(0, TimeUnit.MILLISECONDS);
                    } catch (TimeoutException stuck) {
                        throw new StoppedException();
                    }
                }
            }
        }
    }

    private synchronized CellThread cellThread() {
        if (cellThread == null || !cellThread.isAlive()) {
            cellThread = new CellThread(() -> stopRequested);
            cellThread.start();
        }
        return cellThread;
    }

    @Override
    @SuppressWarnings({"deprecation", "removal"})
    public void stop() {
        stopRequested = true;
        CellThread thread = cellThread;
        if (thread == null || !thread.busy) {
            return;
        }
        if (canStopBusyCode()) {
            thread.stop(); // ThreadDeath lands in the task; FutureTask catches it, the thread lives on
        } else {
            thread.interrupt();
        }
    }

    /**
     * The one thread that runs every snippet, so that thread-locals (ND4J's random generator and
     * workspaces, user ThreadLocals) survive from cell to cell.
     */
    static final class CellThread extends Thread {
        private final BlockingQueue<FutureTask<Object>> tasks = new LinkedBlockingQueue<>();
        private final java.util.function.BooleanSupplier stopRequested;
        private volatile boolean busy;

        CellThread(java.util.function.BooleanSupplier stopRequested) {
            super(CELL_THREAD_NAME);
            this.stopRequested = stopRequested;
            setDaemon(true);
        }

        void submit(FutureTask<Object> task) {
            tasks.add(task);
        }

        @Override
        public void run() {
            while (true) {
                FutureTask<Object> task;
                try {
                    task = tasks.take();
                } catch (InterruptedException e) {
                    continue; // a late interrupt (JDK 20+ fallback) must not end the thread
                }
                Thread.interrupted(); // start every snippet with a clear interrupt flag
                busy = true;
                try {
                    // stop() sets its flag, then reads busy; this thread sets busy, then reads the flag (both
                    // volatile): a stop that found the thread not yet busy is seen here, so it cannot be lost
                    // (on a loaded machine the window between submit and start was long enough to hang a cell)
                    if (stopRequested.getAsBoolean()) {
                        task.cancel(false);
                    } else {
                        task.run();
                    }
                } finally {
                    busy = false;
                }
            }
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
