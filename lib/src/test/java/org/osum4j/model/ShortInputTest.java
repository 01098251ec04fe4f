package org.osum4j.model;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.osum4j.golden.GoldenSuite;
import org.osum4j.infer.Osum;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Very short audio (a few log-mel frames) still runs through encoder and adapter. */
class ShortInputTest {

    @Test
    void encodeUtterance_oneToTwelveFrames_givesCeilQuarterSpeechTokens() throws Exception {
        OsumModel m = Osum.load(GoldenSuite.defaultDir().resolve("osum_tiny")).model();
        int mels = m.config().encoder().numMelBins();
        for (int f = 1; f <= 12; f++) {
            INDArray feats = Nd4j.rand(DataType.FLOAT, f, mels);            // [T, n_mels]
            INDArray speech = m.encodeUtterance(feats);
            long enc = (f + 1) / 2;                          // conv stem stride 2
            long expected = ((enc + 1) / 2 + 1) / 2;         // two stride-2 causal convs
            assertEquals(expected, speech.size(0), "speech tokens for " + f + " frames");
        }
    }

    @Test
    void encodeSpeech_paddedBatchWithVeryShortItems_runs() throws Exception {
        OsumModel m = Osum.load(GoldenSuite.defaultDir().resolve("osum_tiny")).model();
        int mels = m.config().encoder().numMelBins();
        for (int t = 1; t <= 9; t++) {
            INDArray feats = Nd4j.rand(DataType.FLOAT, 2, t, mels);                 // [B, T, n_mels]
            OsumModel.Speech s = m.encodeSpeech(feats, new long[]{t, Math.max(1, t / 2)});
            assertEquals(2, s.embeds().size(0), "batch kept for T=" + t);
        }
    }
}
