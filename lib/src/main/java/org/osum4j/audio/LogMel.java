package org.osum4j.audio;

import org.jtransforms.fft.DoubleFFT_1D;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.IntStream;

/**
 * The Whisper / OSUM log-mel front end, number for number as Hugging Face's {@code WhisperFeatureExtractor}
 * (torch path) and OSUM's {@code compute_log_mel_spectrogram}:
 * reflect-padded centred STFT (periodic Hann, 400 samples, hop 160) → drop the last frame → |X|² →
 * Slaney mel filters → log10(max(mel, 1e-10)) → max(x, x.max() − 8) per utterance → (x + 4) / 4.
 *
 * <p>Two modes: {@link #compute} (OSUM: no padding, n_samples // 160 frames) and {@link #computePadded}
 * (Whisper: zero-pad or truncate to 30 s = 3000 frames, plus the frame attention mask for batches).
 * Two paths with one definition of the math: {@link Path#REFERENCE} (JTransforms FFT per frame, dense
 * filters, library log10, one thread) and {@link Path#FAST} ({@link BatchedPowerSpectrum}: 16 frames per
 * batched FFT, filters over their nonzero bins only, table log10, all-zero frames skipped, several threads);
 * the tests hold them equal and both against the golden fixtures. Both STFTs run in float64.
 * Not here: resampling (see {@link Resampler}), augmentation ({@link SpecAugment}).
 */
public final class LogMel {

    /** Input sample rate the front end assumes (Hz). */
    public static final int SAMPLE_RATE = 16000;
    /** FFT size and window length: 400 samples = 25 ms. */
    public static final int N_FFT = 400;
    /** Hop between frames: 160 samples = 10 ms (100 frames per second). */
    public static final int HOP_LENGTH = 160;
    /** Whisper's chunk: 30 s. */
    public static final int CHUNK_SECONDS = 30;
    /** Samples in a chunk: 30 s × 16 kHz = 480,000. */
    public static final int N_SAMPLES = CHUNK_SECONDS * SAMPLE_RATE;
    /** Frames in a chunk: 480,000 / 160 = 3000 (the last STFT frame is dropped). */
    public static final int N_FRAMES = N_SAMPLES / HOP_LENGTH;
    /** One-sided spectrum bins: 400 / 2 + 1 = 201 (0 … 8 kHz in 40 Hz steps). */
    public static final int N_FREQS = N_FFT / 2 + 1;
    /** Floor before the log: mel power below 1e-10 counts as 1e-10 (log10 = −10). */
    public static final double MEL_FLOOR = 1e-10;
    /** Dynamic range kept below the utterance's maximum, in log10 units (8 = 80 dB). */
    public static final double DYNAMIC_RANGE = 8.0;
    /** Normalisation (x + 4) / 4: shift and scale in log10 units. */
    public static final double NORM_SHIFT = 4.0;
    public static final double NORM_SCALE = 4.0;

    /** Which implementation computes the features (same math; see the class comment). */
    public enum Path { REFERENCE, FAST }

    /** Frames per worker below which threads cost more than they save. */
    private static final int MIN_FRAMES_PER_THREAD = 256;
    private static final int PAD = N_FFT / 2;   // centre=True: 200 samples reflected at each end

    /** Periodic Hann window, [N_FFT]: w[n] = 0.5 − 0.5·cos(2πn / N_FFT). */
    private static final double[] WINDOW = new double[N_FFT];

    static {
        for (int n = 0; n < N_FFT; n++) WINDOW[n] = 0.5 - 0.5 * Math.cos(2 * Math.PI * n / N_FFT);
    }

    private static final Map<Integer, LogMel> CACHE = new ConcurrentHashMap<>();

    private final int nMels;
    private final double[] filters;      // [N_FREQS][nMels] row-major, HF's fe.mel_filters (float64)
    private final int[] bandStart;       // [nMels] first nonzero frequency bin of each filter
    private final double[][] bandWeights; // [nMels][width] the filter's nonzero weights from bandStart on
    private final Path path;
    private final int threads;

    private LogMel(int nMels, double[] filters, int[] bandStart, double[][] bandWeights, Path path, int threads) {
        this.nMels = nMels;
        this.filters = filters;
        this.bandStart = bandStart;
        this.bandWeights = bandWeights;
        this.path = path;
        this.threads = threads;
    }

    /** The front end with {@code nMels} bins (80 for OSUM), fast path, all available processors. */
    public static LogMel of(int nMels) {
        if (nMels <= 0) throw new IllegalArgumentException("n_mels must be > 0, got " + nMels);
        return CACHE.computeIfAbsent(nMels, LogMel::build);
    }

