package org.osum4j.model.io;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.osum4j.golden.GoldenSuite;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class Qwen2ConfigTest {

    @Test
    void read_fixtureConfig_headDimMatchesProjectionShapes() throws Exception {
        for (String fx : new String[]{"qwen2_a", "qwen2_b"}) {
            Path dir = GoldenSuite.defaultDir().resolve(fx);
            Qwen2Config c = Qwen2Config.read(dir.resolve("config.json"));
            SafeTensors st = SafeTensors.read(dir.resolve("model.safetensors"));
            assertArrayEquals(new long[]{(long) c.numHeads() * c.headDim(), c.hiddenSize()},
                    st.get("model.layers.0.self_attn.q_proj.weight").shape(), fx);
            assertArrayEquals(new long[]{(long) c.numKvHeads() * c.headDim(), c.hiddenSize()},
                    st.get("model.layers.0.self_attn.k_proj.weight").shape(), fx);
            assertEquals(c.tieWordEmbeddings(), !st.has("lm_head.weight"), fx + ": tied iff the file has no lm_head");
            assertEquals(c.numHeads() / c.numKvHeads(), c.groupSize());
        }
    }

    @Test
    void read_missingKey_namesFileAndKey(@TempDir Path tmp) throws Exception {
        Path f = tmp.resolve("config.json");
        Files.writeString(f, "{\"model_type\":\"qwen2\",\"vocab_size\":10,\"hidden_size\":8,\"intermediate_size\":16,"
                + "\"num_hidden_layers\":1,\"num_attention_heads\":2,\"num_key_value_heads\":1,\"rms_norm_eps\":1e-6,"
                + "\"tie_word_embeddings\":false,\"max_position_embeddings\":64}");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Qwen2Config.read(f));
        assertTrue(e.getMessage().contains("rope_theta") && e.getMessage().contains(f.toString()), e.getMessage());
    }

    @Test
    void fromJson_wrongModelTypeOrIndivisibleHeads_isRejected() throws Exception {
        var json = new com.fasterxml.jackson.databind.ObjectMapper();
        String ok = "\"vocab_size\":10,\"hidden_size\":8,\"intermediate_size\":16,\"num_hidden_layers\":1,"
                + "\"num_key_value_heads\":1,\"rms_norm_eps\":1e-6,\"rope_theta\":1e4,\"tie_word_embeddings\":true,\"max_position_embeddings\":64";
        assertThrows(IllegalArgumentException.class, () -> Qwen2Config.fromJson(
                json.readTree("{\"model_type\":\"llama\",\"num_attention_heads\":2," + ok + "}"), "x"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Qwen2Config.fromJson(
                json.readTree("{\"num_attention_heads\":3," + ok + "}"), "x"));
        assertTrue(e.getMessage().contains("num_attention_heads"), e.getMessage());
        Qwen2Config c = Qwen2Config.fromJson(json.readTree("{\"num_attention_heads\":2," + ok + "}"), "x");
        assertEquals(4, c.headDim());
    }

    @Test
    void parameterCount_equalsTheFixtureCheckpointElementCount() throws Exception {
        for (String fx : new String[]{"qwen2_a", "qwen2_b"}) {
            Path dir = GoldenSuite.defaultDir().resolve(fx);
            Qwen2Config c = Qwen2Config.read(dir.resolve("config.json"));
            long n = 0;
            for (TensorData t : SafeTensors.read(dir.resolve("model.safetensors")).tensors().values()) n += t.numel();
            assertEquals(n, c.parameterCount(), fx);
        }
    }

    @Test
    void fromJson_unsupportedSlidingWindowOrRopeScaling_isRejected() throws Exception {
        var json = new com.fasterxml.jackson.databind.ObjectMapper();
        String ok = "\"vocab_size\":10,\"hidden_size\":8,\"intermediate_size\":16,\"num_hidden_layers\":1,\"num_attention_heads\":2,"
                + "\"num_key_value_heads\":1,\"rms_norm_eps\":1e-6,\"rope_theta\":1e4,\"tie_word_embeddings\":true,\"max_position_embeddings\":64";
        assertThrows(IllegalArgumentException.class, () -> Qwen2Config.fromJson(json.readTree("{\"use_sliding_window\":true," + ok + "}"), "x"));
        assertThrows(IllegalArgumentException.class, () -> Qwen2Config.fromJson(
                json.readTree("{\"rope_scaling\":{\"type\":\"yarn\"}," + ok + "}"), "x"));
        Qwen2Config.fromJson(json.readTree("{\"use_sliding_window\":false,\"rope_scaling\":null," + ok + "}"), "x");
    }

    @Test
    void loraOsum_scalesByAlphaOverRAndSkipsUpProj() {
        LoraConfig l = LoraConfig.osum();
        assertEquals(4.0, l.scaling());
        assertEquals(Set.of("q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "down_proj"), l.targetModules());
        assertFalse(l.targets("up_proj"));
        assertThrows(IllegalArgumentException.class, () -> new LoraConfig(8, 32, 0, Set.of("qproj")));
        assertThrows(IllegalArgumentException.class, () -> new LoraConfig(0, 32, 0, Set.of("q_proj")));
    }
}
