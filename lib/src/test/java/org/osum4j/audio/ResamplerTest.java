package org.osum4j.audio;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/** The resampler's passband flatness, stopband (anti-aliasing) rejection and agreement with sox's {@code rate -v}. */
class ResamplerTest {

    /** Input seconds for the tone tests, and how much of each end to ignore (filter edge effects). */
    private static final double SECONDS = 0.5;
    private static final double EDGE_SECONDS = 0.05;

    static float[] tone(double hz, double amplitude, int rate, double seconds) {
        float[] x = new float[(int) Math.round(seconds * rate)];
        for (int i = 0; i < x.length; i++) x[i] = (float) (amplitude * Math.sin(2 * Math.PI * hz * i / rate));
        return x;
    }

    /** Least-squares amplitude of a sinusoid at {@code hz} in y[from, to), and the rms of what remains. */
    static double[] fit(float[] y, double hz, int rate, int from, int to) {
        double ss = 0, cc = 0, sc = 0, ys = 0, yc = 0;
        for (int i = from; i < to; i++) {
            double s = Math.sin(2 * Math.PI * hz * i / rate), c = Math.cos(2 * Math.PI * hz * i / rate);
            ss += s * s; cc += c * c; sc += s * c; ys += y[i] * s; yc += y[i] * c;
        }
        double det = ss * cc - sc * sc;
        double a = (ys * cc - yc * sc) / det, b = (yc * ss - ys * sc) / det;
        double res = 0;
        for (int i = from; i < to; i++) {
            double r = y[i] - a * Math.sin(2 * Math.PI * hz * i / rate) - b * Math.cos(2 * Math.PI * hz * i / rate);
            res += r * r;
        }
        return new double[]{Math.hypot(a, b), Math.sqrt(res / (to - from))};
    }

    static double rms(float[] y, int from, int to) {
        double s = 0;
        for (int i = from; i < to; i++) s += (double) y[i] * y[i];
        return Math.sqrt(s / (to - from));
    }

    /** Worst passband gain error in dB over tones from 50 Hz to the passband edge. */
    static double passbandRippleDb(int in, int out) {
        Resampler r = Resampler.of(in, out);
        double edge = Resampler.PASSBAND_EDGE * Math.min(in, out);
        int from = (int) (EDGE_SECONDS * out), to = (int) ((SECONDS - EDGE_SECONDS) * out);
        double worst = 0;
        for (double hz = 50; hz <= edge + 1e-9; hz += edge / 40) {
            float[] y = r.process(tone(hz, 0.5, in, SECONDS));
            double db = 20 * Math.log10(fit(y, hz, out, from, to)[0] / 0.5);
            worst = Math.max(worst, Math.abs(db));
        }
        return worst;
    }

    @Test
    void passband_isFlatWithin0point1dB_upTo7point2kHz_for44k1And48kTo16k() {
        for (int in : new int[]{44100, 48000, 22050}) {
            double ripple = passbandRippleDb(in, 16000);
            System.out.printf("passband ripple %d -> 16000: %.5f dB (0 .. 7.2 kHz)%n", in, ripple);
            assertTrue(ripple <= 0.1, in + " Hz: ripple " + ripple + " dB");
        }
        for (int[] pair : new int[][]{{11025, 16000}, {16000, 44100}, {16000, 8000}}) {
            double ripple = passbandRippleDb(pair[0], pair[1]);
            System.out.printf("passband ripple %d -> %d: %.5f dB%n", pair[0], pair[1], ripple);
            assertTrue(ripple <= 0.1, pair[0] + " -> " + pair[1] + ": ripple " + ripple + " dB");
        }
        double up = passbandRippleDb(8000, 16000);
        System.out.printf("passband ripple 8000 -> 16000: %.5f dB (0 .. 3.6 kHz)%n", up);
        assertTrue(up <= 0.1, "8 kHz upsampling ripple " + up + " dB");
    }

    @Test
    void tonesAbove8kHz_areAttenuatedAtLeast80dB_whenDownsamplingTo16k() {
        int out = 16000;
        int from = (int) (EDGE_SECONDS * out), to = (int) ((SECONDS - EDGE_SECONDS) * out);
        for (int in : new int[]{44100, 48000}) {
            for (double hz : new double[]{8050, 8500, 10000, 12345, 20000}) {
                float[] y = Resampler.of(in, out).process(tone(hz, 0.5, in, SECONDS));
                double attenuation = -20 * Math.log10(rms(y, from, to) / (0.5 / Math.sqrt(2)));
                System.out.printf("stopband %d Hz tone at %.0f Hz -> 16 kHz: %.1f dB down%n", in, hz, attenuation);
                assertTrue(attenuation >= 80, in + " Hz input, " + hz + " Hz tone: only " + attenuation + " dB");
            }
        }
    }