    private static LogMel build(int nMels) {
        double[] f = slaneyMelFilters(nMels);
        int[] start = new int[nMels];
        double[][] weights = new double[nMels][];
        for (int m = 0; m < nMels; m++) {
            int lo = 0, hi = -1;
            for (int k = 0; k < N_FREQS; k++) {
                if (f[k * nMels + m] != 0) {
                    if (hi < 0) lo = k;
                    hi = k;
                }
            }
            start[m] = lo;
            weights[m] = new double[Math.max(0, hi - lo + 1)];
            for (int k = lo; k <= hi; k++) weights[m][k - lo] = f[k * nMels + m];
        }
        return new LogMel(nMels, f, start, weights, Path.FAST, Runtime.getRuntime().availableProcessors());
    }

    /** The same front end computed by another path. */
    public LogMel withPath(Path p) {
        return new LogMel(nMels, filters, bandStart, bandWeights, p, threads);
    }

    /** The same front end with at most {@code n} worker threads (fast path only; 1 = the calling thread). */
    public LogMel withThreads(int n) {
        if (n < 1) throw new IllegalArgumentException("threads must be >= 1, got " + n);
        return new LogMel(nMels, filters, bandStart, bandWeights, path, n);
    }

    public int nMels() {
        return nMels;
    }

    public Path path() {
        return path;
    }

    public int threads() {
        return threads;
    }

    // ---------------------------------------------------------------------------------------------------
    // Mel filters (Slaney scale, Slaney norm), float64, in the order numpy / HF compute them.

    /** Hz → mel, Slaney: linear 3f/200 below 1 kHz, logarithmic above (27 mels per factor 6.4). */
    static double hzToMel(double hz) {
        double mel = 3.0 * hz / 200.0;
        if (hz >= 1000.0) mel = 15.0 + Math.log(hz / 1000.0) * (27.0 / Math.log(6.4));
        return mel;
    }

    /** mel → Hz, the inverse of {@link #hzToMel}. */
    static double melToHz(double mel) {
        double hz = 200.0 * mel / 3.0;
        if (mel >= 15.0) hz = 1000.0 * Math.exp(Math.log(6.4) / 27.0 * (mel - 15.0));
        return hz;
    }

    /**
     * HF's {@code mel_filter_bank(201, nMels, 0, 8000, 16000, norm="slaney", mel_scale="slaney")}:
     * [N_FREQS][nMels] row-major. Triangles in Hz between nMels + 2 points evenly spaced in mel, each
     * scaled by 2 / (right edge − left edge) so that every filter has the same area.
     */
    static double[] slaneyMelFilters(int nMels) {
        double nyquist = SAMPLE_RATE / 2.0;
        double[] fftFreqs = linspace(0, SAMPLE_RATE / 2, N_FREQS);                 // [201] Hz
        double[] melPts = linspace(hzToMel(0), hzToMel(nyquist), nMels + 2);        // [nMels + 2] mel
        double[] hz = new double[nMels + 2];                                       // filter corners, Hz
        for (int i = 0; i < hz.length; i++) hz[i] = melToHz(melPts[i]);
        double[] out = new double[N_FREQS * nMels];
        for (int k = 0; k < N_FREQS; k++) {
            for (int m = 0; m < nMels; m++) {
                double down = -(hz[m] - fftFreqs[k]) / (hz[m + 1] - hz[m]);        // rising edge
                double up = (hz[m + 2] - fftFreqs[k]) / (hz[m + 2] - hz[m + 1]);    // falling edge
                double tri = Math.max(0.0, Math.min(down, up));
                out[k * nMels + m] = tri * (2.0 / (hz[m + 2] - hz[m]));
            }
        }
        return out;
    }

    /** numpy.linspace(start, stop, num) with endpoint: start + i·step, the last point exactly stop. */
    private static double[] linspace(double start, double stop, int num) {
        double[] y = new double[num];
        double step = (stop - start) / (num - 1);
        for (int i = 0; i < num; i++) y[i] = i * step + start;
        y[num - 1] = stop;
        return y;
    }

    /** HF's {@code fe.mel_filters}: [N_FREQS][nMels] (a copy). */
    public double[][] melFilters() {
        double[][] out = new double[N_FREQS][nMels];
        for (int k = 0; k < N_FREQS; k++) System.arraycopy(filters, k * nMels, out[k], 0, nMels);
        return out;
    }

    // ---------------------------------------------------------------------------------------------------
    // Features.

    /** OSUM mode: no padding; n_samples // 160 frames. The waveform must be at 16 kHz. */
    public LogMelFeatures compute(Waveform w) {
        requireRate(w);
        return compute(w.samples());
    }

