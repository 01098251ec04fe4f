package org.osum4j.kernel;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;

/**
 * What {@code System.out} / {@code System.err} write to inside the kernel: bytes are collected and
 * handed, as text, to the running cell's publisher (a Jupyter {@code stream} message) by
 * {@link #drain()}, which the kernel calls every few tens of milliseconds while a cell runs (so
 * progress bars using {@code \r} update live) and before anything else is published. With no
 * target attached (between cells, at start-up) the text goes to the process's own stream.
 *
 * <p>Not a line buffer: text is sent as it comes, cut only at UTF-8 character boundaries.
 */
final class CellOutputStream extends OutputStream {

    /** Above this many buffered bytes, writes drain at once instead of waiting for the ticker. */
    private static final int MAX_BUFFERED_BYTES = 64 * 1024;

    private final PrintStream fallback;
    private final ByteArrayOutputStream buffer = new ByteArrayOutputStream();
    private volatile Consumer<String> target;

    /** @param fallback where text goes while no cell is attached */
    CellOutputStream(PrintStream fallback) {
        this.fallback = fallback;
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

    /** Publishes the buffered text up to the last complete UTF-8 character. */
    synchronized void drain() {
        if (buffer.size() == 0) {
            return;
        }
        byte[] bytes = buffer.toByteArray();
        int complete = completeUtf8Prefix(bytes);
        if (complete == 0) {
            return;
        }
        String text = new String(bytes, 0, complete, StandardCharsets.UTF_8);
        buffer.reset();
        buffer.write(bytes, complete, bytes.length - complete);
        Consumer<String> publisher = target;
        if (publisher == null) {
            fallback.print(text);
            fallback.flush();
        } else {
            publisher.accept(text);
        }
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