    @Test
    void upsampling8kTo16k_keepsTheToneAndRejectsItsImage() {
        float[] y = Resampler.of(8000, 16000).process(tone(1000, 0.5, 8000, SECONDS));
        double[] f = fit(y, 1000, 16000, 800, 7200);
        assertEquals(0.5, f[0], 0.5 * 0.0116);                           // ±0.1 dB
        double imageDb = -20 * Math.log10(f[1] / (0.5 / Math.sqrt(2)));  // what is left: the 7 kHz image
        System.out.printf("upsampling 8k -> 16k: image of a 1 kHz tone %.1f dB down%n", imageDb);
        assertTrue(imageDb >= 80, "image only " + imageDb + " dB down");
    }

    @Test
    void lengthsAndDcGain_followTheRateRatio() {
        Resampler r = Resampler.of(44100, 16000);
        assertEquals(16000, r.process(new float[44100]).length);
        assertEquals(1, r.process(new float[1]).length);
        float[] ones = new float[4410];
        java.util.Arrays.fill(ones, 0.25f);
        float[] y = r.process(ones);
        for (int i = 200; i < y.length - 200; i++) assertEquals(0.25f, y[i], 1e-6f, "sample " + i);
        Waveform w = new Waveform(new float[100], 16000, "w");
        assertSame(w, w.resampled(16000));
        assertEquals(200, w.resampled(32000).length());
    }

    /** A signal below the passband edge plus a loud 12 kHz tone both resamplers must remove. */
    static float[] soxTestSignal(int rate, double seconds) {
        float[] x = new float[(int) (seconds * rate)];
        java.util.SplittableRandom rnd = new java.util.SplittableRandom(5);
        for (int i = 0; i < x.length; i++) {
            double t = i / (double) rate;
            double chirp = Math.sin(2 * Math.PI * (100 * t + 0.5 * (6900 - 100) / seconds * t * t));   // 100 Hz → 7 kHz
            x[i] = (float) (0.25 * Math.sin(2 * Math.PI * 440 * t) + 0.2 * chirp
                    + 0.1 * Math.sin(2 * Math.PI * 12000 * t) + 0.001 * (rnd.nextDouble() - 0.5));
        }
        return x;
    }

    @Test
    void downsampling44k1To16k_agreesWithSoxRateV_atLeast40dBSnr(@TempDir Path tmp) throws Exception {
        int in = 44100, out = 16000;
        Path src = tmp.resolve("in.wav"), ref = tmp.resolve("sox.wav");
        AudioIO.writeWav16(src, new Waveform(soxTestSignal(in, 2.0), in, "sox test"));
        Waveform input = AudioIO.read(src);                        // the same 16-bit samples sox reads
        runSox(src.toString(), "-e", "floating-point", "-b", "32", "-r", "16000", ref.toString(), "rate", "-v");
        float[] theirs = AudioIO.read(ref).samples();
        float[] ours = Resampler.of(in, out).process(input.samples());
        int n = Math.min(theirs.length, ours.length);
        assertTrue(Math.abs(theirs.length - ours.length) <= 1, "lengths " + ours.length + " vs sox " + theirs.length);
        int edge = (int) (0.02 * out);
        double sig = 0, err = 0;
        for (int i = edge; i < n - edge; i++) {
            sig += (double) theirs[i] * theirs[i];
            err += (double) (ours[i] - theirs[i]) * (ours[i] - theirs[i]);
        }
        double snr = 10 * Math.log10(sig / err);
        System.out.printf("44.1k -> 16k vs sox rate -v: SNR %.1f dB%n", snr);
        assertTrue(snr >= 40, "SNR vs sox only " + snr + " dB");
    }

    private static void runSox(String... args) throws IOException, InterruptedException {
        String[] cmd = new String[args.length + 1];
        cmd[0] = "sox";
        System.arraycopy(args, 0, cmd, 1, args.length);
        Process p;
        try {
            p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        } catch (IOException e) {
            fail("this test needs the 'sox' command on PATH (apt-get install sox): " + e.getMessage());
            return;
        }
        String log = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) fail("sox failed: " + String.join(" ", cmd) + "\n" + log);
    }
}
