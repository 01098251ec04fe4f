package org.osum4j.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.osum4j.golden.GoldenSuite;
import org.osum4j.train.AdamW;
import org.osum4j.train.TrainRandom;
import org.osum4j.train.Trainable;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code ./osum bench train_step}: the trainable-parameter count of the protocol's tiny config (the number the
 * torch baseline reports, ../shared/bench/README.md), the result line on a micro config, that one step moves
 * exactly the trainable tensors, and config errors. No timing assertions.
 */
class TrainStepBenchTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    /** ../shared/bench/README.md: OSUM link_and_encoder_and_lora on configs/tiny.json. */
    private static final long TINY_TRAINABLE = 5_445_120L;
    /** What the torch baseline's bench_torch.py reports as params_total for configs/tiny.json (docs/benchmarks). */
    private static final long TINY_TOTAL_TORCH = 9_044_736L;

    private static ObjectNode microConfig() throws Exception {
        return MicroBenchConfig.withBench("""
                {"seed": 7, "init_std": 0.5,
                           "train_step": {"batch": 3, "audio_frames": 30, "prompt_tokens": 5, "target_tokens": 4,
                                          "warmup": 0, "repeats": 1,
                                          "optimizer": {"name": "adamw", "lr": 5e-05, "betas": [0.9, 0.99], "eps": 1e-06,
                                                        "weight_decay": 0.01}}}
                """);
    }

    private static JsonNode runOnce(Path dir, JsonNode cfg) throws Exception {
        Path file = dir.resolve("micro.json");
        Files.writeString(file, JSON.writeValueAsString(cfg));
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        int rc = new Bench(System::nanoTime, new PrintStream(buf, true, StandardCharsets.UTF_8))
                .run(new String[]{"train_step", "--config", file.toString(), "--json"});
        assertEquals(0, rc);
        String[] lines = buf.toString(StandardCharsets.UTF_8).strip().split("\n");
        assertEquals(1, lines.length, "one result line");
        return JSON.readTree(lines[0]);
    }

    @Test
    void tinyBenchConfig_trainsExactlyTheProtocolsParameterCount() throws Exception {
        Path tiny = GoldenSuite.defaultDir().resolve("../bench/configs/tiny.json").normalize();
        assertTrue(Files.isRegularFile(tiny), "no bench config at " + tiny);
        TrainStepBench.Setup s = TrainStepBench.build(JSON.readTree(tiny.toFile()));
        assertEquals(TINY_TRAINABLE, s.paramsTrainable());
        assertTrue(s.trainableNames().contains("speech_embed.weight"));
        assertFalse(s.trainableNames().stream().anyMatch(n -> n.contains("embed_positions")), "positional tables train");
        for (String n : s.trainableNames()) {
            if (n.startsWith("llm.")) assertTrue(n.contains(".lora_A.") || n.contains(".lora_B."), "LLM base weight trains: " + n);
        }
        assertEquals(TINY_TOTAL_TORCH, s.paramsTotal());
    }

    @Test
    void trainStep_onMicroConfig_emitsTheProtocolLine(@TempDir Path dir) throws Exception {
        JsonNode line = runOnce(dir, microConfig());
        assertEquals("train_step", line.get("bench").asText());
        assertEquals("ms_per_step", line.get("unit").asText());
        assertTrue(line.get("value").asDouble() > 0);
        JsonNode d = line.get("detail");
        for (String k : List.of("min", "median", "max", "warmup", "repeats", "peak_rss_mib", "params_trainable", "params_total")) {
            assertTrue(d.has(k), k);
        }
        // 30 frames → 15 encoder frames → 4 speech tokens; sequence 5 prompt + bos + 4 + eos + 4 target
        assertEquals(4, d.get("speech_tokens").asInt());
        assertEquals(15, d.get("seq_len").asInt());
        assertEquals(3 * 4, d.get("loss_tokens").asInt(), "loss over every target token of the batch");
        assertTrue(d.get("peak_rss_mib").asDouble() > 0);
        assertEquals(TrainStepBench.build(microConfig()).paramsTrainable(), d.get("params_trainable").asLong());
        assertEquals(2, d.get("warmup").asInt(), "the JIT minimum of 2 warm-up steps replaces the config's 0");
    }

    @Test
    void oneStep_movesEveryTrainableTensorAndNoFrozenOne() throws Exception {
        JsonNode cfg = microConfig();
        TrainStepBench.Setup s = TrainStepBench.build(cfg);
        Map<String, float[]> before = new HashMap<>();
        s.trainable().parameters().forEach((n, a) -> before.put(n, a.dup('c').data().asFloat()));
        Trainable.StepResult r = s.trainable().lossAndGradients(TrainStepBench.inputs(cfg, s), s.trainableNames(), false,
                new TrainRandom(1));
        AdamW.Options o = TrainStepBench.optimizer(cfg.at("/bench/train_step"));
        new AdamW(o).step(s.trainable().parameters(), r.gradients(), o.lr());
        assertEquals(s.trainableNames(), r.gradients().keySet());
        for (Map.Entry<String, INDArray> e : s.trainable().parameters().entrySet()) {
            // LoRA A gets a zero gradient in the first step (B starts at 0) but moves by the decoupled weight decay
            boolean moved = !Arrays.equals(before.get(e.getKey()), e.getValue().dup('c').data().asFloat());
            assertEquals(s.trainableNames().contains(e.getKey()), moved, (moved ? "frozen tensor moved: " : "trainable tensor did not move: ") + e.getKey());
        }
    }

    @Test
    void optimizerOtherThanAdamw_isRejectedNamingTheField(@TempDir Path dir) throws Exception {
        ObjectNode cfg = microConfig();
        ((ObjectNode) cfg.at("/bench/train_step/optimizer")).put("name", "sgd");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> runOnce(dir, cfg));
        assertTrue(e.getMessage().contains("bench.train_step.optimizer.name"), e.getMessage());
    }
}
