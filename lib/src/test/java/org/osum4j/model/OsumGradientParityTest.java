package org.osum4j.model;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.osum4j.golden.Check;
import org.osum4j.golden.GoldenTesting;
import org.osum4j.golden.ParityReport;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** OSUM's full training backward (LLM → assembly → adapter → encoder) against every grad.* of osum_tiny fixtures. */
class OsumGradientParityTest {

    private final OsumGradientParity checker = new OsumGradientParity();

    @Test
    void everyGradient_matchesOsumOnEveryOsumFixture() throws Exception {
        ParityReport report = GoldenTesting.checkEvery(checker);
        for (String part : List.of("grad.encoder.embed.conv.0.weight", "grad.down_sample_2.conv.1.weight",
                "grad.speech_transformer.encoders.0.self_attn.linear_q.weight", "grad.speech_token_emded.weight")) {
            assertTrue(report.checks().stream().anyMatch(c -> c.tensor().equals(part)), part + " must be compared");
        }
    }

    @Test
    void corruptedEncoderGradient_failsThatTensorOnly(@TempDir Path tmp) throws Exception {
        Path src = GoldenTesting.firstFixture(checker);
        Path copy = GoldenTesting.copyTree(src, tmp.resolve(src.getFileName().toString()));
        String bad = "grad.encoder.embed.conv.0.weight";
        WhisperEncoderParityTest.corrupt(copy.resolve("io.safetensors"), bad, 0.01f);
        ParityReport report = new ParityReport();
        checker.check(copy, report);
        assertFalse(report.allOk());
        List<Check> failed = report.checks().stream().filter(c -> !c.ok()).toList();
        assertEquals(1, failed.size(), report.failures());
        assertEquals(bad, failed.get(0).tensor());
    }

}
