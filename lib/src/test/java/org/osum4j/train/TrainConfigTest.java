package org.osum4j.train;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Reading training configs: defaults, YAML and JSON, strict keys and types. */
class TrainConfigTest {

    @TempDir
    Path dir;

    @Test
    void read_yaml_overridesDefaultsKeepsTheRest() throws Exception {
        Path f = dir.resolve("train.yaml");
        Files.writeString(f, """
                output_dir: runs/a
                steps: 300
                optimizer: {lr: 1e-4, betas: [0.9, 0.98]}
                schedule: {kind: cosine, warmup_steps: 30, min_lr: 1.0e-6}
                stage: adapter
                """);
        TrainConfig c = TrainConfig.read(f);
        assertEquals(300, c.steps());
        assertEquals(1e-4, c.optimizer().lr());
        assertEquals(0.98, c.optimizer().beta2());
        assertEquals(1e-6, c.optimizer().eps(), "default eps kept");
        assertEquals(4, c.accumulation(), "OSUM default accumulation");
        assertEquals(TrainConfig.OSUM_SEED, c.seed());
        assertEquals(Stages.ADAPTER, c.stage());
        assertEquals(1e-4, c.lrSchedule().lr(30), 1e-15);
    }

    @Test
    void read_json_andRoundTripThroughToMap() throws Exception {
        Path f = dir.resolve("train.json");
        Files.writeString(f, "{\"output_dir\": \"o\", \"stage\": \"custom\", \"trainable_patterns\": [\"adapter\\\\..*\"], \"seed\": 1}");
        TrainConfig c = TrainConfig.read(f);
        assertEquals(List.of("adapter\\..*"), c.trainablePatterns());
        assertEquals(c, TrainConfig.fromMap(c.toMap(), "map"));
        assertTrue(c.trainable().test("adapter.proj.weight"));
    }

    @Test
    void read_unknownKey_namesFileAndKey() throws Exception {
        Path f = dir.resolve("bad.yaml");
        Files.writeString(f, "output_dir: o\nlearning_rate: 0.1\n");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TrainConfig.read(f));
        assertTrue(e.getMessage().contains("bad.yaml") && e.getMessage().contains("'learning_rate'"), e.getMessage());
        Files.writeString(f, "output_dir: o\noptimizer: {lr: 0.1, momentum: 0.9}\n");
        e = assertThrows(IllegalArgumentException.class, () -> TrainConfig.read(f));
        assertTrue(e.getMessage().contains("'optimizer.momentum'"), e.getMessage());
    }

    @Test
    void read_wrongTypeOrBadValue_isAnError() throws Exception {
        Path f = dir.resolve("bad.yaml");
        Files.writeString(f, "output_dir: o\nsteps: many\n");
        assertTrue(assertThrows(IllegalArgumentException.class, () -> TrainConfig.read(f)).getMessage().contains("'steps'"));
        Files.writeString(f, "output_dir: o\nstage: decoder\n");
        assertTrue(assertThrows(IllegalArgumentException.class, () -> TrainConfig.read(f)).getMessage().contains("decoder"));
        Files.writeString(f, "steps: 3\n");
        assertTrue(assertThrows(IllegalArgumentException.class, () -> TrainConfig.read(f)).getMessage().contains("output_dir"));
    }

    @Test
    void osum_defaultsAreTheShippedRecipe() {
        TrainConfig c = TrainConfig.osum(Path.of("o"));
        assertEquals(5e-5, c.optimizer().lr());
        assertEquals(0.99, c.optimizer().beta2());
        assertEquals(5.0, c.clip());
        assertEquals(1250, c.checkpointEvery());
        assertEquals(5e-5, c.lrSchedule().lr(8000), 1e-15, "WarmupLR peaks at step 8000");
        assertEquals(Stages.ADAPTER_ENCODER_LORA, c.stage());
    }
}
