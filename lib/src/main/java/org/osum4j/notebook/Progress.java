package org.osum4j.notebook;

import java.io.PrintStream;
import java.time.Duration;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.UUID;
import java.util.function.LongSupplier;

/**
 * A progress bar for long loops: done/total, percent, rate, elapsed, ETA and live metrics
 * ({@code loss=1.23}). In a notebook it is one HTML output updated in place; in a terminal one line
 * on stderr redrawn with carriage returns. Either way redraws are throttled (at most one per
 * {@link #DEFAULT_MIN_INTERVAL}, plus the final one), so a million {@code step()} calls stay cheap.
 *
 * <pre>{@code
 * try (Progress p = Progress.start("train", steps)) {
 *     for (int i = 0; i < steps; i++) { ...; p.metric("loss", loss); p.step(1); }
 * }
 * }</pre>
 *
 * The clock, the sink and the terminal stream are injectable ({@link #builder}) so tests are exact.
 */
public final class Progress implements AutoCloseable, Rich {

    /** Minimum time between two redraws: four per second reads as live without flooding the front end. */
    public static final Duration DEFAULT_MIN_INTERVAL = Duration.ofMillis(250);
    /** Characters of the terminal bar. */
    private static final int TEXT_BAR_WIDTH = 24;
    private static final double NANOS_PER_SECOND = 1e9;

    private final String label;
    private final long total;             // <= 0: unknown
    private final LongSupplier nanoClock;
    private final long minIntervalNanos;
    private final DisplaySink sink;       // injected sink, or null: go through Display (the kernel's sink)
    private final PrintStream terminal;   // used otherwise
    private final long startNanos;
    private final Map<String, Double> metrics = new LinkedHashMap<>();
    private final String displayId;

    private long done;
    private long lastRenderNanos;
    private long endNanos = -1;
    private int lastLineLength;
    private boolean closed;

    private Progress(Builder b) {
        this.label = b.label;
        this.total = b.total;
        this.nanoClock = b.nanoClock;
        this.minIntervalNanos = b.minInterval.toNanos();
        this.sink = b.sink;
        this.terminal = b.terminal;
        this.startNanos = nanoClock.getAsLong();
        this.lastRenderNanos = startNanos;
        if (sink == null && Display.inNotebook()) {
            this.displayId = Display.showUpdatable(snapshot());
        } else if (sink != null && sink.supportsUpdates()) {
            this.displayId = UUID.randomUUID().toString();
            sink.display(snapshot(), displayId);
        } else {
            this.displayId = null;
            drawLine();
        }
    }

    /** Starts a progress display for {@code total} items (0 or less: unknown total) with the default clock and sink. */
    public static Progress start(String label, long total) {
        return builder(label, total).start();
    }

    /** A configurable start: clock, sink, terminal stream, redraw interval. */
    public static Builder builder(String label, long total) {
        return new Builder(label, total);
    }

    /**
     * Iterates {@code items} while showing progress; the display closes when the iteration ends. The
     * total is known for collections, unknown otherwise. Breaking out early leaves the bar unfinished.
     */
    public static <T> Iterable<T> wrap(Iterable<T> items, String label) {
        Objects.requireNonNull(items, "items");
        long total = items instanceof java.util.Collection<?> c ? c.size() : 0;
        return () -> new Iterator<>() {
            private final Iterator<T> inner = items.iterator();
            private final Progress progress = Progress.start(label, total);
            private boolean started;

            @Override
            public boolean hasNext() {
                boolean more = inner.hasNext();
                if (!more) {
                    if (started) {
                        progress.step(1);
                        started = false;
                    }
                    progress.close();
                }
                return more;
            }

            @Override
            public T next() {
                if (!inner.hasNext()) {
                    throw new NoSuchElementException();
                }
                // An item counts as done when the loop asks for the next one.
                if (started) {
                    progress.step(1);
                }
                started = true;
                return inner.next();
            }
        };
    }

