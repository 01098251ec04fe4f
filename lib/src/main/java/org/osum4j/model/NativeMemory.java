package org.osum4j.model;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Keeps ND4J's native memory from growing without bound in long loops (training, batched inference).
 *
 * <p>Why: on the CPU backend an INDArray's buffer is freed only after the garbage collector has collected the
 * small Java object that owns it, and javacpp's {@code maxbytes} limit does not count these buffers (measured).
 * A loop that makes large temporaries but little heap garbage therefore grows its resident memory until the
 * machine runs out (a training run here reached 22 GB and was killed). {@link #relieve()}, called once per
 * step, asks for a collection
 * <ul>
 *   <li>when the process's resident set has grown by more than a margin since the last one, and</li>
 *   <li>when more than a time window has passed since the last one.</li>
 * </ul>
 * The second rule is needed because a resident-set trigger alone ratchets under glibc's allocator: freed
 * buffers stay in malloc's arenas, so the resident set does not fall after a collection, the baseline rises by
 * the margin each cycle, and a 600-step training run still climbed to 20 GB (measured). Collecting every few
 * seconds bounds the dead buffers to a few seconds' worth of allocation whatever the allocator does; a
 * collection of this project's small heaps takes tens of milliseconds. Measured on the tiny training run
 * (models/tiny/train.yaml, 2 cores): with the resident-set rule alone the process held 7.5 GB at step 100 and
 * kept climbing; with the timed rule it stays flat at 2.2 GB for hundreds of steps, at the same step rate.
 *
 * <p>Settings: {@code -Dosum.native.margin=BYTES} (default: a fifth of physical memory, at most 4 GiB) and
 * {@code -Dosum.native.gcWindowMs=MS} (default 3000; 0 turns the time rule off).
 */
public final class NativeMemory {

    private static final long PAGE = 4096;
    private static final long MARGIN = Long.getLong("osum.native.margin", defaultMargin());
    private static final long WINDOW_NS = Long.getLong("osum.native.gcWindowMs", 3000) * 1_000_000L;
    private static long baseline = -1;                      // resident bytes right after the last relieve-GC
    private static long lastGc = System.nanoTime();
    private static long collections;

    private NativeMemory() {}

    private static long defaultMargin() {
        long physical = 8L << 30;
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            physical = os.getTotalMemorySize();
        }
        return Math.min(4L << 30, physical / 5);
    }

    /** The process's resident set in bytes (Linux /proc/self/statm), or -1 where it cannot be read. */
    public static long residentBytes() {
        try {
            String[] f = Files.readString(Path.of("/proc/self/statm")).trim().split("\\s+");
            return Long.parseLong(f[1]) * PAGE;
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /**
     * Collects garbage (and with it unreachable native buffers) when the resident set has grown by more than
     * the margin since the last collection made here, or the time window has passed. Returns whether it
     * collected.
     */
    public static synchronized boolean relieve() {
        long now = System.nanoTime();
        if (WINDOW_NS > 0 && now - lastGc > WINDOW_NS) {
            collect(now, false);
            return true;
        }
        long rss = residentBytes();
        if (rss < 0) return false;
        if (baseline < 0) {
            baseline = rss;
            return false;
        }
        if (rss - baseline <= MARGIN) return false;
        collect(now, true);
        return true;
    }

    /** How many collections {@link #relieve()} has asked for in this process. */
    public static synchronized long collections() {
        return collections;
    }

    private static void collect(long now, boolean settle) {
        collections++;
        lastGc = now;
        System.gc();
        if (!settle) {                                      // the timed rule: no waiting, the next call re-measures
            baseline = -1;
            return;
        }
        // ND4J's deallocator threads free the collected buffers after the GC; on a busy machine that takes a
        // while. Wait (up to 2 s) until the resident set stops shrinking, so the next baseline is a real floor.
        long last = residentBytes();
        for (int i = 0; i < 100; i++) {
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            long rss = residentBytes();
            if (rss >= last - (16L << 20)) break;           // shrank by less than 16 MiB in 20 ms: settled
            last = rss;
        }
        baseline = Math.max(0, residentBytes());
    }
}
