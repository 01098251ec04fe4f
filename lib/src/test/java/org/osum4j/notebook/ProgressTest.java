package org.osum4j.notebook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ProgressTest {

    /** A fake notebook: records every display and update. */
    private static final class RecordingSink implements DisplaySink {
        final List<String> displayed = new ArrayList<>();
        final List<String> updates = new ArrayList<>();
        String id;

        @Override public void display(Object value, String displayId) {
            id = displayId;
            displayed.add(Display.bundle(value).get("text/plain"));
        }

        @Override public void update(String displayId, Object value) {
            assertEquals(id, displayId, "update for an id never displayed");
            updates.add(Display.bundle(value).get("text/html"));
        }

        @Override public boolean supportsUpdates() { return true; }
    }

    /** A clock the test moves by hand. */
    private static final class FakeClock implements java.util.function.LongSupplier {
        long nanos = 1_000_000_000L;
        @Override public long getAsLong() { return nanos; }
        void advance(Duration d) { nanos += d.toNanos(); }
    }

    @Test
    void rateAndEta_fromInjectedClock() {
        FakeClock clock = new FakeClock();
        Progress p = Progress.builder("work", 1000).clock(clock).sink(new RecordingSink()).start();
        clock.advance(Duration.ofSeconds(2));
        p.set(500);
        assertEquals(250.0, p.rate(), 1e-9);
        assertEquals(Duration.ofSeconds(2), p.eta());
        assertEquals(Duration.ofSeconds(2), p.elapsed());
        assertEquals(0.5, p.fraction(), 1e-12);
        assertTrue(p.line().contains(" 50% "), p.line());
        assertTrue(p.line().contains("500/1000 [00:02<00:02, 250 it/s]"), p.line());
    }

    @Test
    void notebook_tenThousandStepsInOneSecond_throttledToAFewUpdates() {
        FakeClock clock = new FakeClock();
        RecordingSink sink = new RecordingSink();
        try (Progress p = Progress.builder("train", 10_000).clock(clock).sink(sink).start()) {
            for (int i = 0; i < 10_000; i++) {
                clock.advance(Duration.ofNanos(100_000)); // 100 µs per step: 1 s in all
                p.metric("seen", i + 1);
                p.step(1);
            }
        }
        assertEquals(1, sink.displayed.size());
        assertTrue(sink.updates.size() >= 2 && sink.updates.size() <= 5, "updates: " + sink.updates.size());
        String last = sink.updates.get(sink.updates.size() - 1);
        assertTrue(last.contains("100%") && last.contains("10000/10000"), last);
        assertTrue(last.contains("seen</span>=10000"), last);
    }

    @Test
    void terminal_drawsOneLineWithCarriageReturnsAndEndsWithNewline() {
        FakeClock clock = new FakeClock();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        DisplaySink plain = new DisplaySink() {
            @Override public void display(Object value, String displayId) { throw new AssertionError("no display in a terminal"); }
            @Override public void update(String displayId, Object value) { throw new AssertionError(); }
            @Override public boolean supportsUpdates() { return false; }
        };
        try (Progress p = Progress.builder("eval", 100).clock(clock).sink(plain)
                .terminal(new PrintStream(err, true, StandardCharsets.UTF_8)).start()) {
            for (int i = 0; i < 100; i++) {
                clock.advance(Duration.ofMillis(10));
                p.step();
            }
        }
        String out = err.toString(StandardCharsets.UTF_8);
        assertEquals(1, out.chars().filter(c -> c == '\n').count(), out);
        assertTrue(out.endsWith("\n"));
        long redraws = out.chars().filter(c -> c == '\r').count();
        assertTrue(redraws >= 3 && redraws <= 7, "redraws " + redraws); // start + every 250 ms of 1 s + final
        assertTrue(out.contains("100% |########################| 100/100 [00:01, 100 it/s]"), out);
    }

    @Test
    void unknownTotal_showsCountAndRateButNoEta() {
        FakeClock clock = new FakeClock();
        Progress p = Progress.builder("stream", 0).clock(clock).sink(new RecordingSink()).start();
        clock.advance(Duration.ofSeconds(4));
        p.step(2);
        assertNull(p.eta());
        assertTrue(Double.isNaN(p.fraction()));
        assertTrue(p.line().startsWith("stream 2 [00:04, 2.00 s/it]"), p.line());
    }

    @Test
    void wrap_countsEveryItemAndCloses() {
        RecordingSink sink = new RecordingSink();
        DisplaySink before = Display.sink();
        Display.install(sink);
        try {
            int sum = 0;
            for (int x : Progress.wrap(List.of(1, 2, 3, 4), "items")) {
                sum += x;
            }
            assertEquals(10, sum);
        } finally {
            Display.install(before);
        }
        String last = sink.updates.get(sink.updates.size() - 1);
        assertTrue(last.contains("4/4"), last);
    }
}
