package org.osum4j.model.io;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;

import static org.osum4j.model.io.SpeechConfigKeys.*;

/**
 * Dimensions of a Whisper-style speech encoder (HF {@code WhisperEncoder}, OSUM's wenet
 * {@code TransformerEncoder} with {@code conv1d2} + {@code abs_pos_whisper}). Read from an HF
 * {@code config.json} or from OSUM's config ({@code input_dim} + {@code encoder_conf}). Only the encoder
 * fields; the decoder fields of an HF Whisper config are ignored. No ND4J types (package {@code model.io}).
 *
 * @param numMelBins            input features per frame (80 for OSUM / Whisper-medium)
 * @param dModel                hidden width D (1024 for Whisper-medium)
 * @param encoderLayers         number of pre-LN blocks
 * @param encoderAttentionHeads heads H; D must be divisible by H
 * @param encoderFfnDim         feed-forward width F
 * @param maxSourcePositions    rows of the positional table = output frames of a 30 s window (1500);
 *                              an input may have up to 2× this many frames
 * @param layerNormEps          LayerNorm epsilon; HF Whisper configs don't store it, torch's default 1e-5 applies
 */
public record WhisperConfig(int numMelBins, int dModel, int encoderLayers, int encoderAttentionHeads,
                            int encoderFfnDim, int maxSourcePositions, double layerNormEps) {

    /** torch {@code nn.LayerNorm} default, used by HF Whisper and wenet alike. */
    public static final double DEFAULT_LAYER_NORM_EPS = 1e-5;
    /** OSUM's {@code WhisperPositionalEncoding} table length (30 s at 50 frames/s after the stride-2 conv). */
    public static final int OSUM_MAX_SOURCE_POSITIONS = 1500;

    public WhisperConfig {
        if (numMelBins < 1 || dModel < 1 || encoderLayers < 0 || encoderAttentionHeads < 1 || encoderFfnDim < 1 || maxSourcePositions < 1) {
            throw new IllegalArgumentException("WhisperConfig: sizes must be positive: " + describe(numMelBins, dModel,
                    encoderLayers, encoderAttentionHeads, encoderFfnDim, maxSourcePositions));
        }
        if (dModel % encoderAttentionHeads != 0) {
            throw new IllegalArgumentException("WhisperConfig: d_model " + dModel + " is not divisible by "
                    + encoderAttentionHeads + " attention heads");
        }
        if (!(layerNormEps > 0)) throw new IllegalArgumentException("WhisperConfig: layer_norm_eps must be > 0, got " + layerNormEps);
    }

    private static String describe(int m, int d, int l, int h, int f, int p) {
        return "num_mel_bins " + m + ", d_model " + d + ", layers " + l + ", heads " + h + ", ffn " + f + ", positions " + p;
    }

    /** Head size D / H (64 for every released Whisper). */
    public int headDim() {
        return dModel / encoderAttentionHeads;
    }

    /** Most input frames the positional table covers: 2 · maxSourcePositions (3000 = 30 s). */
    public int maxInputFrames() {
        return 2 * maxSourcePositions;
    }

    /** Output frames for t input frames after the stride-2 conv: ⌊(t − 1)/2⌋ + 1 = ⌈t/2⌉. */
    public static int outputFrames(int t) {
        return (t - 1) / 2 + 1;
    }

    public WhisperConfig withMaxSourcePositions(int positions) {
        return new WhisperConfig(numMelBins, dModel, encoderLayers, encoderAttentionHeads, encoderFfnDim, positions, layerNormEps);
    }

    // ---- HF config.json --------------------------------------------------------------------------

    /** From an HF Whisper {@code config.json} (full dump or a minimal one with the encoder keys). */
    public static WhisperConfig fromHfConfig(Path configJson) throws IOException {
        return fromHf(readMap(configJson), configJson.toString());
    }

    /**
     * From HF keys: required {@code num_mel_bins, d_model, encoder_layers, encoder_attention_heads,
     * encoder_ffn_dim, max_source_positions}; optional {@code layer_norm_eps}. {@code model_type} (when
     * present) must be whisper and {@code activation_function} gelu, the only variants implemented.
     */
    public static WhisperConfig fromHf(Map<String, Object> m, String where) {
        expectValue(m, "model_type", where, "only Whisper encoders are implemented", "whisper");
        expectValue(m, "activation_function", where, "the encoder implements exact GELU only", "gelu");
        expectValue(m, "scale_embedding", where, "the encoder never scales its input", false);
        return new WhisperConfig(requiredInt(m, "num_mel_bins", where), requiredInt(m, "d_model", where),
                requiredInt(m, "encoder_layers", where), requiredInt(m, "encoder_attention_heads", where),
                requiredInt(m, "encoder_ffn_dim", where), requiredInt(m, "max_source_positions", where),
                optionalDouble(m, "layer_norm_eps", DEFAULT_LAYER_NORM_EPS, where));
    }

    // ---- OSUM config (yaml, or the osum_tiny fixture's config.json "osum" section) ---------------

    /** Keys of wenet's {@code encoder_conf} that this encoder understands (values checked below). */
    private static final Set<String> OSUM_ENCODER_KEYS = Set.of("output_size", "attention_heads", "linear_units",
            "num_blocks", "dropout_rate", "positional_dropout_rate", "attention_dropout_rate", "input_layer",
            "pos_enc_layer_type", "normalize_before", "static_chunk_size", "use_dynamic_chunk",
            "use_dynamic_left_chunk", "activation_type", "key_bias", "gradient_checkpointing", "concat_after");

    /**
     * From an OSUM config file: a YAML like {@code conf/config_llm_huawei_base-version.yaml}, or a JSON
     * whose {@code "osum"} section holds those keys (the {@code osum_tiny} fixture).
     */
    public static WhisperConfig fromOsumConfig(Path file) throws IOException {
        Map<String, Object> m = readMap(file);
        if (m.get("osum") instanceof Map<?, ?>) m = section(m, "osum", file.toString());
        return fromOsum(m, OSUM_MAX_SOURCE_POSITIONS, file.toString());
    }

    /**
     * From OSUM's top-level map: {@code input_dim} and {@code encoder_conf}. Unknown {@code encoder_conf}
     * keys are an error, and so are values naming a variant not implemented here (another input layer,
     * positional encoding, activation, post-LN, a key bias, chunked attention).
     */
    public static WhisperConfig fromOsum(Map<String, Object> osum, int maxSourcePositions, String where) {
        expectValue(osum, "encoder", where, "only wenet's TransformerEncoder is implemented", "transformer");
        Map<String, Object> e = section(osum, "encoder_conf", where);
        String w = where + " encoder_conf";
        rejectUnknown(e, OSUM_ENCODER_KEYS, w);
        expectValue(e, "input_layer", w, "Whisper conv stem only", "conv1d2");
        expectValue(e, "pos_enc_layer_type", w, "Whisper positional table only", "abs_pos_whisper");
        expectValue(e, "normalize_before", w, "pre-LN blocks only", true);
        expectValue(e, "activation_type", w, "exact GELU only", "gelu");
        expectValue(e, "key_bias", w, "Whisper has no key bias", false);
        expectValue(e, "static_chunk_size", w, "full-context attention only", -1, 0);
        expectValue(e, "use_dynamic_chunk", w, "full-context attention only", false);
        expectValue(e, "concat_after", w, "residual blocks only", false);
        return new WhisperConfig(requiredInt(osum, "input_dim", where), requiredInt(e, "output_size", w),
                requiredInt(e, "num_blocks", w), requiredInt(e, "attention_heads", w), requiredInt(e, "linear_units", w),
                maxSourcePositions, DEFAULT_LAYER_NORM_EPS);
    }
}
