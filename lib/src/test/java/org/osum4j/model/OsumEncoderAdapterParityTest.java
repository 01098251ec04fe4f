package org.osum4j.model;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.osum4j.golden.Check;
import org.osum4j.golden.GoldenSuite;
import org.osum4j.golden.ParityReport;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** OSUM's encoder + adapter against the osum_tiny fixture (OSUM's own code), and a corrupted adapter weight. */
class OsumEncoderAdapterParityTest {

    private final OsumEncoderAdapterParity checker = new OsumEncoderAdapterParity();

    @Test
    void encoderAndAdapter_matchOsumAtValidFramesOnEveryOsumFixture() throws Exception {
        List<Path> fixtures = GoldenSuite.fixtures(GoldenSuite.defaultDir(), checker::accepts);
        assertFalse(fixtures.isEmpty(), "no osum_tiny fixtures under " + GoldenSuite.defaultDir());
        ParityReport report = new ParityReport();
        for (Path f : fixtures) checker.check(f, report);
        report.print(System.out);
        assertTrue(report.allOk(), report.failures());
        assertTrue(report.checks().stream().anyMatch(c -> c.tensor().startsWith("generate.")),
                "the single-utterance checks must run");
    }

    @Test
    void adapter_corruptedTransformerWeight_failsAdapterRowsOnly(@TempDir Path tmp) throws Exception {
        Path src = GoldenSuite.fixtures(GoldenSuite.defaultDir(), checker::accepts).get(0);
        Path copy = WhisperEncoderParityTest.copyFixture(src, tmp.resolve(src.getFileName().toString()));
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
