package org.osum4j.model;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.osum4j.golden.Check;
import org.osum4j.golden.GoldenSuite;
import org.osum4j.golden.ParityReport;

import java.io.IOException;
import java.nio.file.Files;
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
        List<Path> fixtures = GoldenSuite.fixtures(GoldenSuite.defaultDir(), checker::accepts);
        assertFalse(fixtures.isEmpty(), "no osum_tiny fixtures under " + GoldenSuite.defaultDir());
        ParityReport report = new ParityReport();
        for (Path f : fixtures) checker.check(f, report);
        report.print(System.out);
        assertTrue(report.allOk(), report.failures());
        for (String part : List.of("grad.encoder.embed.conv.0.weight", "grad.down_sample_2.conv.1.weight",
                "grad.speech_transformer.encoders.0.self_attn.linear_q.weight", "grad.speech_token_emded.weight")) {
            assertTrue(report.checks().stream().anyMatch(c -> c.tensor().equals(part)), part + " must be compared");
        }
    }

    @Test
    void corruptedEncoderGradient_failsThatTensorOnly(@TempDir Path tmp) throws Exception {
        Path src = GoldenSuite.fixtures(GoldenSuite.defaultDir(), checker::accepts).get(0);
        Path copy = copyTree(src, tmp.resolve(src.getFileName().toString()));
        String bad = "grad.encoder.embed.conv.0.weight";
        WhisperEncoderParityTest.corrupt(copy.resolve("io.safetensors"), bad, 0.01f);
        ParityReport report = new ParityReport();
        checker.check(copy, report);
        assertFalse(report.allOk());
        List<Check> failed = report.checks().stream().filter(c -> !c.ok()).toList();
        assertEquals(1, failed.size(), report.failures());
        assertEquals(bad, failed.get(0).tensor());
    }

    /** The fixture folder with its sub-folders (the LLM config lives in llm/). */
    private static Path copyTree(Path from, Path to) throws IOException {
        try (var all = Files.walk(from)) {
            for (Path p : all.toList()) {
                Path dst = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) Files.createDirectories(dst);
                else Files.copy(p, dst);
            }
        }
        return to;
    }
}
