package org.osum4j.infer;

import org.osum4j.audio.Waveform;

import java.util.ArrayList;
import java.util.List;

/**
 * How audio longer than the encoder's input (Whisper: 30 s) is split for inference: consecutive windows of at
 * most {@code maxSeconds}, no overlap, each cut placed at the quietest {@value #QUIET_MS} ms stretch of the
 * last {@value #SEARCH_SECONDS} s before the limit (a pause between words rather than the middle of one); the
 * transcripts of the windows are joined with one space. It does not merge or de-duplicate text across cuts
 * (there is no overlap to de-duplicate) and it does not detect speech.
 */
public final class Windows {

    /** Window limit of OSUM's Whisper encoder (1500 positions × 2 frames × 10 ms). */
    public static final double MAX_SECONDS = 30.0;
    /** How far before the limit a cut may move to find a pause. */
    public static final double SEARCH_SECONDS = 5.0;
    /** Length of the stretch whose energy decides the cut. */
    public static final int QUIET_MS = 100;
    /** A last window shorter than this is avoided by cutting earlier (too short to hold a word). */
    public static final double MIN_TAIL_SECONDS = 1.0;

    private Windows() {
    }

    /** One window: samples [start, end) of the input. */
    public record Window(int start, int end, Waveform audio) {
        public double startSeconds() {
            return start / (double) audio.sampleRate();
        }
    }

    /** The windows of {@code w} for a limit of {@code maxSeconds} (one window when it fits). */
    public static List<Window> split(Waveform w, double maxSeconds) {
        if (!(maxSeconds > SEARCH_SECONDS + MIN_TAIL_SECONDS)) {
            throw new IllegalArgumentException("window limit must exceed " + (SEARCH_SECONDS + MIN_TAIL_SECONDS) + " s, got " + maxSeconds);
        }
        int rate = w.sampleRate(), n = w.length();
        int max = (int) Math.floor(maxSeconds * rate), search = (int) (SEARCH_SECONDS * rate);
        int quiet = Math.max(1, QUIET_MS * rate / 1000), minTail = (int) (MIN_TAIL_SECONDS * rate);
        float[] x = w.samples();
        List<Window> out = new ArrayList<>();
        int start = 0;
        while (n - start > max) {
            int lo = start + max - search, hi = Math.min(start + max, n - minTail);   // the cut lies in [lo, hi]
            int cut = quietestCut(x, lo, hi, quiet);
            out.add(window(w, start, cut));
            start = cut;
        }
        out.add(window(w, start, n));
        return out;
    }

    /** The centre of the {@code len}-sample stretch of least energy whose centre lies in [lo, hi]. */
    static int quietestCut(float[] x, int lo, int hi, int len) {
        int half = len / 2;
        int from = Math.max(0, lo - half);
        double e = 0;
        for (int i = from; i < from + len && i < x.length; i++) e += (double) x[i] * x[i];
        double best = Double.POSITIVE_INFINITY;
        int bestCut = hi;
        for (int s = from; s + half <= hi && s + len <= x.length; s++) {          // sliding sum over [s, s + len)
            if (s > from) e += (double) x[s + len - 1] * x[s + len - 1] - (double) x[s - 1] * x[s - 1];
            if (s + half >= lo && e < best) {
                best = e;
                bestCut = s + half;
            }
        }
        return bestCut;
    }

    private static Window window(Waveform w, int start, int end) {
        float[] s = java.util.Arrays.copyOfRange(w.samples(), start, end);
        return new Window(start, end, new Waveform(s, w.sampleRate(), w.source()));
    }
}
