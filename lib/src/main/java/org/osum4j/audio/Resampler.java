package org.osum4j.audio;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Band-limited sample-rate conversion between any two integer rates: a Kaiser-windowed sinc low-pass
 * evaluated as a rational polyphase filter (up by L, down by M, L/M = out/in in lowest terms).
 *
 * <p>Design, relative to the lower of the two rates f_lo (for 44.1 kHz → 16 kHz, f_lo = 16 kHz):
 * passband flat to {@link #PASSBAND_EDGE}·f_lo (7.2 kHz), stopband from {@link #STOPBAND_EDGE}·f_lo
 * (8 kHz, the Nyquist frequency, so nothing aliases), stopband attenuation {@link #STOPBAND_DB} dB by the
 * Kaiser formulas. The filter is linear-phase and centred, so output sample k sits at time k/out exactly
 * (no delay), like sox's {@code rate}. Input beyond both ends is taken as zeros. Not here: streaming
 * (the whole signal is processed at once), irrational ratios.
 */
public final class Resampler {

    /** Passband edge as a fraction of the lower rate (0.45 × 16 kHz = 7.2 kHz). */
    public static final double PASSBAND_EDGE = 0.45;
    /** Stopband edge as a fraction of the lower rate (0.5 = its Nyquist frequency: no aliasing). */
    public static final double STOPBAND_EDGE = 0.50;
    /** Design stopband attenuation in dB; ripple in the passband is about 10^(-A/20), far below 0.1 dB. */
    public static final double STOPBAND_DB = 100.0;
    /** The most filter coefficients (phases × taps) a converter may hold: 64 MiB of floats. */
    private static final long MAX_COEFFICIENTS = 1L << 24;

    private static final Map<Long, Resampler> CACHE = new ConcurrentHashMap<>();

    private final int inRate;       // Hz
    private final int outRate;      // Hz
    private final int up;           // L
    private final int down;         // M
    private final int reach;        // K: input samples each side of the output time that the kernel touches
    private final int taps;         // 2K coefficients per phase
    private final float[] kernel;   // [L][2K], phase p, tap j: h(p/L + K - 1 - j)

    private Resampler(int inRate, int outRate) {
        if (inRate <= 0 || outRate <= 0) {
            throw new IllegalArgumentException("sample rates must be > 0 Hz, got " + inRate + " → " + outRate);
        }
        this.inRate = inRate;
        this.outRate = outRate;
        int g = gcd(inRate, outRate);
        this.up = outRate / g;
        this.down = inRate / g;
        int lowRate = Math.min(inRate, outRate);

        // Kaiser design in units of the lower rate: transition width Δω (rad/sample), order N, shape β.
        double transition = 2 * Math.PI * (STOPBAND_EDGE - PASSBAND_EDGE);
        double order = (STOPBAND_DB - 7.95) / (2.285 * transition);
        double beta = 0.1102 * (STOPBAND_DB - 8.7);
        double halfWidthLow = order / 2;                                  // in lower-rate samples
        double inPerLow = inRate / (double) lowRate;                      // ≥ 1
        double halfWidth = halfWidthLow * inPerLow;                       // in input samples
        double cutoff = (PASSBAND_EDGE + STOPBAND_EDGE) / 2 / inPerLow;   // cycles per input sample
        this.reach = (int) Math.ceil(halfWidth);
        this.taps = 2 * reach;
        if ((long) up * taps > MAX_COEFFICIENTS) {
            throw new IllegalArgumentException("resampling " + inRate + " Hz → " + outRate + " Hz needs "
                    + up + " filter phases × " + taps + " taps, more than " + MAX_COEFFICIENTS
                    + " coefficients; resample through an intermediate rate");
        }
        this.kernel = new float[up * taps];
        double i0Beta = besselI0(beta);
        for (int p = 0; p < up; p++) {
            double[] h = new double[taps];
            double sum = 0;
            for (int j = 0; j < taps; j++) {
                double t = (double) p / up + reach - 1 - j;               // input samples from the output time
                double r = t / halfWidth;
                double w = Math.abs(r) >= 1 ? 0 : besselI0(beta * Math.sqrt(1 - r * r)) / i0Beta;
                h[j] = 2 * cutoff * sinc(2 * cutoff * t) * w;
                sum += h[j];
            }
            // Unit DC gain in every phase, so a constant signal stays constant (no phase-dependent ripple).
            for (int j = 0; j < taps; j++) kernel[p * taps + j] = (float) (h[j] / sum);
        }
    }

    /** The converter for {@code inRate} Hz → {@code outRate} Hz (filters are built once and cached). */
    public static Resampler of(int inRate, int outRate) {
        return CACHE.computeIfAbsent(((long) inRate << 32) | outRate, k -> new Resampler(inRate, outRate));
    }

    /** Convenience: {@code samples} at {@code inRate} → 16 kHz. */
    public static float[] to16k(float[] samples, int inRate) {
        return inRate == LogMel.SAMPLE_RATE ? samples.clone() : of(inRate, LogMel.SAMPLE_RATE).process(samples);
    }

    public int inRate() {
        return inRate;
    }

    public int outRate() {
        return outRate;
    }

    /** Coefficients per output sample (the filter length in input samples). */
    public int taps() {
        return taps;
    }

    /** Number of output samples for {@code n} input samples: ceil(n · out / in). */
    public long outputLength(long n) {
        return (n * up + down - 1) / down;
    }

    /** Resamples a whole signal: [n] at inRate → [ceil(n·out/in)] at outRate. */
    public float[] process(float[] x) {
        long outLen = outputLength(x.length);
        if (outLen > Integer.MAX_VALUE - 8) throw new IllegalArgumentException("output too long: " + outLen + " samples");
        float[] y = new float[(int) outLen];
        // xp[i] = x[i - K], zeros outside: every tap reads inside the array, no bounds tests in the loop.
        float[] xp = new float[x.length + 2 * reach];
        System.arraycopy(x, 0, xp, reach, x.length);
        long t = 0;                                   // k·M, the output time in units of 1/L input samples
        for (int k = 0; k < y.length; k++, t += down) {
            int n0 = (int) (t / up);                  // input sample at or before output time k
            int p = (int) (t - (long) n0 * up);       // phase
            int base = p * taps;
            int start = n0 + 1;                       // xp index of input sample n0 - K + 1
            // Four independent float partial sums keep the FPU pipelines busy (one chain is latency-bound).
            float a0 = 0, a1 = 0, a2 = 0, a3 = 0;
            int j = 0;
            for (; j + 3 < taps; j += 4) {
                a0 += xp[start + j] * kernel[base + j];
                a1 += xp[start + j + 1] * kernel[base + j + 1];
                a2 += xp[start + j + 2] * kernel[base + j + 2];
                a3 += xp[start + j + 3] * kernel[base + j + 3];
            }
            for (; j < taps; j++) a0 += xp[start + j] * kernel[base + j];
            y[k] = (a0 + a1) + (a2 + a3);
        }
        return y;
    }

    private static double sinc(double x) {
        if (x == 0) return 1;
        double px = Math.PI * x;
        return Math.sin(px) / px;
    }

    /** Modified Bessel function of the first kind, order 0, by its power series (converges for all x). */
    static double besselI0(double x) {
        double sum = 1, term = 1, q = x * x / 4;
        for (int k = 1; k < 500; k++) {
            term *= q / ((double) k * k);
            sum += term;
            if (term < sum * 1e-17) break;
        }
        return sum;
    }

    private static int gcd(int a, int b) {
        while (b != 0) {
            int r = a % b;
            a = b;
            b = r;
        }
        return a;
    }

    @Override
    public String toString() {
        return "Resampler[" + inRate + " Hz → " + outRate + " Hz, L/M = " + up + "/" + down + ", " + taps + " taps]";
    }
}