    /** OSUM mode on raw 16 kHz samples: [n] → [nMels][n // 160]. Needs more than 200 samples (reflect pad). */
    public LogMelFeatures compute(float[] samples) {
        if (samples.length <= PAD) {
            throw new IllegalArgumentException("log-mel needs more than " + PAD + " samples ("
                    + PAD * 1000 / SAMPLE_RATE + " ms at 16 kHz) for the reflect padding, got " + samples.length);
        }
        return features(samples);
    }

    /** Whisper mode: zero-pad at the end (or truncate) to 30 s, then [nMels][3000]. */
    public LogMelFeatures computePadded(float[] samples) {
        float[] x = java.util.Arrays.copyOf(samples, N_SAMPLES);
        return features(x);
    }

    /** Whisper mode for a waveform at 16 kHz. */
    public LogMelFeatures computePadded(Waveform w) {
        requireRate(w);
        return computePadded(w.samples());
    }

    /**
     * A padded batch as HF returns it with {@code return_attention_mask=True}: features [B][nMels][3000]
     * and the frame mask [B][3000], where frame t is 1 when sample t·160 is real (so ceil(n / 160) ones,
     * all 3000 for 30 s or more). Each item's max − 8 floor is its own.
     */
    public PaddedBatch computePaddedBatch(List<float[]> waves) {
        LogMelFeatures[] feats = new LogMelFeatures[waves.size()];
        long[][] mask = new long[waves.size()][];
        for (int b = 0; b < feats.length; b++) {
            feats[b] = computePadded(waves.get(b));
            mask[b] = frameMask(waves.get(b).length);
        }
        return new PaddedBatch(List.of(feats), mask);
    }

    /** The padded-mode frame mask for a waveform of {@code nSamples}: [3000], 1 while t·160 < n. */
    public static long[] frameMask(int nSamples) {
        long[] m = new long[N_FRAMES];
        for (int t = 0; t < N_FRAMES; t++) m[t] = (long) t * HOP_LENGTH < nSamples ? 1 : 0;
        return m;
    }

    /**
     * A padded batch: one feature matrix per item and the frame attention masks.
     *
     * @param features [B] items of [nMels][3000]
     * @param mask     [B][3000] 1 = frame from real samples, 0 = padding
     */
    public record PaddedBatch(List<LogMelFeatures> features, long[][] mask) {
    }

    private static void requireRate(Waveform w) {
        if (w.sampleRate() != SAMPLE_RATE) {
            throw new IllegalArgumentException(w.source() + ": log-mel expects " + SAMPLE_RATE + " Hz audio, got "
                    + w.sampleRate() + " Hz; resample first (Waveform.resampled(16000))");
        }
    }

    /** The whole recipe on samples x (already padded or not): [nMels][x.length // 160]. */
    private LogMelFeatures features(float[] x) {
        int frames = x.length / HOP_LENGTH;                 // 1 + n // hop STFT frames, the last one dropped
        float[] centred = reflectPad(x);                    // [n + 400]
        float[] logMel = new float[nMels * frames];         // [nMels][frames] log10(max(mel, 1e-10)), then features
        if (path == Path.REFERENCE) {
            new Worker().referenceFrames(centred, logMel, 0, frames, frames);
        } else {
            fastFrames(centred, logMel, frames);
        }
        // Per-utterance dynamic range: max(x, max − 8), then (x + 4) / 4.
        // (Plain comparisons instead of Math.max: the values are finite, and this loop is hot.)
        float max = Float.NEGATIVE_INFINITY;
        for (float v : logMel) if (v > max) max = v;
        double floor = max - DYNAMIC_RANGE;
        double invScale = 1 / NORM_SCALE;                   // 1/4: exact, so the same as dividing
        for (int i = 0; i < logMel.length; i++) {
            double v = logMel[i];
            logMel[i] = (float) (((v > floor ? v : floor) + NORM_SHIFT) * invScale);
        }
        return new LogMelFeatures(nMels, frames, logMel);
    }

    /** torch's reflect padding by 200 on each side (the edge sample is not repeated): [n] → [n + 400]. */
    private static float[] reflectPad(float[] x) {
        int n = x.length;
        float[] y = new float[n + 2 * PAD];
        System.arraycopy(x, 0, y, PAD, n);
        for (int i = 1; i <= PAD; i++) {
            y[PAD - i] = x[i];                    // left: x[1..200] mirrored
            y[PAD + n - 1 + i] = x[n - 1 - i];   // right: x[n-2 .. n-201] mirrored
        }
        return y;
    }

    /** The reference path's scratch: one JTransforms plan and its buffers. */
    private final class Worker {
        private final DoubleFFT_1D fft = new DoubleFFT_1D(N_FFT);
        private final double[] buf = new double[N_FFT];        // windowed frame, then its packed spectrum
        private final double[] power = new double[N_FREQS];    // |X_k|², k = 0 … 200

