package org.osum4j.model;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.osum4j.model.io.SafeTensors;
import org.osum4j.model.io.WhisperConfig;
import org.osum4j.model.nn.Activation;
import org.osum4j.model.nn.Conv1d;
import org.osum4j.model.nn.FrameMask;
import org.osum4j.model.nn.LayerNorm;
import org.osum4j.model.nn.Linear;
import org.osum4j.model.nn.Params;
import org.osum4j.model.nn.PreLnBlock;
import org.osum4j.model.nn.RandomInit;
import org.osum4j.model.nn.SelfAttention;
import org.osum4j.model.nn.Sinusoids;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.random.RandomGenerator;

/**
 * The Whisper speech encoder, fp32 on ND4J, as HF {@code WhisperEncoder} and OSUM's wenet
 * {@code TransformerEncoder} (conv1d2 + abs_pos_whisper, pre-LN) compute it: conv stem → positional table
 * → pre-LN blocks → final LayerNorm. Length-agnostic (uses the first S rows of the table), with an
 * optional key-padding mask for padded batches (wenet semantics). Inference only; the layer math lives in
 * {@code model.nn} so a backward pass can reuse it. The adapter after it is {@link OsumAdapter}.
 */
public final class WhisperEncoder {

    /** Checkpoint naming scheme of the encoder's tensors. */
    public enum Naming {
        /** HF {@code WhisperEncoder}: conv1, embed_positions.weight, layers.{i}.self_attn.q_proj, fc1, … */
        HF,
        /** OSUM / wenet: embed.conv.0, embed.pos_enc.pe, encoders.{i}.self_attn.linear_q, feed_forward.w_1, … */
        WENET
    }

    private static final int CONV_KERNEL = 3;      // both stem convs: kernel 3, padding 1
    private static final int CONV_PAD = 1;
    private static final int DOWNSAMPLE = 2;       // second conv's stride: 100 → 50 frames/s

    private final WhisperConfig config;
    private final Conv1d conv1;                    // [D, n_mels, 3], stride 1
    private final Conv1d conv2;                    // [D, D, 3], stride 2
    private final INDArray positions;              // [maxSourcePositions, D], loaded (never recomputed)
    private final List<PreLnBlock> layers;         // encoderLayers blocks, exact GELU, no key bias
    private final LayerNorm finalNorm;             // HF layer_norm / wenet after_norm

    private WhisperEncoder(WhisperConfig config, Conv1d conv1, Conv1d conv2, INDArray positions, List<PreLnBlock> layers,
                           LayerNorm finalNorm) {
        this.config = config;
        this.conv1 = conv1;
        this.conv2 = conv2;
        this.positions = positions;
        this.layers = List.copyOf(layers);
        this.finalNorm = finalNorm;
    }

    // ---- loading ---------------------------------------------------------------------------------

    /**
     * Loads the weights named under {@code prefix} (e.g. "" for a standalone HF encoder, {@code model.encoder.}
     * inside {@code WhisperModel}, {@code encoder.} in OSUM's checkpoint). Every tensor's shape is checked.
     */
    public static WhisperEncoder load(WhisperConfig cfg, SafeTensors st, Naming naming, String prefix) {
        long d = cfg.dModel(), f = cfg.encoderFfnDim();
        double eps = cfg.layerNormEps();
        boolean hf = naming == Naming.HF;
        Conv1d c1 = Conv1d.load(st, prefix + (hf ? "conv1" : "embed.conv.0"), d, cfg.numMelBins(), CONV_KERNEL, 1, CONV_PAD, CONV_PAD);
        Conv1d c2 = Conv1d.load(st, prefix + (hf ? "conv2" : "embed.conv.2"), d, d, CONV_KERNEL, DOWNSAMPLE, CONV_PAD, CONV_PAD);
        INDArray pos = hf
                ? Params.load(st, prefix + "embed_positions.weight", cfg.maxSourcePositions(), d)             // [P, D]
                : Params.load(st, prefix + "embed.pos_enc.pe", 1, cfg.maxSourcePositions(), d)                // [1, P, D]
                        .reshape(cfg.maxSourcePositions(), d);
        String[] qkvo = hf ? new String[]{"q_proj", "k_proj", "v_proj", "out_proj"}
                : new String[]{"linear_q", "linear_k", "linear_v", "linear_out"};
        List<PreLnBlock> blocks = new ArrayList<>();
        for (int i = 0; i < cfg.encoderLayers(); i++) {
            String p = prefix + (hf ? "layers." : "encoders.") + i + ".";
            blocks.add(new PreLnBlock(
                    LayerNorm.load(st, p + (hf ? "self_attn_layer_norm" : "norm1"), d, eps),
                    SelfAttention.load(st, p + (hf ? "self_attn." : "self_attn."), qkvo, d, cfg.encoderAttentionHeads(), false),
                    LayerNorm.load(st, p + (hf ? "final_layer_norm" : "norm2"), d, eps),
                    Linear.load(st, p + (hf ? "fc1" : "feed_forward.w_1"), f, d, true),
                    Linear.load(st, p + (hf ? "fc2" : "feed_forward.w_2"), d, f, true),
                    Activation.GELU_ERF));
        }
        LayerNorm norm = LayerNorm.load(st, prefix + (hf ? "layer_norm" : "after_norm"), d, eps);
        return new WhisperEncoder(cfg, c1, c2, pos, blocks, norm);
    }

