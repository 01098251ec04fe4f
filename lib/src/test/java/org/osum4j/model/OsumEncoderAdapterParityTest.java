package org.osum4j.model;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.osum4j.golden.Check;
import org.osum4j.golden.GoldenTesting;
import org.osum4j.golden.ParityReport;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** OSUM's encoder + adapter against the osum_tiny fixture (OSUM's own code), and a corrupted adapter weight. */
class OsumEncoderAdapterParityTest {

    private final OsumEncoderAdapterParity checker = new OsumEncoderAdapterParity();

    @Test
    void encoderAndAdapter_matchOsumAtValidFramesOnEveryOsumFixture() throws Exception {
        ParityReport report = GoldenTesting.checkEvery(checker);
        assertTrue(report.checks().stream().anyMatch(c -> c.tensor().startsWith("generate.")),
                "the single-utterance checks must run");
    }

    @Test
    void adapter_corruptedTransformerWeight_failsAdapterRowsOnly(@TempDir Path tmp) throws Exception {
        Path src = GoldenTesting.firstFixture(checker);
        Path copy = GoldenTesting.copyTree(src, tmp.resolve(src.getFileName().toString()));
        WhisperEncoderParityTest.corrupt(copy.resolve("model.safetensors"),
                "speech_transformer.encoders.0.feed_forward.w_2.bias", 0.1f);
        ParityReport report = new ParityReport();
        checker.check(copy, report);
        report.print(System.out);
        assertFalse(report.allOk());
        for (Check c : report.checks()) {
            boolean downstream = c.tensor().equals("adapter.speech_transformer") || c.tensor().equals("adapter.speech_llama_proj")
                    || c.tensor().startsWith("generate.");
            assertTrue(c.ok() != downstream, "unexpected result for " + c.line());
        }
    }
}
