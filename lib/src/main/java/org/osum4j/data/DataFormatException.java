package org.osum4j.data;

import java.nio.file.Path;

/**
 * A data file that does not have the expected format; the message names the file, the line (or member)
 * and what was expected. Unchecked, so notebook cells need no try/catch.
 */
public final class DataFormatException extends RuntimeException {

    private final transient Path file;
    private final long line;

    public DataFormatException(Path file, long line, String problem) {
        super(file + (line > 0 ? ":" + line : "") + ": " + problem);
        this.file = file;
        this.line = line;
    }

    public DataFormatException(Path file, long line, String problem, Throwable cause) {
        this(file, line, problem);
        initCause(cause);
    }

    public Path file() {
        return file;
    }

    /** 1-based line number, or 0 when the problem is not tied to a line. */
    public long line() {
        return line;
    }
}