    /**
     * Loads an HF folder: {@code config.json} + {@code model.safetensors}, the prefix found from the file
     * ("" for a standalone encoder, {@code model.encoder.} for a full Whisper checkpoint).
     */
    public static WhisperEncoder loadHf(Path dir) throws IOException {
        WhisperConfig cfg = WhisperConfig.fromHfConfig(dir.resolve("config.json"));
        SafeTensors st = SafeTensors.read(dir.resolve("model.safetensors"));
        for (String prefix : new String[]{"", "model.encoder.", "encoder."}) {
            if (st.has(prefix + "conv1.weight")) return load(cfg, st, Naming.HF, prefix);
        }
        throw new IllegalArgumentException(st.file() + ": no Whisper encoder found (looked for conv1.weight, "
                + "model.encoder.conv1.weight, encoder.conv1.weight)");
    }

    /** Loads OSUM's encoder (wenet names under {@code encoder.}) from an OSUM state dict in safetensors form. */
    public static WhisperEncoder loadOsum(WhisperConfig cfg, SafeTensors st) {
        return load(cfg, st, Naming.WENET, "encoder.");
    }

    /**
     * A freshly initialised encoder (benchmark protocol: weights N(0, std²) from {@code rng}, biases 0,
     * norms 1, Whisper sinusoid table). For benchmarks and training from scratch, not for inference.
     */
    public static WhisperEncoder random(WhisperConfig cfg, RandomGenerator rng, double std) {
        RandomInit init = new RandomInit(rng, std);
        long d = cfg.dModel();
        List<PreLnBlock> blocks = new ArrayList<>();
        for (int i = 0; i < cfg.encoderLayers(); i++) {
            blocks.add(init.block(d, cfg.encoderFfnDim(), cfg.encoderAttentionHeads(), false, Activation.GELU_ERF, cfg.layerNormEps()));
        }
        return new WhisperEncoder(cfg, init.conv1d(d, cfg.numMelBins(), CONV_KERNEL, 1, CONV_PAD, CONV_PAD),
                init.conv1d(d, d, CONV_KERNEL, DOWNSAMPLE, CONV_PAD, CONV_PAD),
                Sinusoids.whisper(cfg.maxSourcePositions(), cfg.dModel()), blocks, init.layerNorm(d, cfg.layerNormEps()));
    }

    public WhisperConfig config() {
        return config;
    }

    // ---- forward ---------------------------------------------------------------------------------

    /**
     * Encoder result. {@code hiddenStates} follows HF's {@code output_hidden_states}: entry 0 is the
     * embedding (conv stem + positions), entry i the output of block i−1, and the last entry is after the
     * final LayerNorm (= {@code lastHiddenState}). Empty, and {@code lastLayerBeforeNorm} null, unless asked for.
     *
     * @param lastHiddenState     [B, S, D]
     * @param mask                valid output frames (all valid when no lengths were given)
     * @param hiddenStates        L + 1 arrays [B, S, D], or empty
     * @param lastLayerBeforeNorm [B, S, D] output of the last block before the final norm, or null
     */
    public record Output(INDArray lastHiddenState, FrameMask mask, List<INDArray> hiddenStates, INDArray lastLayerBeforeNorm) {
    }

