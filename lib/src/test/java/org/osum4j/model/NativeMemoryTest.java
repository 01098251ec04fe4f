package org.osum4j.model;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A loop of large ND4J temporaries (the shape of a training step) keeps a bounded resident set when it calls
 * {@link NativeMemory#relieve()} each iteration. Runs in a child JVM with a large heap (so heap pressure never
 * triggers a collection by itself) and a 500 MB margin.
 */
class NativeMemoryTest {

    @Test
    void relieve_boundsResidentMemoryOfALoopOfLargeTemporaries() throws Exception {
        List<String> cmd = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx4g", "-Dosum.native.margin=500000000", "-cp", System.getProperty("java.class.path"),
                Child.class.getName());
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(300, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), out);
        long peak = Long.parseLong(out.replaceAll("(?s).*peak=(\\d+).*", "$1"));
        // 40 iterations × 200 MB of temporaries = 8 GB if nothing were freed.
        assertTrue(peak < 4_000_000_000L, "peak resident " + peak / 1_000_000 + " MB\n" + out);
        assertTrue(out.contains("collections="), out);
    }

    public static final class Child {
        public static void main(String[] args) {
            long peak = 0;
            int collections = 0;
            for (int i = 0; i < 40; i++) {
                var x = org.nd4j.linalg.factory.Nd4j.rand(5_000, 5_000);          // 100 MB
                var y = x.mul(2).addi(1);                                          // another 100 MB
                if (y.getFloat(0) > 1e9) System.out.println("impossible");
                if (NativeMemory.relieve()) collections++;
                peak = Math.max(peak, NativeMemory.residentBytes());
            }
            System.out.println("peak=" + peak + " collections=" + collections);
        }
    }
}
