package org.osum4j.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The encoder and decode benchmarks on a micro config (same layout as ../shared/bench/configs/tiny.json, all
 * sizes tiny, one repeat): result-line names, units, the workload sizes the protocol fixes (output shape,
 * prefill length, new tokens), and that both decode paths emit the same greedy tokens. No timing assertions.
 */
class BenchWorkloadsTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** A micro model in the bench-config layout: encoder/adapter width 16, LLM width 16, vocab 50. */
    private static ObjectNode microConfig() throws Exception {
        return MicroBenchConfig.withBench("""
                {"seed": 7, "init_std": 0.5,
                           "encoder": {"frames": 21, "batches": [1, 3], "warmup": 0, "repeats": 1},
                           "decode": {"prompt_tokens": 5, "audio_frames": 30, "new_tokens": 6, "warmup": 0, "repeats": 1}}
                """);
    }

    private static List<JsonNode> run(Path dir, JsonNode cfg, String bench) throws Exception {
        Path file = dir.resolve("micro.json");
        Files.writeString(file, JSON.writeValueAsString(cfg));
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        int rc = new Bench(System::nanoTime, new PrintStream(buf, true, StandardCharsets.UTF_8))
                .run(new String[]{bench, "--config", file.toString(), "--json"});
        assertEquals(0, rc);
        List<JsonNode> lines = new ArrayList<>();
        for (String l : buf.toString(StandardCharsets.UTF_8).split("\n")) if (!l.isBlank()) lines.add(JSON.readTree(l));
        return lines;
    }

    @Test
    void encoder_emitsOneLinePerBatchWithTheAdapterOutputShape(@TempDir Path dir) throws Exception {
        List<JsonNode> lines = run(dir, microConfig(), "encoder");
        assertEquals(2, lines.size());
        int[] batches = {1, 3};
        for (int i = 0; i < 2; i++) {
            JsonNode l = lines.get(i);
            assertEquals("encoder_b" + batches[i], l.get("bench").asText());
            assertEquals("ms_per_window", l.get("unit").asText());
            assertEquals("micro", l.get("config").asText());
            assertTrue(l.get("value").asDouble() > 0);
            // 21 frames → 11 encoder frames → 6 → 3 speech tokens (adapter ×4) of the LLM width 16
            assertEquals(List.of(batches[i], 3, 16), List.of(l.at("/detail/output_shape/0").asInt(),
                    l.at("/detail/output_shape/1").asInt(), l.at("/detail/output_shape/2").asInt()));
            assertEquals(11, l.at("/detail/encoder_frames").asInt());
            for (String k : List.of("min", "median", "max", "warmup", "repeats", "batch")) assertTrue(l.get("detail").has(k), k);
        }
    }

    @Test
    void decode_reportsTheProtocolSizesAndBothPathsChooseTheSameTokens(@TempDir Path dir) throws Exception {
        JsonNode fast = run(dir, microConfig(), "decode").get(0);
        String old = System.getProperty("osum.bench.decode");
        JsonNode nd4j;
        try {
            System.setProperty("osum.bench.decode", "nd4j");
            nd4j = run(dir, microConfig(), "decode").get(0);
        } finally {
            if (old == null) System.clearProperty("osum.bench.decode"); else System.setProperty("osum.bench.decode", old);
        }
        assertEquals("decode", fast.get("bench").asText());
        assertEquals("tokens_per_s", fast.get("unit").asText());
        JsonNode d = fast.get("detail");
        // 30 frames → 15 encoder frames → 4 speech tokens; prefill = 5 prompt + bos + 4 + eos
        assertEquals(4, d.get("speech_tokens").asInt());
        assertEquals(11, d.get("prefill_len").asInt());
        assertEquals(6, d.get("new_tokens").asInt());
        assertEquals("merged", d.get("lora").asText());
        for (String k : List.of("prefill_ms", "encode_ms", "decode_ms")) assertTrue(d.get(k).asDouble() > 0, k);
        assertEquals(6 / (d.get("decode_ms").asDouble() / 1000), fast.get("value").asDouble(), fast.get("value").asDouble() * 1e-4);
        assertTrue(d.get("decode_path").asText().startsWith("Qwen2FastDecoder"));
        assertTrue(nd4j.at("/detail/decode_path").asText().startsWith("Qwen2Model.forward"));
        assertEquals(d.get("last"), nd4j.at("/detail/last"), "the plain-Java and ND4J decode paths chose different tokens");
    }

    @Test
    void config_withMismatchedAdapterWidth_isRejectedNamingTheField(@TempDir Path dir) throws Exception {
        ObjectNode cfg = microConfig();
        ((ObjectNode) cfg.get("adapter")).put("d_model", 32);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> run(dir, cfg, "encoder"));
        assertTrue(e.getMessage().contains("adapter.d_model"), e.getMessage());
    }
}
