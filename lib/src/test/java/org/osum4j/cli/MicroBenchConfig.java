package org.osum4j.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The micro model the benchmark tests share, in the layout of ../shared/bench/configs/tiny.json (encoder/adapter
 * and LLM width 16, vocab 50, LoRA r 2 on q/k/v/o/gate/down): each test adds its own {@code bench} section.
 */
final class MicroBenchConfig {

    private static final ObjectMapper JSON = new ObjectMapper();

    private MicroBenchConfig() {}

    /** The micro model with {@code benchJson} (a JSON object) as its {@code bench} section. */
    static ObjectNode withBench(String benchJson) throws Exception {
        ObjectNode c = (ObjectNode) JSON.readTree("""
                {"name": "micro", "n_mels": 8,
                 "encoder": {"d_model": 16, "encoder_layers": 1, "encoder_attention_heads": 2, "encoder_ffn_dim": 32,
                             "max_source_positions": 50, "activation_function": "gelu", "layer_norm_eps": 1e-05},
                 "adapter": {"conv_kernel_size": 3, "conv_strides": [1, 2, 2], "conv_left_pad": 2, "d_model": 16,
                             "num_layers": 1, "num_attention_heads": 2, "ffn_dim": 24, "activation_function": "relu",
                             "max_position_embeddings": 100, "layer_norm_eps": 1e-05},
                 "llm": {"model_type": "qwen2", "vocab_size": 50, "hidden_size": 16, "intermediate_size": 24,
                         "num_hidden_layers": 2, "num_attention_heads": 4, "num_key_value_heads": 2, "hidden_act": "silu",
                         "rms_norm_eps": 1e-06, "rope_theta": 10000.0, "tie_word_embeddings": false,
                         "max_position_embeddings": 256},
                 "lora": {"r": 2, "lora_alpha": 8, "lora_dropout": 0.0,
                          "target_modules": ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "down_proj"]}}
                """);
        c.set("bench", JSON.readTree(benchJson));
        return c;
    }
}
