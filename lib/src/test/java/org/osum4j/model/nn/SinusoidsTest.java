package org.osum4j.model.nn;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.osum4j.golden.GoldenSuite;
import org.osum4j.model.io.SafeTensors;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The fixtures store sinusoids + N(0, 0.05²) noise, so our fresh tables must differ from them by noise only:
 * mean ≈ 0 and standard deviation ≈ 0.05. A wrong layout ([sin|cos] vs interleaved) gives differences ≈ 1.
 */
class SinusoidsTest {

    @Test
    void whisperTable_matchesTheEncoderTablesOfTheFixturesUpToTheirNoise() throws Exception {
        SafeTensors hf = SafeTensors.read(GoldenSuite.defaultDir().resolve("whisper_encoder_a/model.safetensors"));
        INDArray stored = Params.toArray(hf.get("embed_positions.weight"));              // [1500, 64]
        assertNoiseOnly(stored, Sinusoids.whisper((int) stored.size(0), (int) stored.size(1)));
        SafeTensors osum = SafeTensors.read(GoldenSuite.defaultDir().resolve("osum_tiny/model.safetensors"));
        INDArray pe = Params.toArray(osum.get("encoder.embed.pos_enc.pe"));
        pe = pe.reshape(pe.size(1), pe.size(2));
        assertNoiseOnly(pe, Sinusoids.whisper((int) pe.size(0), (int) pe.size(1)));
    }

    @Test
    void interleavedTable_matchesTheAdapterTableOfTheOsumFixtureUpToItsNoise() throws Exception {
        SafeTensors osum = SafeTensors.read(GoldenSuite.defaultDir().resolve("osum_tiny/model.safetensors"));
        INDArray pe = Params.toArray(osum.get("speech_transformer.embed.pos_enc.pe"));
        pe = pe.reshape(pe.size(1), pe.size(2));
        assertNoiseOnly(pe, Sinusoids.interleaved((int) pe.size(0), (int) pe.size(1)));
    }

    private static void assertNoiseOnly(INDArray stored, INDArray ours) {
        INDArray diff = stored.sub(ours);
        double mean = diff.meanNumber().doubleValue(), std = diff.stdNumber().doubleValue();
        double maxAbs = diff.amaxNumber().doubleValue();
        assertTrue(Math.abs(mean) < 0.005 && std > 0.04 && std < 0.06 && maxAbs < 0.4,
                "difference should be N(0, 0.05²) noise: mean " + mean + ", std " + std + ", max " + maxAbs);
    }
}
