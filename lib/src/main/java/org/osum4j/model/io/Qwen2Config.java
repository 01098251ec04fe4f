package org.osum4j.model.io;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.nio.file.Path;

/**
 * The shape of a Qwen2 decoder, read from a Hugging Face {@code config.json} ({@code Qwen2ForCausalLM}).
 * Only the fields the math needs are kept; HF's ~80 other keys (generation defaults, label maps) are
 * ignored on purpose, but settings that would change the math and are not implemented (sliding window,
 * rope_scaling, another activation) are errors. A plain record (no ND4J types): the model itself is
 * {@code org.osum4j.model.Qwen2Model}.
 *
 * @param vocabSize             rows of {@code embed_tokens} (152064 for Qwen2-7B, larger than the tokenizer)
 * @param hiddenSize            D, the residual width
 * @param intermediateSize      I, the SwiGLU width
 * @param numLayers             decoder layers
 * @param numHeads              H query heads
 * @param numKvHeads            KV heads (grouped-query attention: H / KV query heads share one KV head)
 * @param rmsNormEps            epsilon inside every RMSNorm's square root
 * @param ropeTheta             RoPE base; inv_freq[i] = 1 / theta^(2i / head_dim)
 * @param tieWordEmbeddings     lm_head is embed_tokens (then the checkpoint has no {@code lm_head.weight})
 * @param maxPositionEmbeddings longest context the checkpoint was trained for (bounds KV caches)
 */
