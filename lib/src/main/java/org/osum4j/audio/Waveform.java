package org.osum4j.audio;

import java.util.Arrays;

/**
 * A mono waveform: float samples (nominally in [-1, 1]), the sample rate in Hz and where it came from.
 * This is what every decoder returns and what {@link Resampler} and {@link LogMel} consume.
 * Immutable by convention: {@link #samples()} returns the array itself for speed; do not modify it.
 *
 * @param samples    the samples, [n]
 * @param sampleRate samples per second (Hz), > 0
 * @param source     file name or description, used in error messages
 */
public record Waveform(float[] samples, int sampleRate, String source) {

    public Waveform {
        if (samples == null) throw new IllegalArgumentException(source + ": samples are null");
        if (sampleRate <= 0) {
            throw new IllegalArgumentException(source + ": sample rate must be > 0 Hz, got " + sampleRate);
        }
        if (source == null) source = "(waveform)";
    }

    /** Number of samples. */
    public int length() {
        return samples.length;
    }

    /** Duration in seconds. */
    public double seconds() {
        return samples.length / (double) sampleRate;
    }

    /**
     * The part between {@code startSeconds} and {@code endSeconds}. Sample indices are truncated toward zero
     * ({@code (int) (t * sampleRate)}), like OSUM's raw-list loader; an end past the last sample is clamped.
     * Use {@link Double#POSITIVE_INFINITY} as the end for "to the end".
     */
    public Waveform crop(double startSeconds, double endSeconds) {
        if (!(startSeconds >= 0) || !(endSeconds > startSeconds)) {
            throw new IllegalArgumentException(source + ": crop needs 0 <= start < end, got start "
                    + startSeconds + " s, end " + endSeconds + " s");
        }
        long from = (long) (startSeconds * sampleRate);
        long to = Math.min(samples.length, endSeconds == Double.POSITIVE_INFINITY
                ? samples.length : (long) (endSeconds * sampleRate));
        if (from >= samples.length || to <= from) {
            throw new IllegalArgumentException(source + ": crop [" + startSeconds + " s, " + endSeconds
                    + " s) is empty; the audio lasts " + seconds() + " s (" + samples.length + " samples at "
                    + sampleRate + " Hz)");
        }
        return new Waveform(Arrays.copyOfRange(samples, (int) from, (int) to), sampleRate,
                source + "[" + startSeconds + "s-" + endSeconds + "s]");
    }

    /** This waveform at another sample rate (band-limited, see {@link Resampler}); itself when equal. */
    public Waveform resampled(int targetRate) {
        if (targetRate == sampleRate) return this;
        return new Waveform(Resampler.of(sampleRate, targetRate).process(samples), targetRate, source);
    }

    @Override
    public String toString() {
        return "Waveform[" + source + ", " + samples.length + " samples, " + sampleRate + " Hz, "
                + String.format("%.3f s]", seconds());
    }
}
