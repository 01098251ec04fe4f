package org.osum4j.golden;

/**
 * One row of a parity table: a tensor (or scalar) of a golden fixture compared with ours.
 *
 * @param fixture       fixture folder name, e.g. {@code whisper_fe_80}
 * @param tensor        tensor name in {@code io.safetensors}, or a description of a derived check
 * @param maxAbsDiff    largest |ours − reference| over the compared elements (NaN when not computed)
 * @param tolerance     the allowed maximum
 * @param firstMismatch index and values of the first element over tolerance, or "" when OK
 * @param ok            whether the check passed
 */
public record Check(String fixture, String tensor, double maxAbsDiff, double tolerance, String firstMismatch, boolean ok) {

    /** A check that could not be run (missing tensor, exception): always NOT OK. */
    public static Check failed(String fixture, String tensor, String why) {
        return new Check(fixture, tensor, Double.NaN, Double.NaN, why, false);
    }

    /** One table line: name, max abs diff, tolerance, OK / NOT OK (+ first mismatch). */
    public String line() {
        return String.format("%-20s %-48s %11.3e %11.3e  %s%s", fixture, tensor, maxAbsDiff, tolerance,
                ok ? "OK" : "NOT OK", firstMismatch.isEmpty() ? "" : "  " + firstMismatch);
    }
}
