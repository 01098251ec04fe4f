package org.osum4j.cli;

import com.fasterxml.jackson.databind.JsonNode;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.osum4j.model.io.AdapterConfig;
import org.osum4j.model.io.LoraConfig;
import org.osum4j.model.io.Qwen2Config;
import org.osum4j.model.io.WhisperConfig;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Reads the model sections of a benchmark config ({@code ../shared/bench/configs/*.json}: {@code n_mels},
 * {@code encoder}, {@code adapter}, {@code llm}, {@code lora}, {@code bench}) into the model's config
 * records, and makes the benchmark's random inputs. Missing or mistyped fields are errors naming the field;
 * it does not build models (the benchmarks call the models' own {@code random} factories).
 */
final class BenchModels {

    private BenchModels() {}

    /** The {@code encoder} section (HF WhisperConfig names) with the top-level {@code n_mels}. */
    static WhisperConfig whisper(JsonNode cfg) {
        JsonNode e = section(cfg, "encoder");
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("num_mel_bins", intOf(cfg, "n_mels", ""));
        for (String k : List.of("d_model", "encoder_layers", "encoder_attention_heads", "encoder_ffn_dim", "max_source_positions")) {
            m.put(k, intOf(e, k, "encoder."));
        }
        m.put("layer_norm_eps", doubleOf(e, "layer_norm_eps", "encoder."));
        if (e.hasNonNull("activation_function")) m.put("activation_function", e.get("activation_function").asText());
        return WhisperConfig.fromHf(m, "bench config encoder");
    }

    /** The {@code adapter} section; the projection width is {@code llm.hidden_size}. */
    static AdapterConfig adapter(JsonNode cfg) {
        JsonNode a = section(cfg, "adapter");
        JsonNode strides = a.get("conv_strides");
        if (strides == null || !strides.isArray()) throw new IllegalArgumentException("bench config: adapter.conv_strides must be a list");
        List<Integer> s = new ArrayList<>();
        strides.forEach(x -> s.add(x.asInt()));
        int d = intOf(a, "d_model", "adapter.");
        int encoderD = intOf(section(cfg, "encoder"), "d_model", "encoder.");
        if (d != encoderD) {
            throw new IllegalArgumentException("bench config: adapter.d_model " + d + " must equal encoder.d_model " + encoderD);
        }
        return new AdapterConfig(d, intOf(a, "conv_kernel_size", "adapter."), s, intOf(a, "conv_left_pad", "adapter."),
                intOf(a, "num_layers", "adapter."), intOf(a, "num_attention_heads", "adapter."), intOf(a, "ffn_dim", "adapter."),
                a.path("activation_function").asText("relu"), intOf(a, "max_position_embeddings", "adapter."),
                doubleOf(a, "layer_norm_eps", "adapter."), intOf(section(cfg, "llm"), "hidden_size", "llm."));
    }

    /** The {@code llm} section (HF Qwen2Config names). */
    static Qwen2Config qwen2(JsonNode cfg) {
        return Qwen2Config.fromJson(section(cfg, "llm"), "bench config llm");
    }

    /** The {@code lora} section (peft names). */
    static LoraConfig lora(JsonNode cfg) {
        JsonNode l = section(cfg, "lora");
        List<String> targets = new ArrayList<>();
        l.path("target_modules").forEach(x -> targets.add(x.asText()));
        if (targets.isEmpty()) throw new IllegalArgumentException("bench config: lora.target_modules is empty");
        return new LoraConfig(intOf(l, "r", "lora."), doubleOf(l, "lora_alpha", "lora."), l.path("lora_dropout").asDouble(0),
                new HashSet<>(targets));
    }

    /** {@code bench.seed}: seed of every random weight and input. */
    static long seed(JsonNode cfg) {
        return section(section(cfg, "bench"), "seed").asLong();
    }

    /** {@code bench.init_std}: standard deviation of the random weights (0.02). */
    static double initStd(JsonNode cfg) {
        return doubleOf(section(cfg, "bench"), "init_std", "bench.");
    }

    /** Standard-normal float32 array of the given shape (benchmark inputs; values do not affect timings). */
    static INDArray gaussian(Random rng, long... shape) {
        long n = 1;
        for (long s : shape) n *= s;
        float[] v = new float[Math.toIntExact(n)];
        for (int i = 0; i < v.length; i++) v[i] = (float) rng.nextGaussian();
        return Nd4j.create(v, shape, 'c');
    }

    /** Random token ids in [0, vocab), shape [1, n], int64. */
    static INDArray tokenIds(Random rng, int n, int vocab) {
        long[] ids = new long[n];
        for (int i = 0; i < n; i++) ids[i] = rng.nextInt(vocab);
        return Nd4j.createFromArray(ids).reshape(1, n).castTo(DataType.INT64);
    }

    static JsonNode section(JsonNode n, String key) {
        JsonNode s = n.get(key);
        if (s == null || s.isNull()) throw new IllegalArgumentException("bench config: no '" + key + "'");
        return s;
    }

    private static int intOf(JsonNode n, String key, String where) {
        JsonNode v = n.get(key);
        if (v == null || !v.isIntegralNumber()) throw new IllegalArgumentException("bench config: " + where + key + " must be an integer, got " + v);
        return v.asInt();
    }

    private static double doubleOf(JsonNode n, String key, String where) {
        JsonNode v = n.get(key);
        if (v == null || !v.isNumber()) throw new IllegalArgumentException("bench config: " + where + key + " must be a number, got " + v);
        return v.asDouble();
    }
}
