package org.osum4j.model.io;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.osum4j.model.io.SpeechConfigKeys.*;

/**
 * Dimensions of OSUM's speech adapter ({@code adapter_type: gxl}, {@code downsample_rate: 4}): the causal
 * conv downsampler GxlConv1dSubsampling4, the small wenet transformer ({@code speech_transformer}) and
 * the projection to the LLM width. OSUM hard-codes the transformer sizes in {@code LLMASR_Model}; they are
 * not in its YAML, hence {@link #osum}. No ND4J types (package {@code model.io}).
 *
 * @param dModel       width D of the encoder output, kept through the whole adapter
 * @param convKernel   kernel of each downsampling conv (3)
 * @param convStrides  stride of each conv, in order ([1, 2, 2]: ×4 fewer frames)
 * @param convLeftPad  causal zero frames added on the left before each conv (2 = kernel − 1)
 * @param numLayers    transformer blocks (OSUM: 4)
 * @param numHeads     attention heads (OSUM: 4)
 * @param ffnDim       feed-forward width (OSUM: 2560)
 * @param activation   feed-forward activation: "relu" (wenet's default, which OSUM doesn't override)
 * @param maxPositions rows of the interleaved sinusoid table (wenet max_len 5000)
 * @param layerNormEps LayerNorm epsilon (1e-5)
 * @param llmHidden    LLM hidden size the speech embeddings are projected to (3584 for Qwen2-7B)
 */
public record AdapterConfig(int dModel, int convKernel, List<Integer> convStrides, int convLeftPad, int numLayers,
                            int numHeads, int ffnDim, String activation, int maxPositions, double layerNormEps,
                            int llmHidden) {

    /** What {@code LLMASR_Model.__init__} hard-codes for the gxl adapter. */
    public static final int OSUM_LAYERS = 4, OSUM_HEADS = 4, OSUM_FFN = 2560, OSUM_CONV_KERNEL = 3, OSUM_LEFT_PAD = 2;
    public static final List<Integer> OSUM_STRIDES = List.of(1, 2, 2);
    /** wenet {@code PositionalEncoding} default max_len. */
    public static final int OSUM_MAX_POSITIONS = 5000;

    public AdapterConfig {
        convStrides = List.copyOf(convStrides);
        if (dModel < 1 || convKernel < 1 || convStrides.isEmpty() || convLeftPad < 0 || numLayers < 0 || numHeads < 1
                || ffnDim < 1 || maxPositions < 1 || llmHidden < 1) {
            throw new IllegalArgumentException("AdapterConfig: sizes must be positive: d_model " + dModel + ", kernel "
                    + convKernel + ", strides " + convStrides + ", left pad " + convLeftPad + ", layers " + numLayers
                    + ", heads " + numHeads + ", ffn " + ffnDim + ", positions " + maxPositions + ", llm hidden " + llmHidden);
        }
        for (int s : convStrides) if (s < 1) throw new IllegalArgumentException("AdapterConfig: conv stride " + s + " < 1");
        if (dModel % numHeads != 0) {
            throw new IllegalArgumentException("AdapterConfig: d_model " + dModel + " is not divisible by " + numHeads + " heads");
        }
        if (!activation.equals("relu") && !activation.equals("gelu")) {
            throw new IllegalArgumentException("AdapterConfig: activation '" + activation + "' (expected relu or gelu)");
        }
    }

    /** OSUM's adapter for an encoder of width {@code dModel} and an LLM of width {@code llmHidden}. */
    public static AdapterConfig osum(int dModel, int llmHidden) {
        return new AdapterConfig(dModel, OSUM_CONV_KERNEL, OSUM_STRIDES, OSUM_LEFT_PAD, OSUM_LAYERS, OSUM_HEADS, OSUM_FFN,
                "relu", OSUM_MAX_POSITIONS, WhisperConfig.DEFAULT_LAYER_NORM_EPS, llmHidden);
    }

    public int headDim() {
        return dModel / numHeads;
    }

    /** Speech frames out of the downsampler for t encoder frames: ⌈t/s⌉ per conv (causal pad = kernel − 1). */
    public int outputFrames(int t) {
        for (int s : convStrides) t = (t + convLeftPad - convKernel) / s + 1;
        return t;
    }

    /**
     * From the {@code osum_tiny} fixture's {@code config.json}: its {@code derived} section gives the
     * effective sizes (the fixture overrides OSUM's hard-coded transformer sizes). A plain OSUM YAML has no
     * adapter sizes; use {@link #fromOsum} with the LLM width instead.
     */
    public static AdapterConfig fromOsumFixtureConfig(Path configJson) throws IOException {
        String where = configJson.toString();
        Map<String, Object> root = readMap(configJson);
        Map<String, Object> osum = section(root, "osum", where);
        checkOsumAdapterType(osum, where);
        Map<String, Object> derived = section(root, "derived", where);
        int d = requiredInt(section(derived, "encoder", where + " derived"), "output_size", where + " derived.encoder");
        int llm = requiredInt(section(derived, "llm", where + " derived"), "hidden_size", where + " derived.llm");
        String w = where + " derived.speech_transformer";
        Map<String, Object> st = section(derived, "speech_transformer", where + " derived");
        expectValue(st, "key_bias", w, "OSUM's adapter keys are biased", true);
        return new AdapterConfig(d, OSUM_CONV_KERNEL, OSUM_STRIDES, OSUM_LEFT_PAD, requiredInt(st, "num_blocks", w),
                requiredInt(st, "attention_heads", w), requiredInt(st, "linear_units", w),
                optionalString(st, "activation", "relu"), OSUM_MAX_POSITIONS,
                optionalDouble(st, "norm_eps", WhisperConfig.DEFAULT_LAYER_NORM_EPS, w), llm);
    }

    /** From OSUM's top-level config map (YAML keys) and the LLM width: OSUM's hard-coded adapter. */
    public static AdapterConfig fromOsum(Map<String, Object> osum, int llmHidden, String where) {
        checkOsumAdapterType(osum, where);
        int d = requiredInt(section(osum, "encoder_conf", where), "output_size", where + " encoder_conf");
        return osum(d, llmHidden);
    }

    /** From an OSUM YAML (or JSON) file and the LLM width. */
    public static AdapterConfig fromOsumConfig(Path file, int llmHidden) throws IOException {
        Map<String, Object> m = readMap(file);
        if (m.get("osum") instanceof Map<?, ?>) m = section(m, "osum", file.toString());
        return fromOsum(m, llmHidden, file.toString());
    }

    private static void checkOsumAdapterType(Map<String, Object> osum, String where) {
        expectValue(osum, "adapter_type", where, "only the gxl adapter is implemented", "gxl");
        expectValue(osum, "downsample_rate", where, "only GxlConv1dSubsampling4 is implemented", 4);
    }
}