public record Qwen2Config(int vocabSize, int hiddenSize, int intermediateSize, int numLayers, int numHeads,
                          int numKvHeads, double rmsNormEps, double ropeTheta, boolean tieWordEmbeddings,
                          int maxPositionEmbeddings) {

    private static final ObjectMapper JSON = new ObjectMapper();

    public Qwen2Config {
        positive("vocab_size", vocabSize);
        positive("hidden_size", hiddenSize);
        positive("intermediate_size", intermediateSize);
        positive("num_hidden_layers", numLayers);
        positive("num_attention_heads", numHeads);
        positive("num_key_value_heads", numKvHeads);
        positive("max_position_embeddings", maxPositionEmbeddings);
        if (hiddenSize % numHeads != 0) {
            throw new IllegalArgumentException("Qwen2 config: hidden_size " + hiddenSize
                    + " is not a multiple of num_attention_heads " + numHeads);
        }
        if (numHeads % numKvHeads != 0) {
            throw new IllegalArgumentException("Qwen2 config: num_attention_heads " + numHeads
                    + " is not a multiple of num_key_value_heads " + numKvHeads);
        }
        if ((hiddenSize / numHeads) % 2 != 0) {
            throw new IllegalArgumentException("Qwen2 config: head_dim " + hiddenSize / numHeads
                    + " must be even (RoPE rotates half of it)");
        }
        if (!(rmsNormEps > 0) || !(ropeTheta > 0)) {
            throw new IllegalArgumentException("Qwen2 config: rms_norm_eps and rope_theta must be > 0, got "
                    + rmsNormEps + " and " + ropeTheta);
        }
    }

    /** Per-head width: D / H (128 for Qwen2-7B). */
    public int headDim() {
        return hiddenSize / numHeads;
    }

    /** Query heads per KV head (7 for Qwen2-7B). */
    public int groupSize() {
        return numHeads / numKvHeads;
    }

    /** Parameters of the base model (no LoRA): embeddings, layers, final norm, and lm_head unless tied. */
    public long parameterCount() {
        long d = hiddenSize, kv = (long) numKvHeads * headDim(), q = (long) numHeads * headDim();
        long attn = d * q + q + 2 * (d * kv + kv) + q * d;                 // q/k/v with bias, o without
        long mlp = 3L * d * intermediateSize;
        long layer = attn + mlp + 2 * d;                                    // + two RMSNorm weights
        return (long) vocabSize * d * (tieWordEmbeddings ? 1 : 2) + numLayers * layer + d;
    }

    /**
     * Multiply-adds of one token's forward through the layers and the lm_head, attending over
     * {@code context} keys (weights: ≈ parameters; attention: 2·H·hd·context per layer).
     */
    public long macsPerToken(int context) {
        long d = hiddenSize, kv = (long) numKvHeads * headDim(), q = (long) numHeads * headDim();
        long perLayer = d * q + 2 * d * kv + q * d + 3L * d * intermediateSize + 2L * q * context;
        return numLayers * perLayer + (long) vocabSize * d;
    }

    /** Reads a HF {@code config.json}; a missing key is an error that names the file and the key. */
    public static Qwen2Config read(Path configJson) throws IOException {
        JsonNode n;
        try {
            n = JSON.readTree(configJson.toFile());
        } catch (IOException e) {
            throw new IOException(configJson + ": not valid JSON: " + e.getMessage(), e);
        }
        return fromJson(n, configJson.toString());
    }

    /** Parses an already-read HF config; {@code source} names it in error messages. */
    public static Qwen2Config fromJson(JsonNode n, String source) {
        if (n == null || !n.isObject()) throw new IllegalArgumentException(source + ": Qwen2 config must be a JSON object");
        if (n.hasNonNull("model_type") && !n.get("model_type").asText().equals("qwen2")) {
            throw new IllegalArgumentException(source + ": model_type is '" + n.get("model_type").asText() + "', expected 'qwen2'");
        }
        // Features this implementation does not have must not be silently ignored.
        if (n.hasNonNull("hidden_act") && !n.get("hidden_act").asText().equals("silu")) {
            throw new IllegalArgumentException(source + ": hidden_act '" + n.get("hidden_act").asText() + "' is not supported (only silu)");
        }
        if (n.path("use_sliding_window").asBoolean(false)) {
            throw new IllegalArgumentException(source + ": use_sliding_window = true is not supported (full causal attention only)");
        }
        if (n.hasNonNull("rope_scaling")) {
            throw new IllegalArgumentException(source + ": rope_scaling " + n.get("rope_scaling") + " is not supported (plain RoPE only)");
        }
        return new Qwen2Config(
                intKey(n, "vocab_size", source),
                intKey(n, "hidden_size", source),
                intKey(n, "intermediate_size", source),
                intKey(n, "num_hidden_layers", source),
                intKey(n, "num_attention_heads", source),
                intKey(n, "num_key_value_heads", source),
                doubleKey(n, "rms_norm_eps", source),
                doubleKey(n, "rope_theta", source),
                // HF's PretrainedConfig default is true, but a Qwen2 config always writes it; demand it.
                boolKey(n, "tie_word_embeddings", source),
                intKey(n, "max_position_embeddings", source));
    }

    private static JsonNode need(JsonNode n, String key, String source) {
        JsonNode v = n.get(key);
        if (v == null || v.isNull()) {
            throw new IllegalArgumentException(source + ": Qwen2 config has no '" + key + "'");
        }
        return v;
    }

    private static int intKey(JsonNode n, String key, String source) {
        JsonNode v = need(n, key, source);
        if (!v.canConvertToInt() || !v.isIntegralNumber()) {
            throw new IllegalArgumentException(source + ": '" + key + "' must be an integer, got " + v);
        }
        return v.asInt();
    }

    private static double doubleKey(JsonNode n, String key, String source) {
        JsonNode v = need(n, key, source);
        if (!v.isNumber()) throw new IllegalArgumentException(source + ": '" + key + "' must be a number, got " + v);
        return v.asDouble();
    }

    private static boolean boolKey(JsonNode n, String key, String source) {
        JsonNode v = need(n, key, source);
        if (!v.isBoolean()) throw new IllegalArgumentException(source + ": '" + key + "' must be true/false, got " + v);
        return v.asBoolean();
    }

    private static void positive(String key, int v) {
        if (v <= 0) throw new IllegalArgumentException("Qwen2 config: " + key + " must be > 0, got " + v);
    }
}
