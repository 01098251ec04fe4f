package org.osum4j.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.osum4j.golden.GoldenSuite;
import org.osum4j.train.TrainLog;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Manual timing of the shipped tiny from-scratch config (models/tiny/train.yaml) on synth-mini: a few optimizer
 * steps through ./osum train, printing ms/step from the step log. Not part of the suite (no *Test suffix):
 * {@code mvn -o -q -pl lib test -Dtest=TinyTrainTiming}.
 */
class TinyTrainTiming {

    private static final int STEPS = 8;

    @Test
    void tinyConfig_msPerStep(@TempDir Path tmp) throws Exception {
        Path root = GoldenSuite.repoRoot();
        String yaml = Files.readString(root.resolve("models/tiny/train.yaml"))
                .replace("../../data/", root.resolve("data").toString() + "/")
                .replace("warmup_steps: 200", "warmup_steps: 2")
                .replace("dev: ", "# dev: ");
        Path cfg = tmp.resolve("train.yaml");
        Files.writeString(cfg, yaml);
        new Train().train(cfg, tmp.resolve("out"), (long) STEPS, false, true);
        ObjectMapper json = new ObjectMapper();
        List<String> rows = Files.readAllLines(tmp.resolve("out").resolve(TrainLog.JSONL));
        for (String r : rows) {
            JsonNode n = json.readTree(r);
            double seconds = n.path("tokens").asDouble() / n.path("tokens_per_s").asDouble();
            System.out.printf("step %d: loss %.3f, %d tokens, %.1f audio s, %.0f ms%n", n.path("step").asLong(), n.path("loss").asDouble(),
                    n.path("tokens").asLong(), n.path("audio_seconds").asDouble(), seconds * 1000);
        }
    }
}
