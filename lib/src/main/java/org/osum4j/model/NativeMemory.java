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
 * step, asks for a collection when the process's resident set has grown by more than a margin since the last
 * one, and so costs nothing while memory is fine.
 *
 * <p>The margin is {@code -Dosum.native.margin=BYTES} (default: a fifth of physical memory, at most 4 GiB).
 */
public final class NativeMemory {

    private static final long PAGE = 4096;
    private static final long MARGIN = Long.getLong("osum.native.margin", defaultMargin());
    private static long baseline = -1;                      // resident bytes right after the last relieve-GC

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
     * the margin since the last collection made here. Returns whether it collected.
     */
    public static synchronized boolean relieve() {
        long rss = residentBytes();
        if (rss < 0) return false;
        if (baseline < 0) {
            baseline = rss;
            return false;
        }
        if (rss - baseline <= MARGIN) return false;
        System.gc();
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
            long now = residentBytes();
            if (now >= last - (16L << 20)) break;           // shrank by less than 16 MiB in 20 ms: settled
            last = now;
        }
        baseline = Math.max(0, residentBytes());
        return true;
    }
}