    /** Marks {@code n} more items done. */
    public synchronized Progress step(long n) {
        if (n < 0) {
            throw new IllegalArgumentException("progress '" + label + "': step must be >= 0, got " + n);
        }
        done += n;
        maybeRender();
        return this;
    }

    /** Marks one more item done. */
    public Progress step() {
        return step(1);
    }

    /** Sets the number of items done. */
    public synchronized Progress set(long doneSoFar) {
        if (doneSoFar < 0) {
            throw new IllegalArgumentException("progress '" + label + "': done must be >= 0, got " + doneSoFar);
        }
        done = doneSoFar;
        maybeRender();
        return this;
    }

    /** Shows {@code name=value} beside the bar (latest value wins), e.g. the running loss. */
    public synchronized Progress metric(String name, double value) {
        metrics.put(Objects.requireNonNull(name, "metric name"), value);
        maybeRender();
        return this;
    }

    /** Items done so far. */
    public synchronized long done() {
        return done;
    }

    public long total() {
        return total;
    }

    /** Fraction done in [0, 1], or NaN when the total is unknown. */
    public synchronized double fraction() {
        return total > 0 ? Math.min(1.0, (double) done / total) : Double.NaN;
    }

    /** Time since start (frozen at close). */
    public synchronized Duration elapsed() {
        return Duration.ofNanos(now() - startNanos);
    }

    /** Items per second since start; 0 before any time has passed. */
    public synchronized double rate() {
        long nanos = now() - startNanos;
        return nanos > 0 ? done * NANOS_PER_SECOND / nanos : 0.0;
    }

    /** Estimated time left at the average rate so far; null when unknown (no total or no progress yet). */
    public synchronized Duration eta() {
        double rate = rate();
        if (total <= 0 || rate <= 0) {
            return null;
        }
        double left = Math.max(0, total - done) / rate;
        return Duration.ofNanos((long) (left * NANOS_PER_SECOND));
    }

    /** Ends the display with a final redraw (and a newline in a terminal). Idempotent. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        endNanos = nanoClock.getAsLong();
        closed = true;
        render();
        if (displayId == null) {
            terminal.println();
            terminal.flush();
        }
    }

    /** One-line text form, e.g. {@code train  45% |##########          | 450/1000 [00:09<00:11, 50.0 it/s] loss=1.23}. */
    public synchronized String line() {
        StringBuilder s = new StringBuilder(label);
        double fraction = fraction();
        if (!Double.isNaN(fraction)) {
            int filled = (int) Math.round(fraction * TEXT_BAR_WIDTH);
            s.append(String.format(Locale.ROOT, " %3d%% |", (int) Math.floor(fraction * 100)))
                    .append("#".repeat(filled)).append(" ".repeat(TEXT_BAR_WIDTH - filled)).append('|')
                    .append(' ').append(done).append('/').append(total);
        } else {
            s.append(' ').append(done);
        }
        s.append(" [").append(clock(elapsed()));
        Duration eta = eta();
        if (!closed && eta != null) {
            s.append('<').append(clock(eta));
        }
        s.append(", ").append(rateText()).append(']');
        metrics.forEach((k, v) -> s.append(' ').append(k).append('=').append(Html.number(v)));
        return s.toString();
    }

    /** The current state as HTML: a bar, the numbers and the metrics. */
    public synchronized String html() {
        double fraction = fraction();
        StringBuilder s = new StringBuilder("<div class=\"osum-progress\" style=\"font-family:monospace;font-size:12px\">");
        s.append("<span style=\"font-weight:bold\">").append(Html.escape(label)).append("</span> ");
        if (!Double.isNaN(fraction)) {
            s.append(String.format(Locale.ROOT, "<progress value=\"%d\" max=\"%d\" style=\"width:240px;vertical-align:middle\"></progress> %d%% ",
                    done, total, (int) Math.floor(fraction * 100)));
            s.append(done).append('/').append(total);
        } else {
            s.append(done);
        }
        s.append(" [").append(clock(elapsed()));
        Duration eta = eta();
        if (!closed && eta != null) {
            s.append(" &lt; ").append(clock(eta));
        }
        s.append(", ").append(rateText()).append(']');
        metrics.forEach((k, v) -> s.append(" <span style=\"color:#555\">").append(Html.escape(k)).append("</span>=")
                .append(Html.number(v)));
        s.append("</div>");
        return s.toString();
    }

