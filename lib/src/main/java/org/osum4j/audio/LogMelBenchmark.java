package org.osum4j.audio;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * A quick throughput measurement of the log-mel front end, the workload of {@code ./osum bench features}:
 * 60 s of 16 kHz audio as one utterance, no padding, output [80, 6000]; reports audio seconds per second.
 * Usage: {@code java ... org.osum4j.audio.LogMelBenchmark [threads] [seconds] [repeats] [reference|fast]}.
 * Not a JMH harness: warm-up and repeats are plain loops; it prints min / median / max.
 */
public final class LogMelBenchmark {

    /**
     * Result of one measurement: wall-clock seconds per call over the repeats (min / median / max) and the
     * mean process CPU seconds per call (all threads), which a loaded machine disturbs less.
     */
    public record Result(double audioSeconds, int threads, double min, double median, double max, double cpuPerCall) {

        /** Audio seconds processed per wall-clock second (from the median). */
        public double audioSecondsPerSecond() {
            return audioSeconds / median;
        }

        @Override
        public String toString() {
            return String.format("log-mel %.0f s audio, %d thread(s): median %.2f ms (min %.2f, max %.2f) = %.0f audio-s/s;"
                            + " CPU %.2f ms per call = %.0f audio-s per CPU-s",
                    audioSeconds, threads, median * 1e3, min * 1e3, max * 1e3, audioSecondsPerSecond(),
                    cpuPerCall * 1e3, audioSeconds / cpuPerCall);
        }
    }

    private LogMelBenchmark() {
    }

    /** A deterministic test signal: tones, a chirp and white noise at 16 kHz, [seconds · 16000]. */
    public static float[] testSignal(double seconds, long seed) {
        int n = (int) Math.round(seconds * LogMel.SAMPLE_RATE);
        SplittableRandom rnd = new SplittableRandom(seed);
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            double t = i / (double) LogMel.SAMPLE_RATE;
            double chirp = Math.sin(2 * Math.PI * (100 * t + 50 * t * t));
            x[i] = (float) (0.3 * Math.sin(2 * Math.PI * 440 * t) + 0.1 * chirp + 0.01 * (rnd.nextDouble() * 2 - 1));
        }
        return x;
    }

    /** Times {@code fe.compute} on {@code x}: warm-up calls, then repeats. */
    public static Result measure(LogMel fe, float[] x, int warmup, int repeats) {
        for (int i = 0; i < warmup; i++) fe.compute(x);
        double[] s = new double[repeats];
        long c0 = processCpuNanos();                  // coarse (10 ms ticks): averaged over all repeats
        for (int i = 0; i < repeats; i++) {
            long t0 = System.nanoTime();
            fe.compute(x);
            s[i] = (System.nanoTime() - t0) / 1e9;
        }
        double cpuPerCall = (processCpuNanos() - c0) / 1e9 / repeats;
        Arrays.sort(s);
        return new Result(x.length / (double) LogMel.SAMPLE_RATE, fe.threads(), s[0], s[repeats / 2], s[repeats - 1],
                cpuPerCall);
    }

    /** CPU time of the whole process (all threads) in ns, or 0 where the JVM cannot tell. */
    private static long processCpuNanos() {
        var os = java.lang.management.ManagementFactory.getOperatingSystemMXBean();
        return os instanceof com.sun.management.OperatingSystemMXBean sun ? sun.getProcessCpuTime() : 0L;
    }

    public static void main(String[] args) {
        int threads = args.length > 0 ? Integer.parseInt(args[0]) : Runtime.getRuntime().availableProcessors();
        double seconds = args.length > 1 ? Double.parseDouble(args[1]) : 60;
        int repeats = args.length > 2 ? Integer.parseInt(args[2]) : 50;
        LogMel.Path path = args.length > 3 ? LogMel.Path.valueOf(args[3].toUpperCase()) : LogMel.Path.FAST;
        LogMel fe = LogMel.of(80).withPath(path).withThreads(threads);
        System.out.println(measure(fe, testSignal(seconds, 1), Math.max(20, repeats / 2), repeats) + " [" + path + "]");
    }
}
