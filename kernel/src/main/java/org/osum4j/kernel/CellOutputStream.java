package org.osum4j.kernel;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.function.Consumer;

/**
 * What {@code System.out} / {@code System.err} write to inside the kernel: bytes are collected and
 * handed, as text, to the running cell's publisher (a Jupyter {@code stream} message) by
 * {@link #drain()}, which the kernel calls every few tens of milliseconds while a cell runs (so
 * progress bars using {@code \r} update live) and before anything else is published. With no
 * target attached (between cells, at start-up) the text goes to the process's own stream.
 *
 * <p>Not a line buffer: text is sent as it comes, cut only at UTF-8 character boundaries; only a
 * line that may turn out to be dropped chatter waits for one more tick.
 */
final class CellOutputStream extends OutputStream {

    /** Above this many buffered bytes, writes drain at once instead of waiting for the ticker. */
    private static final int MAX_BUFFERED_BYTES = 64 * 1024;

    private final PrintStream fallback;
    private final List<String> dropPrefixes;
    private final ByteArrayOutputStream buffer = new ByteArrayOutputStream();
    private volatile Consumer<String> target;
    private String held = "";
    private String lastHeld = "";

    /**
     * @param fallback     where text goes while no cell is attached
     * @param dropPrefixes lines starting with one of these are not published (library chatter
     *                     printed with System.out, which no logger setting can silence)
     */
    CellOutputStream(PrintStream fallback, List<String> dropPrefixes) {
        this.fallback = fallback;
        this.dropPrefixes = List.copyOf(dropPrefixes);
    }

    /** Sends later text to {@code publisher}; null detaches (after draining what is buffered). */
    void attach(Consumer<String> publisher) {
        drain();
        target = publisher;
    }

    @Override
    public synchronized void write(int b) {
        buffer.write(b);
        if (buffer.size() > MAX_BUFFERED_BYTES) {
            drain();
        }
    }

    @Override
    public synchronized void write(byte[] bytes, int off, int len) {
        buffer.write(bytes, off, len);
        if (buffer.size() > MAX_BUFFERED_BYTES) {
            drain();
        }
    }

    /** A flush only marks the text as ready; the ticker or the next publish sends it. */
    @Override
    public void flush() {
        // intentionally empty: coalescing many println calls into one message keeps Jupyter fast
    }

    /** Publishes the buffered text up to the last complete UTF-8 character, minus dropped lines. */
    synchronized void drain() {
        String text = held;
        held = "";
        if (buffer.size() > 0) {
            byte[] bytes = buffer.toByteArray();
            int complete = completeUtf8Prefix(bytes);
            text += new String(bytes, 0, complete, StandardCharsets.UTF_8);
            buffer.reset();
            buffer.write(bytes, complete, bytes.length - complete);
        }
        boolean grew = !text.equals(lastHeld);
        lastHeld = "";
        text = dropLines(text, grew);
        if (text.isEmpty()) {
            return;
        }
        Consumer<String> publisher = target;
        if (publisher == null) {
            fallback.print(text);
            fallback.flush();
        } else {
            publisher.accept(text);
        }
    }

    /**
     * Removes whole lines that start with a dropped prefix. A trailing partial line that may still
     * become such a line is held back for one more drain (at most one tick), unless it stopped growing.
     */
    private String dropLines(String text, boolean grew) {
        if (dropPrefixes.isEmpty() || text.isEmpty()) {
            return text;
        }
        StringBuilder kept = new StringBuilder(text.length());
        int from = 0;
        while (from < text.length()) {
            int newline = text.indexOf('\n', from);
            String line = newline < 0 ? text.substring(from) : text.substring(from, newline + 1);
            from += line.length();
            boolean dropped = dropPrefixes.stream().anyMatch(line::startsWith);
            if (newline < 0 && grew && dropPrefixes.stream().anyMatch(p -> p.startsWith(line) || line.startsWith(p))) {
                held = line;
                lastHeld = line;
            } else if (!dropped || newline < 0 && !grew) {
                kept.append(line);
            }
        }
        return kept.toString();
    }

    /** Length of the longest prefix of {@code bytes} that does not end inside a UTF-8 sequence. */
    static int completeUtf8Prefix(byte[] bytes) {
        int n = bytes.length;
        // Look back at most 3 bytes for the lead byte of the last sequence.
        for (int back = 1; back <= Math.min(4, n); back++) {
            int b = bytes[n - back] & 0xFF;
            if ((b & 0xC0) == 0x80) {
                continue; // continuation byte
            }
            int length = b < 0x80 ? 1 : (b & 0xE0) == 0xC0 ? 2 : (b & 0xF0) == 0xE0 ? 3 : (b & 0xF8) == 0xF0 ? 4 : 1;
            return back >= length ? n : n - back;
        }
        return n; // malformed: let the decoder replace it
    }
}
