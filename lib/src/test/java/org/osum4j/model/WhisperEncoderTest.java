package org.osum4j.model;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;
import org.osum4j.golden.GoldenSuite;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Module-boundary checks of the encoder and the adapter (the numbers are covered by the parity tests). */
class WhisperEncoderTest {

    @Test
    void forward_wrongMelBins_namesExpectedAndActualShape() throws Exception {
        WhisperEncoder enc = WhisperEncoder.loadHf(GoldenSuite.defaultDir().resolve("whisper_encoder_a"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> enc.forward(Nd4j.zeros(DataType.FLOAT, 1, 128, 3000), null, false));
        assertTrue(e.getMessage().contains("[B, 80, T]") && e.getMessage().contains("[1, 128, 3000]"), e.getMessage());
    }

    @Test
    void forward_moreFramesThanThePositionalTable_isRejected() throws Exception {
        WhisperEncoder enc = WhisperEncoder.loadHf(GoldenSuite.defaultDir().resolve("whisper_encoder_b"));   // 150 positions
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> enc.forward(Nd4j.zeros(DataType.FLOAT, 1, 128, 302), null, false));
        assertTrue(e.getMessage().contains("302") && e.getMessage().contains("300"), e.getMessage());
    }

    @Test
    void forward_lengthsOfWrongBatch_isRejected() throws Exception {
        WhisperEncoder enc = WhisperEncoder.loadHf(GoldenSuite.defaultDir().resolve("whisper_encoder_b"));
        assertThrows(IllegalArgumentException.class,
                () -> enc.forward(Nd4j.zeros(DataType.FLOAT, 2, 128, 300), new long[]{300}, false));
    }
}
