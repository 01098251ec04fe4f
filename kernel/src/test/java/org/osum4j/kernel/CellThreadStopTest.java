package org.osum4j.kernel;

import org.junit.jupiter.api.Test;

import java.util.concurrent.CancellationException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The cell thread's side of the stop handshake: a stop requested after a snippet was submitted but before the
 * thread began it (the window in which {@code stop()} finds the thread not busy) must cancel the snippet instead of
 * letting it run, or a busy loop submitted there could never be interrupted.
 */
class CellThreadStopTest {

    @Test
    void stopRequestedBeforeTheThreadStarts_cancelsTheSnippetWithoutRunningIt() throws Exception {
        AtomicBoolean ran = new AtomicBoolean();
        FutureTask<Object> task = new FutureTask<>(() -> {
            ran.set(true);
            return "ran";
        });
        CellExecutionControl.CellThread thread = new CellExecutionControl.CellThread(() -> true);
        thread.submit(task);
        thread.start();
        assertThrows(CancellationException.class, () -> task.get(10, TimeUnit.SECONDS));
        assertTrue(task.isCancelled());
        assertFalse(ran.get(), "the snippet must not run after a stop");
    }

    @Test
    void withoutAStop_theSnippetRuns() throws Exception {
        FutureTask<Object> task = new FutureTask<>(() -> "ran");
        CellExecutionControl.CellThread thread = new CellExecutionControl.CellThread(() -> false);
        thread.submit(task);
        thread.start();
        assertEquals("ran", task.get(10, TimeUnit.SECONDS));
    }
}
