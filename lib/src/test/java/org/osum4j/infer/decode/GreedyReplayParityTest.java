package org.osum4j.infer.decode;

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

class GreedyReplayParityTest {

    private final GreedyReplayParity checker = new GreedyReplayParity();

    private List<Path> fixtures() throws Exception {
        return GoldenSuite.fixtures(GoldenSuite.defaultDir(), checker::accepts);
    }

    @Test
    void greedyAndRepetitionPenalty_matchOsumGenerate_onEveryFixture() throws Exception {
        List<Path> dirs = fixtures();
        assertFalse(dirs.isEmpty(), "no fixture with generate.*.step_logits under " + GoldenSuite.defaultDir());
        ParityReport report = new ParityReport();
        for (Path d : dirs) checker.check(d, report);
        report.print(System.out);
        assertTrue(report.checks().size() >= 2 * dirs.size());
        assertTrue(report.allOk(), report.failures());
    }

    @Test
    void corruptedPenalisedIds_areNotOk(@TempDir Path tmp) throws Exception {
        Path src = fixtures().get(0);
        Path dst = Files.createDirectories(tmp.resolve(src.getFileName().toString()));
        Files.copy(src.resolve("meta.json"), dst.resolve("meta.json"));
        SafeTensors io = SafeTensors.read(src.resolve("io.safetensors"));
        List<TensorData> out = new ArrayList<>();
        for (String name : io.names()) {
            if (!name.startsWith("generate.")) continue;
            TensorData t = io.get(name);
            if (name.equals("generate.0.output_ids_rp1.05")) {
                long[] ids = t.toLongs();
                ids[0] = ids[0] + 1; // a token the penalty cannot explain
                t = TensorData.ofLongs(name, t.shape(), ids);
            }
            out.add(t);
        }
        SafeTensors.write(dst.resolve("io.safetensors"), out, Map.of());
        ParityReport report = new ParityReport();
        checker.check(dst, report);
        assertFalse(report.allOk(), "a corrupted reference must fail");
    }
}