    @Override
    public synchronized Map<String, String> mimeBundle() {
        Map<String, String> bundle = new LinkedHashMap<>();
        bundle.put("text/html", html());
        bundle.put("text/plain", line());
        return bundle;
    }

    @Override
    public String toString() {
        return line();
    }

    private void maybeRender() {
        if (closed) {
            return;
        }
        long now = nanoClock.getAsLong();
        if (now - lastRenderNanos >= minIntervalNanos) {
            lastRenderNanos = now;
            render();
        }
    }

    private void render() {
        if (displayId == null) {
            drawLine();
        } else if (sink == null) {
            Display.update(displayId, snapshot());
        } else {
            sink.update(displayId, snapshot());
        }
    }

    /** A frozen copy of the current bundle: the sink may render it later, on another thread. */
    private Rich snapshot() {
        Map<String, String> ordered = mimeBundle(); // a fresh map, never changed afterwards
        String text = ordered.get("text/plain");
        return new Rich() {
            @Override public Map<String, String> mimeBundle() { return ordered; }
            @Override public String toString() { return text; }
        };
    }

    private void drawLine() {
        String line = line();
        int pad = Math.max(0, lastLineLength - line.length());
        terminal.print("\r" + line + " ".repeat(pad));
        terminal.flush();
        lastLineLength = line.length();
    }

    private long now() {
        return closed ? endNanos : nanoClock.getAsLong();
    }

    private String rateText() {
        double rate = rate();
        if (rate > 0 && rate < 1) {
            return String.format(Locale.ROOT, "%.2f s/it", 1 / rate);
        }
        return String.format(Locale.ROOT, rate >= 100 ? "%.0f it/s" : "%.2f it/s", rate);
    }

    /** mm:ss, or h:mm:ss from one hour on. */
    static String clock(Duration d) {
        long seconds = d.toSeconds();
        long h = seconds / 3600;
        long m = (seconds % 3600) / 60;
        long s = seconds % 60;
        return h > 0 ? String.format(Locale.ROOT, "%d:%02d:%02d", h, m, s) : String.format(Locale.ROOT, "%02d:%02d", m, s);
    }

    /** Options for {@link Progress}; {@link #start()} shows the bar. */
    public static final class Builder {
        private final String label;
        private final long total;
        private LongSupplier nanoClock = System::nanoTime;
        private Duration minInterval = DEFAULT_MIN_INTERVAL;
        private DisplaySink sink;
        private PrintStream terminal = System.err;

        private Builder(String label, long total) {
            this.label = label == null ? "" : label;
            this.total = total;
        }

        /** Monotonic time source in nanoseconds (default {@link System#nanoTime()}). */
        public Builder clock(LongSupplier nanos) {
            this.nanoClock = Objects.requireNonNull(nanos, "clock");
            return this;
        }

        /** Minimum time between redraws (default {@link #DEFAULT_MIN_INTERVAL}). */
        public Builder minInterval(Duration interval) {
            if (interval.isNegative()) {
                throw new IllegalArgumentException("minInterval must not be negative, got " + interval);
            }
            this.minInterval = interval;
            return this;
        }

        /** Where notebook output goes (default: through {@link Display}); a sink without updates means terminal mode. */
        public Builder sink(DisplaySink displaySink) {
            this.sink = displaySink;
            return this;
        }

        /** The stream for the terminal bar (default {@code System.err}). */
        public Builder terminal(PrintStream stream) {
            this.terminal = Objects.requireNonNull(stream, "terminal");
            return this;
        }

        public Progress start() {
            return new Progress(this);
        }
    }
}