    /** HF layout, no padding: features [B, n_mels, T] → [B, ⌈T/2⌉, D]. */
    public INDArray encode(INDArray features) {
        return forward(features, null, false).lastHiddenState();
    }

    /**
     * HF layout: features [B, n_mels, T]. {@code lengths} (input frames per item, or null = all T valid)
     * builds the wenet key-padding mask; see {@link #forwardFrames}.
     */
    public Output forward(INDArray features, long[] lengths, boolean withHiddenStates) {
        if (features.rank() != 3 || features.size(1) != config.numMelBins()) {
            throw new IllegalArgumentException("encoder input: expected [B, " + config.numMelBins() + ", T] (HF layout), got "
                    + Params.shape(features));
        }
        return forwardFrames(features.permute(0, 2, 1), lengths, withHiddenStates);    // [B, T, n_mels]
    }

    /**
     * OSUM layout: feats [B, T, n_mels] (wenet's {@code batch.feats}), zero-padded to T. With
     * {@code lengths}, input frame t of item b is valid iff t &lt; lengths[b]; the mask follows the stride-2
     * conv as wenet's {@code mask[:, (T+1) % 2 :: 2]} on the padded length T, and padded output frames are
     * masked as attention keys. Their own outputs are finite but meaningless.
     */
    public Output forwardFrames(INDArray feats, long[] lengths, boolean withHiddenStates) {
        if (feats.rank() != 3 || feats.size(2) != config.numMelBins()) {
            throw new IllegalArgumentException("encoder input: expected [B, T, " + config.numMelBins() + "] (frames first), got "
                    + Params.shape(feats));
        }
        int b = (int) feats.size(0), t = (int) feats.size(1);
        if (t < 1 || t > config.maxInputFrames()) {
            throw new IllegalArgumentException("encoder input: " + t + " frames; the positional table ("
                    + config.maxSourcePositions() + " rows) allows 1 to " + config.maxInputFrames());
        }
        FrameMask mask = null;
        if (lengths != null) {
            if (lengths.length != b) {
                throw new IllegalArgumentException("encoder lengths: " + lengths.length + " values for a batch of " + b);
            }
            mask = FrameMask.ofLengths(lengths, t).subsample((t + 1) % 2, DOWNSAMPLE);   // [B, S] prefix mask
        }

        INDArray x = Activation.GELU_ERF.apply(conv1.apply(feats));                 // [B, T, D]
        x = Activation.GELU_ERF.apply(conv2.apply(x));                               // [B, S, D], S = ⌈T/2⌉
        long s = x.size(1);
        x.addi(positions.get(NDArrayIndex.interval(0, s), NDArrayIndex.all())       // + table[:S]  [S, D] broadcast
                .reshape(1, s, config.dModel()));

        List<INDArray> hidden = withHiddenStates ? new ArrayList<>() : Collections.emptyList();
        if (withHiddenStates) hidden.add(x);
        for (PreLnBlock layer : layers) {
            x = layer.apply(x, mask);                                                // [B, S, D]
            if (withHiddenStates) hidden.add(x);
        }
        INDArray beforeNorm = x;
        INDArray out = finalNorm.apply(x);                                           // [B, S, D]
        if (withHiddenStates) hidden.set(hidden.size() - 1, out);
        return new Output(out, mask != null ? mask : FrameMask.full(b, (int) s), hidden,
                withHiddenStates ? beforeNorm : null);
    }

    /** Parameter count (positional table excluded: it's a fixed buffer). */
    public long parameterCount() {
        long n = conv1.weight().length() + conv1.bias().length() + conv2.weight().length() + conv2.bias().length();
        for (PreLnBlock l : layers) {
            n += 4 * l.norm1().dim();
            for (Linear lin : List.of(l.attn().q(), l.attn().k(), l.attn().v(), l.attn().out(), l.fc1(), l.fc2())) {
                n += lin.weight().length() + (lin.bias() == null ? 0 : lin.bias().length());
            }
        }
        return n + 2 * finalNorm.dim();
    }

    @Override
    public String toString() {
        return "WhisperEncoder" + config + ", " + parameterCount() + " parameters";
    }
}
