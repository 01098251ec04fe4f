package org.osum4j.model;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.osum4j.golden.Check;
import org.osum4j.golden.GoldenTesting;
import org.osum4j.golden.ParityReport;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The assembled OSUM model against every osum_tiny-layout fixture, and a corrupted LLM weight. */
class OsumParityTest {

    private final OsumParity checker = new OsumParity();

    @Test
    void osum_matchesOsumsOwnCodeOnEveryOsumFixture() throws Exception {
        ParityReport report = GoldenTesting.checkEvery(checker);
        for (String row : List.of("llm.inputs_embeds (valid positions)", "llm.labels", "llm.position_ids", "loss",
                "generate.0.output_ids", "generate.*.output_ids (one left-padded batch)")) {
            assertTrue(report.checks().stream().anyMatch(c -> c.fixture().endsWith("/model") && c.tensor().equals(row)),
                    "missing row of the assembled model: " + row);
        }
        assertTrue(report.checks().stream().anyMatch(c -> c.fixture().endsWith("merged") && c.tensor().equals("generate.0.output_ids")),
                "merged-LoRA generation must be checked");
        assertTrue(report.checks().stream().anyMatch(c -> c.fixture().endsWith("from waveform") && c.tensor().equals("loss")),
                "the chain from the waveform must be checked");
    }

    @Test
    void osum_corruptedFinalNorm_failsLogitsButNotFeatures(@TempDir Path tmp) throws Exception {
        Path src = GoldenTesting.firstFixture(checker);
        Path copy = GoldenTesting.copyTree(src, tmp.resolve(src.getFileName().toString()));
        Files.delete(copy.resolve("infer.pt"));   // the model then loads model.safetensors, which we corrupt
        WhisperEncoderParityTest.corrupt(copy.resolve("model.safetensors"), "llama_model.base_model.model.model.norm.weight", 0.5f);
        ParityReport report = new ParityReport();
        checker.check(copy, report);
        assertFalse(report.allOk());
        Check logits = report.checks().stream()
                .filter(c -> c.fixture().endsWith("/model") && c.tensor().equals("llm.logits (valid positions)")).findFirst().orElseThrow();
        assertFalse(logits.ok(), logits.line());
        assertTrue(report.checks().stream().filter(c -> c.tensor().startsWith("features.")).allMatch(Check::ok));
    }

}
