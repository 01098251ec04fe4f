package org.osum4j.model;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.osum4j.golden.GoldenSuite;
import org.osum4j.golden.ParityReport;
import org.osum4j.model.io.SafeTensors;
import org.osum4j.model.io.TensorData;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Qwen2Model against the HF golden fixtures (kind qwen2_causal_lm): forward, KV cache, loss, every gradient. */
class Qwen2ParityTest {

    @Test
    void qwen2_matchesHuggingFaceOnEveryFixture() throws Exception {
        Qwen2Parity checker = new Qwen2Parity();
        List<Path> fixtures = GoldenSuite.fixtures(GoldenSuite.defaultDir(), checker::accepts);
        assertFalse(fixtures.isEmpty(), "no qwen2_causal_lm fixtures under " + GoldenSuite.defaultDir());
        ParityReport report = new ParityReport();
        for (Path d : fixtures) {
            long t0 = System.nanoTime();
            checker.check(d, report);
            System.out.printf("%s: all checks in %.0f ms%n", d.getFileName(), (System.nanoTime() - t0) / 1e6);
        }
        report.print(System.out);
        assertTrue(report.allOk(), "Qwen2 parity failures:\n" + report.failures());
    }

    @Test
    void osumLlm_loraForwardGradientsAndGenerationMatchOsum() throws Exception {
        Path dir = GoldenSuite.defaultDir().resolve("osum_tiny");
        assertTrue(Files.isRegularFile(dir.resolve("meta.json")), "OSUM fixture missing: " + dir);
        ParityReport report = new ParityReport();
        Qwen2Parity.checkOsumLlm(dir, report);
        report.print(System.out);
        assertTrue(report.allOk(), "OSUM LLM parity failures:\n" + report.failures());
    }

    @Test
    void qwen2_corruptedGradient_isReportedNotOk(@TempDir Path tmp) throws Exception {
        Qwen2Parity checker = new Qwen2Parity();
        Path src = GoldenSuite.fixtures(GoldenSuite.defaultDir(), checker::accepts).get(0);
        Path copy = Files.createDirectories(tmp.resolve(src.getFileName()));
        for (String f : List.of("config.json", "meta.json", "model.safetensors")) Files.copy(src.resolve(f), copy.resolve(f));
        SafeTensors io = SafeTensors.read(src.resolve("io.safetensors"));
        List<TensorData> out = new ArrayList<>();
        String victim = "grad.model.layers.0.self_attn.k_proj.weight";
        for (TensorData t : io.tensors().values()) {
            if (t.name().equals(victim)) {
                float[] v = t.toFloats();
                v[v.length / 2] += 1e-2f;
                out.add(TensorData.ofFloats(t.name(), t.shape(), v));
            } else {
                out.add(t);
            }
        }
        SafeTensors.write(copy.resolve("io.safetensors"), out, Map.of());
        ParityReport report = new ParityReport();
        checker.check(copy, report);
        assertFalse(report.allOk());
        assertTrue(report.failures().contains(victim), report.failures());
    }
}
