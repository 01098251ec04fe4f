package org.osum4j.audio;

import org.osum4j.golden.LogMelParity;

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
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Log-mel parity with Hugging Face's WhisperFeatureExtractor over every whisper_feature_extractor fixture. */
class LogMelParityTest {

    private static List<Path> fixtures() throws Exception {
        LogMelParity c = new LogMelParity();
        List<Path> dirs = GoldenSuite.fixtures(GoldenSuite.defaultDir(), c::accepts);
        assertFalse(dirs.isEmpty(), "no fixture of kind " + LogMelParity.KIND + " under " + GoldenSuite.defaultDir());
        return dirs;
    }

    @Test
    void fastPath_matchesWhisperFeatureExtractor_onEveryFixture() throws Exception {
        ParityReport report = new ParityReport();
        LogMelParity checker = new LogMelParity(LogMel.Path.FAST);
        for (Path d : fixtures()) checker.check(d, report);
        report.print(System.out);
        assertTrue(report.checks().size() >= 4, "too few checks: " + report.summary());
        assertTrue(report.allOk(), report.failures());
    }

    @Test
    void referencePath_matchesWhisperFeatureExtractor_onEveryFixture() throws Exception {
        ParityReport report = new ParityReport();
        LogMelParity checker = new LogMelParity(LogMel.Path.REFERENCE);
        for (Path d : fixtures()) checker.check(d, report);
        report.print(System.out);
        assertTrue(report.allOk(), report.failures());
    }

    @Test
    void checker_takesBatchAndItemsFromTheTensors_notFromFixedCounts(@TempDir Path tmp) throws Exception {
        // A fixture with only waveform.0: padded batch of one, one unpadded item, no numpy-path tensor.
        Path src = fixtures().get(fixtures().size() - 1);
        SafeTensors io = SafeTensors.read(src.resolve("io.safetensors"));
        long[] padded = io.get("input_features.padded").shape();        // [B, nMels, 3000]
        long[] mask = io.get("attention_mask.padded").shape();          // [B, 3000]
        float[] first = java.util.Arrays.copyOf(io.get("input_features.padded").toFloats(), (int) (padded[1] * padded[2]));
        long[] firstMask = java.util.Arrays.copyOf(io.get("attention_mask.padded").toLongs(), (int) mask[1]);
        List<TensorData> out = List.of(io.get("waveform.0"), io.get("mel_filters"), io.get("input_features.unpadded.0"),
                TensorData.ofFloats("input_features.padded", new long[]{1, padded[1], padded[2]}, first),
                TensorData.ofLongs("attention_mask.padded", new long[]{1, mask[1]}, firstMask));
        Path dst = tmp.resolve("one_item");
        Files.createDirectories(dst);
        Files.copy(src.resolve("meta.json"), dst.resolve("meta.json"));
        SafeTensors.write(dst.resolve("io.safetensors"), out, io.metadata());

        ParityReport report = new ParityReport();
        new LogMelParity().check(dst, report);
        report.print(System.out);
        assertTrue(report.allOk(), report.failures());
        assertEquals(4, report.checks().size(), "filters, padded, mask, unpadded.0");
    }

    @Test
    void corruptedFixtureTensor_isReportedNotOk(@TempDir Path tmp) throws Exception {
        Path src = fixtures().get(0);
        Path dst = tmp.resolve(src.getFileName().toString());
        Files.createDirectories(dst);
        try (Stream<Path> s = Files.list(src)) {
            for (Path f : s.toList()) Files.copy(f, dst.resolve(f.getFileName()));
        }
        // Change one value of one unpadded feature tensor by far more than the tolerance.
        SafeTensors io = SafeTensors.read(src.resolve("io.safetensors"));
        List<TensorData> out = new ArrayList<>();
        String victim = "input_features.unpadded.0";
        for (String name : io.names()) {
            TensorData t = io.get(name);
            if (name.equals(victim)) {
                float[] v = t.toFloats();
                v[v.length / 2] += 0.01f;
                t = TensorData.ofFloats(name, t.shape(), v);
            }
            out.add(t);
        }
        SafeTensors.write(dst.resolve("io.safetensors"), out, io.metadata());

        ParityReport report = new ParityReport();
        new LogMelParity().check(dst, report);
        report.print(System.out);
        assertFalse(report.allOk(), "a corrupted tensor must fail");
        assertTrue(report.checks().stream().anyMatch(c -> c.tensor().equals(victim) && !c.ok()),
                victim + " should be the failing row");
        assertTrue(report.checks().stream().filter(c -> !c.tensor().equals(victim)).allMatch(c -> c.ok()),
                "only the corrupted tensor should fail");
    }
}
