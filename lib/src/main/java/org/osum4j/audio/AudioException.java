package org.osum4j.audio;

import java.io.IOException;

/**
 * Audio that cannot be used: a truncated or unknown container, an unsupported encoding, no samples,
 * or non-finite samples. The message always names the source (file) and the problem.
 * Plain I/O failures (file missing, permission) stay ordinary {@link IOException}s.
 */
public final class AudioException extends IOException {

    private final String source;

    public AudioException(String source, String problem) {
        super(source + ": " + problem);
        this.source = source;
    }

    public AudioException(String source, String problem, Throwable cause) {
        super(source + ": " + problem, cause);
        this.source = source;
    }

    /** The file (or stream name) the bad audio came from. */
    public String source() {
        return source;
    }
}
