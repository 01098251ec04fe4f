package org.osum4j.train;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.osum4j.audio.LogMel;
import org.osum4j.data.DataList;
import org.osum4j.data.DynamicBatcher;
import org.osum4j.data.Examples;
import org.osum4j.data.Filter;
import org.osum4j.data.TaskRegistry;
import org.osum4j.data.Utterance;
import org.osum4j.golden.GoldenSuite;
import org.osum4j.model.OsumModel;
import org.osum4j.model.io.OsumConfig;
import org.osum4j.text.Tokenizer;
import org.osum4j.text.TokenizerBuilder;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Test fixture: a very small random OSUM (width 32, one layer per part) with a BPE tokenizer trained on the
 * first synth-mini utterances and OSUM's prompts, and a collator over those utterances. Built once per JVM
 * (features and tokenizer are the slow parts).
 */
final class TinyOsum {

    static final int UTTERANCES = 8;
    static final int VOCAB = 400;

    /** The own-format config of the test model; vocab/eod filled in from the tokenizer. */
    static String configJson(int vocab, int eod) {
        return """
                {"format": "osum4j-osum",
                 "encoder": {"numMelBins": 80, "dModel": 32, "encoderLayers": 1, "encoderAttentionHeads": 2, "encoderFfnDim": 64,
                             "maxSourcePositions": 1500, "layerNormEps": 1e-5},
                 "adapter": {"dModel": 32, "convKernel": 3, "convStrides": [1, 2, 2], "convLeftPad": 2, "numLayers": 1, "numHeads": 2,
                             "ffnDim": 64, "activation": "relu", "maxPositions": 500, "layerNormEps": 1e-5, "llmHidden": 32},
                 "llm": {"architectures": ["Qwen2ForCausalLM"], "model_type": "qwen2", "hidden_act": "silu", "vocab_size": %d,
                         "hidden_size": 32, "intermediate_size": 64, "num_hidden_layers": 1, "num_attention_heads": 2,
                         "num_key_value_heads": 1, "rms_norm_eps": 1e-6, "rope_theta": 10000.0, "tie_word_embeddings": true,
                         "max_position_embeddings": 2048, "use_sliding_window": false},
                 "lora": {"r": 4, "alpha": 8, "dropout": 0.0, "target_modules": ["down_proj", "gate_proj", "k_proj", "o_proj", "q_proj", "v_proj"]},
                 "speech_token_num": 0, "eod_id": %d, "prompt_pad_id": %d}
                """.formatted(vocab, eod, eod);
    }

    private static TinyOsum instance;

    final List<Utterance> utterances;
    final Tokenizer tokenizer;
    final OsumConfig config;
    final OsumCollator collator;

    private TinyOsum() throws Exception {
        Path list = GoldenSuite.repoRoot().resolve("data/synth-mini/train.jsonl");
        utterances = DataList.read(list).subList(0, UTTERANCES);
        List<String> texts = new ArrayList<>(TaskRegistry.osum().allPrompts());
        for (Utterance u : utterances) texts.add(u.txt());
        tokenizer = TokenizerBuilder.create().vocabSize(VOCAB).train(texts);
        int eod = tokenizer.endOfTextId();
        config = OsumConfig.fromOwnJson(new ObjectMapper().readTree(configJson(VOCAB, eod)), "TinyOsum");
        collator = new OsumCollator(utterances, list.getParent(), LogMel.of(80), new Examples(TaskRegistry.osum(), tokenizer, false),
                Filter.osum(), new DynamicBatcher.Config(1200, 400, 500, 1500));
    }

    static synchronized TinyOsum get() throws Exception {
        if (instance == null) instance = new TinyOsum();
        return instance;
    }

    /** A fresh random model (same seed → same weights). */
    OsumModel model(long seed) {
        return OsumModel.random(config, seed, 0.1);
    }
}
