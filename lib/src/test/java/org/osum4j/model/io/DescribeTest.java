package org.osum4j.model.io;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/** Describe: parameter counts per part against sums taken from the golden osum_tiny meta.json and config.json. */
class DescribeTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void osumTiny_totalEqualsMetaStateDictAndLoraPartEqualsRankFormula() throws IOException {
        JsonNode meta = JSON.readTree(TorchCheckpointTest.osumTiny().resolve("meta.json").toFile());
        long expectedTotal = 0;
        for (JsonNode t : meta.get("state_dict")) {
            long n = 1;
            for (JsonNode d : t.get("shape")) n *= d.asLong();
            expectedTotal += n;
        }
        Map<String, TensorData> sd = TorchCheckpoint.open(TorchCheckpointTest.osumTiny().resolve("infer.pt")).stateDict();
        Describe d = Describe.of(sd);
        assertEquals(expectedTotal, d.totalParameters());
        assertEquals(expectedTotal * 4, d.total().storedBytes()); // all F32
        assertEquals(expectedTotal * 2, d.total().bytesAs(DType.BF16));

        // LoRA: r * (in + out) per adapted linear, targets q,k,v,o,gate,down
        JsonNode llm = JSON.readTree(TorchCheckpointTest.osumTiny().resolve("config.json").toFile()).get("derived");
        long r = llm.get("lora_rank").asLong();
        long h = llm.get("llm").get("hidden_size").asLong();
        long kv = h / llm.get("llm").get("num_attention_heads").asLong() * llm.get("llm").get("num_key_value_heads").asLong();
        long i = llm.get("llm").get("intermediate_size").asLong();
        long perLayer = r * ((h + h) + (h + kv) + (h + kv) + (h + h) + (h + i) + (i + h));
        long lora = perLayer * llm.get("llm").get("num_hidden_layers").asLong();
        Describe.Row loraRow = d.rows().stream().filter(x -> x.part().equals("llama_model lora")).findFirst().orElseThrow();
        assertEquals(lora, loraRow.parameters());
        assertEquals(d.totalParameters(), d.rows().stream().mapToLong(Describe.Row::parameters).sum());
        String table = d.toString();
        System.out.println(table);
        System.out.println(Describe.of(NameMapping.fromOsum(sd).canonical()));
        assertTrue(table.contains("llama_model lora") && table.contains("total"), table);
    }

    @Test
    void ofShapes_mixedDtypesAndNoData() {
        Describe d = Describe.of(Map.of("a.w", new long[]{1000, 1000}, "b.w", new long[]{10}),
                Map.of("a.w", DType.BF16, "b.w", DType.F32), Describe::partOf);
        assertEquals(1_000_010, d.totalParameters());
        assertEquals(2_000_040, d.total().storedBytes());
        assertEquals("1.91 MiB", Describe.bytes(2_000_040));
        assertEquals("512 B", Describe.bytes(512));
    }
}