        /** |STFT|² of frame t (window starting at centred[t·hop]) into {@link #power}. */
        private void powerSpectrum(float[] centred, int t) {
            int off = t * HOP_LENGTH;
            for (int n = 0; n < N_FFT; n++) buf[n] = centred[off + n] * WINDOW[n];
            fft.realForward(buf);            // packed: buf[0] = Re X0, buf[1] = Re X200, buf[2k], buf[2k+1] = X_k
            power[0] = buf[0] * buf[0];
            power[N_FREQS - 1] = buf[1] * buf[1];
            for (int k = 1; k < N_FREQS - 1; k++) power[k] = buf[2 * k] * buf[2 * k] + buf[2 * k + 1] * buf[2 * k + 1];
        }

        /** Plain path: dense mel product and the library log10. */
        void referenceFrames(float[] centred, float[] logMel, int from, int to, int frames) {
            for (int t = from; t < to; t++) {
                powerSpectrum(centred, t);
                for (int m = 0; m < nMels; m++) {
                    double mel = 0;
                    for (int k = 0; k < N_FREQS; k++) mel += filters[k * nMels + m] * power[k];
                    logMel[m * frames + t] = (float) Math.log10(Math.max(mel, MEL_FLOOR));
                }
            }
        }
    }

    /**
     * Fast path: frames of exact zeros (padding, digital silence) get the floor without an FFT; the others
     * go through {@link BatchedPowerSpectrum} 16 at a time, split over the worker threads.
     */
    private void fastFrames(float[] centred, float[] logMel, int frames) {
        int[] starts = new int[frames];                       // window start of each non-silent frame
        int active = 0;
        float silent = (float) Math.log10(MEL_FLOOR);
        for (int t = 0; t < frames; t++) {
            if (isSilent(centred, t * HOP_LENGTH)) {
                for (int m = 0; m < nMels; m++) logMel[m * frames + t] = silent;
            } else {
                starts[active++] = t * HOP_LENGTH;
            }
        }
        int batches = (active + BatchedPowerSpectrum.FRAMES - 1) / BatchedPowerSpectrum.FRAMES;
        int workers = (int) Math.max(1, Math.min(threads, (long) active / MIN_FRAMES_PER_THREAD));
        final int count = active;
        if (workers == 1) {
            fastBatches(centred, starts, 0, count, logMel, frames);
            return;
        }
        IntStream.range(0, workers).parallel().forEach(w -> {
            int from = (int) ((long) batches * w / workers) * BatchedPowerSpectrum.FRAMES;
            int to = Math.min(count, (int) ((long) batches * (w + 1) / workers) * BatchedPowerSpectrum.FRAMES);
            fastBatches(centred, starts, from, to, logMel, frames);
        });
    }

    /** Frames starts[from … to) through batched power spectra, sparse mel filters and the series log10. */
    private void fastBatches(float[] centred, int[] starts, int from, int to, float[] logMel, int frames) {
        final int lanes = BatchedPowerSpectrum.FRAMES;
        BatchedPowerSpectrum stft = new BatchedPowerSpectrum();
        double[] power = new double[N_FREQS * lanes];         // [N_FREQS][lanes]
        double[] mel = new double[lanes];                     // one filter's output for the batch
        for (int i = from; i < to; i += lanes) {
            int count = Math.min(lanes, to - i);
            stft.compute(centred, starts, i, count, power);
            for (int m = 0; m < nMels; m++) {
                double[] w = bandWeights[m];
                int row0 = bandStart[m] * lanes;
                // Four frames at a time, their sums in registers: one weight load per four products.
                for (int f = 0; f < lanes; f += 4) {
                    double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
                    for (int j = 0, row = row0 + f; j < w.length; j++, row += lanes) {
                        double wj = w[j];
                        s0 += wj * power[row];
                        s1 += wj * power[row + 1];
                        s2 += wj * power[row + 2];
                        s3 += wj * power[row + 3];
                    }
                    mel[f] = s0;
                    mel[f + 1] = s1;
                    mel[f + 2] = s2;
                    mel[f + 3] = s3;
                }
                int base = m * frames;
                for (int f = 0; f < count; f++) {
                    double v = mel[f] > MEL_FLOOR ? mel[f] : MEL_FLOOR;
                    logMel[base + starts[i + f] / HOP_LENGTH] = (float) FastMath.log10(v);
                }
            }
        }
    }

    private static boolean isSilent(float[] x, int off) {
        for (int n = 0; n < N_FFT; n++) if (x[off + n] != 0f) return false;
        return true;
    }
}
