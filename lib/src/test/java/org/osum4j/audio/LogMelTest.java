package org.osum4j.audio;

import org.osum4j.golden.LogMelParity;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Log-mel properties beyond the golden parity (LogMelParityTest): the fast path equals the plain one,
 * padded vs unpadded, the floor, masks, shapes and input checks.
 */
class LogMelTest {

    private static final float[] SIGNAL = LogMelBenchmark.testSignal(4.0, 3);

    @Test
    void constants_deriveFromEachOther() {
        assertEquals(480_000, LogMel.N_SAMPLES);
        assertEquals(3000, LogMel.N_FRAMES);
        assertEquals(201, LogMel.N_FREQS);
        assertEquals(25.0, LogMel.N_FFT * 1000.0 / LogMel.SAMPLE_RATE);
        assertEquals(10.0, LogMel.HOP_LENGTH * 1000.0 / LogMel.SAMPLE_RATE);
    }

    @Test
    void fastPath_equalsReferencePath_forAnyThreadCount() {
        for (int nMels : new int[]{80, 128}) {
            LogMelFeatures ref = LogMel.of(nMels).withPath(LogMel.Path.REFERENCE).compute(SIGNAL);
            for (int threads : new int[]{1, 2, 3}) {
                LogMelFeatures fast = LogMel.of(nMels).withPath(LogMel.Path.FAST).withThreads(threads).compute(SIGNAL);
                assertEquals(ref.frames(), fast.frames());
                assertArrayEquals(ref.data(), fast.data(), 1e-6f, nMels + " mels, " + threads + " threads");
            }
        }
    }

    @Test
    void unpadded_hasSamplesOver160Frames_andPaddedHas3000() {
        LogMel fe = LogMel.of(80);
        assertEquals(SIGNAL.length / 160, fe.compute(SIGNAL).frames());
        assertEquals(400, fe.compute(java.util.Arrays.copyOf(SIGNAL, 64_159)).frames());   // 64159 // 160
        LogMelFeatures p = fe.computePadded(SIGNAL);
        assertEquals(80, p.nMels());
        assertEquals(LogMel.N_FRAMES, p.frames());
    }

    @Test
    void padded_agreesWithUnpaddedExceptTheLastFrames_andItsTailIsTheFloor() {
        LogMel fe = LogMel.of(80);
        LogMelFeatures u = fe.compute(SIGNAL), p = fe.computePadded(SIGNAL);
        float max = Float.NEGATIVE_INFINITY;
        for (float v : u.data()) max = Math.max(max, v);
        for (int m = 0; m < 80; m++) {
            for (int t = 0; t < u.frames() - 2; t++) assertEquals(u.get(m, t), p.get(m, t), 1e-6f, "mel " + m + " frame " + t);
            // Frames past the signal: exactly the floor (max − 8 + 4) / 4, in normalised units max − 2.
            for (int t = u.frames() + 2; t < LogMel.N_FRAMES; t++) assertEquals(max - 2f, p.get(m, t), 1e-6f);
        }
    }

    @Test
    void values_stayWithinEightLog10UnitsOfTheMax() {
        LogMelFeatures f = LogMel.of(128).compute(SIGNAL);
        float max = Float.NEGATIVE_INFINITY, min = Float.POSITIVE_INFINITY;
        for (float v : f.data()) {
            max = Math.max(max, v);
            min = Math.min(min, v);
        }
        assertEquals(max - 2f, min, 1e-5f, "the silent-free test signal still reaches the −80 dB floor in some bin");
    }

    @Test
    void frameMask_hasCeilOfSamplesOver160Ones() {
        assertEquals(251, java.util.Arrays.stream(LogMel.frameMask(40_123)).sum());
        assertEquals(300, java.util.Arrays.stream(LogMel.frameMask(48_000)).sum());
        assertEquals(3000, java.util.Arrays.stream(LogMel.frameMask(600_000)).sum());
        LogMel.PaddedBatch b = LogMel.of(80).computePaddedBatch(List.of(SIGNAL, java.util.Arrays.copyOf(SIGNAL, 1601)));
        assertEquals(2, b.features().size());
        assertEquals(11, java.util.Arrays.stream(b.mask()[1]).sum());
    }

    @Test
    void longerThan30s_isTruncatedInPaddedMode() {
        float[] long31 = LogMelBenchmark.testSignal(31, 4);
        LogMelFeatures p = LogMel.of(80).computePadded(long31);
        LogMelFeatures u = LogMel.of(80).compute(java.util.Arrays.copyOf(long31, LogMel.N_SAMPLES));
        assertArrayEquals(u.data(), p.data());
    }

    @Test
    void transposed_isFramesByMels() {
        LogMelFeatures f = LogMel.of(80).compute(java.util.Arrays.copyOf(SIGNAL, 3200));
        float[] t = f.transposed();
        assertEquals(f.get(7, 13), t[13 * 80 + 7]);
        assertEquals(f.get(79, 19), f.toArray()[79][19]);
    }

    @Test
    void badInput_isRejectedWithAMessage() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> LogMel.of(80).compute(new float[200]));
        assertTrue(e.getMessage().contains("200"), e.getMessage());
        IllegalArgumentException r = assertThrows(IllegalArgumentException.class,
                () -> LogMel.of(80).compute(new Waveform(new float[8000], 8000, "phone.wav")));
        assertTrue(r.getMessage().contains("phone.wav") && r.getMessage().contains("16000"), r.getMessage());
        assertThrows(IllegalArgumentException.class, () -> LogMel.of(0));
    }

    @Test
    void fastLog10_matchesMathLog10() {
        double worst = 0;
        for (double x = 1e-10; x < 1e6; x *= 1.0137) worst = Math.max(worst, Math.abs(FastMath.log10(x) - Math.log10(x)));
        assertTrue(worst < 1e-13, "worst " + worst);
    }
}
