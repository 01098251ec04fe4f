package org.osum4j.model;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.osum4j.model.io.SafeTensors;
import org.osum4j.model.io.WhisperConfig;
import org.osum4j.model.nn.Activation;
import org.osum4j.model.nn.Conv1d;
import org.osum4j.model.nn.FrameMask;
import org.osum4j.model.nn.Kernels;
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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.random.RandomGenerator;

/**
 * The Whisper speech encoder, fp32 on ND4J, as HF {@code WhisperEncoder} and OSUM's wenet
 * {@code TransformerEncoder} (conv1d2 + abs_pos_whisper, pre-LN) compute it: conv stem → positional table
 * → pre-LN blocks → final LayerNorm. Length-agnostic (uses the first S rows of the table), with an
 * optional key-padding mask for padded batches (wenet semantics). Inference, and a training forward
 * ({@link #trace}) with its explicit backward; the layer math (forward and backward) lives in {@code model.nn}. The adapter after it is {@link OsumAdapter}.
 *
 * <pre>{@code
 * WhisperEncoder enc = WhisperEncoder.loadHf(dir);                 // config.json + model.safetensors
 * INDArray h = enc.encode(features);                               // [B, n_mels, T] → [B, ⌈T/2⌉, D]
 * // OSUM: wenet names under "encoder.", frames-first features with lengths (key-padding mask)
 * WhisperEncoder osum = WhisperEncoder.loadOsum(WhisperConfig.fromOsumConfig(yaml), weights);
 * WhisperEncoder.Output o = osum.forwardFrames(feats, lengths, false); // feats [B, T, 80]
 * // training: trace() is forwardFrames keeping activations; backward() fills name → dL/dW (as parameters())
 * WhisperEncoder.Trace tr = osum.trace(feats, lengths);
 * osum.backward(tr, dOut, grads);                                   // dOut [B, S, D] = dL/d(lastHiddenState)
 * }</pre>
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
    private final Naming naming;                   // how parameters and gradients are named
    private final String prefix;                   // checkpoint name prefix, e.g. "encoder." in OSUM

    private WhisperEncoder(WhisperConfig config, Conv1d conv1, Conv1d conv2, INDArray positions, List<PreLnBlock> layers,
                           LayerNorm finalNorm, Naming naming, String prefix) {
        this.config = config;
        this.naming = naming;
        this.prefix = prefix;
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
                    SelfAttention.load(st, p + "self_attn.", qkvo, d, cfg.encoderAttentionHeads(), false),
                    LayerNorm.load(st, p + (hf ? "final_layer_norm" : "norm2"), d, eps),
                    Linear.load(st, p + (hf ? "fc1" : "feed_forward.w_1"), f, d, true),
                    Linear.load(st, p + (hf ? "fc2" : "feed_forward.w_2"), d, f, true),
                    Activation.GELU_ERF));
        }
        LayerNorm norm = LayerNorm.load(st, prefix + (hf ? "layer_norm" : "after_norm"), d, eps);
        return new WhisperEncoder(cfg, c1, c2, pos, blocks, norm, naming, prefix);
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
     * Its parameters are named as OSUM's ({@code encoder.} + wenet names).
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
                Sinusoids.whisper(cfg.maxSourcePositions(), cfg.dModel()), blocks, init.layerNorm(d, cfg.layerNormEps()),
                Naming.WENET, "encoder.");
    }

    /**
     * Call after the weights were changed in place (optimizer step, resume): re-derives the convolutions'
     * unfolded weight copies, which the forward reads.
     */
    public void weightsChanged() {
        conv1.refreshUnfolded();
        conv2.refreshUnfolded();
    }

    /** The positional table [maxSourcePositions, D] (a fixed buffer, not a parameter; the live array: do not modify). */
    public INDArray positionTable() {
        return positions;
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
     * The boundary check of {@link #forwardFrames} and {@link #trace}: feats [B, T, n_mels] with 1 ≤ T ≤ the
     * positional table's frames, lengths per item or null; returns the wenet prefix mask after the stride-2
     * stem ({@code mask[:, :, (T+1)%2::2]}), or null when there are no lengths.
     */
    private FrameMask inputMask(INDArray feats, long[] lengths) {
        if (feats.rank() != 3 || feats.size(2) != config.numMelBins()) {
            throw new IllegalArgumentException("encoder input: expected [B, T, " + config.numMelBins() + "] (frames first), got "
                    + Params.shape(feats));
        }
        int b = (int) feats.size(0), t = (int) feats.size(1);
        if (t < 1 || t > config.maxInputFrames()) {
            throw new IllegalArgumentException("encoder input: " + t + " frames; the positional table ("
                    + config.maxSourcePositions() + " rows) allows 1 to " + config.maxInputFrames());
        }
        if (lengths == null) return null;
        if (lengths.length != b) {
            throw new IllegalArgumentException("encoder lengths: " + lengths.length + " values for a batch of " + b);
        }
        return FrameMask.ofLengths(lengths, t).subsample((t + 1) % 2, DOWNSAMPLE);
    }

    /**
     * OSUM layout: feats [B, T, n_mels] (wenet's {@code batch.feats}), zero-padded to T. With
     * {@code lengths}, input frame t of item b is valid iff t &lt; lengths[b]; the mask follows the stride-2
     * conv as wenet's {@code mask[:, (T+1) % 2 :: 2]} on the padded length T, and padded output frames are
     * masked as attention keys. Their own outputs are finite but meaningless.
     */
    public Output forwardFrames(INDArray feats, long[] lengths, boolean withHiddenStates) {
        FrameMask mask = inputMask(feats, lengths);                                 // [B, S] or null

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
        return new Output(out, mask != null ? mask : FrameMask.full((int) feats.size(0), (int) s), hidden,
                withHiddenStates ? beforeNorm : null);
    }

    // ---- training --------------------------------------------------------------------------------

    /** Checkpoint leaf names of one naming scheme, in one place for parameters and gradients. */
    private record Names(String conv1, String conv2, String blocks, String norm1, String norm2, String fc1, String fc2,
                         String[] qkvo, String finalNorm) {
        static Names of(Naming n) {
            return n == Naming.HF
                    ? new Names("conv1", "conv2", "layers.", "self_attn_layer_norm", "final_layer_norm", "fc1", "fc2",
                    new String[]{"q_proj", "k_proj", "v_proj", "out_proj"}, "layer_norm")
                    : new Names("embed.conv.0", "embed.conv.2", "encoders.", "norm1", "norm2", "feed_forward.w_1",
                    "feed_forward.w_2", new String[]{"linear_q", "linear_k", "linear_v", "linear_out"}, "after_norm");
        }
    }

    /**
     * Every trainable parameter by checkpoint name (the arrays themselves, for an optimizer to update in
     * place); the positional table is a fixed buffer and not included.
     */
    public Map<String, INDArray> parameters() {
        Names n = Names.of(naming);
        Map<String, INDArray> p = new LinkedHashMap<>();
        p.put(prefix + n.conv1() + ".weight", conv1.weight());
        p.put(prefix + n.conv1() + ".bias", conv1.bias());
        p.put(prefix + n.conv2() + ".weight", conv2.weight());
        p.put(prefix + n.conv2() + ".bias", conv2.bias());
        for (int i = 0; i < layers.size(); i++) {
            PreLnBlock l = layers.get(i);
            String b = prefix + n.blocks() + i + ".";
            putNorm(p, b + n.norm1(), l.norm1());
            Linear[] qkvo = {l.attn().q(), l.attn().k(), l.attn().v(), l.attn().out()};
            for (int j = 0; j < 4; j++) putLinear(p, b + "self_attn." + n.qkvo()[j], qkvo[j]);
            putNorm(p, b + n.norm2(), l.norm2());
            putLinear(p, b + n.fc1(), l.fc1());
            putLinear(p, b + n.fc2(), l.fc2());
        }
        putNorm(p, prefix + n.finalNorm(), finalNorm);
        return p;
    }

    static void putNorm(Map<String, INDArray> p, String name, LayerNorm ln) {
        p.put(name + ".weight", ln.gamma());
        p.put(name + ".bias", ln.beta());
    }

    static void putLinear(Map<String, INDArray> p, String name, Linear lin) {
        p.put(name + ".weight", lin.weight());
        if (lin.bias() != null) p.put(name + ".bias", lin.bias());
    }

    /**
     * What a training forward keeps for {@link #backward}.
     *
     * @param feats  [B, T, n_mels] input
     * @param c1     [B, T, D] conv1 output, before GELU
     * @param g1     [B, T, D] GELU(c1), conv2's input
     * @param c2     [B, S, D] conv2 output, before GELU
     * @param blocks one trace per block
     * @param output the same {@link Output} as {@link #forwardFrames} (hidden states not kept)
     */
    public record Trace(INDArray feats, INDArray c1, INDArray g1, INDArray c2, List<PreLnBlock.Trace> blocks, Output output) {
    }

    /**
     * {@link #forwardFrames} keeping the activations for {@link #backward}: the same layers, the same mask,
     * the same numbers. feats [B, T, n_mels], lengths per item or null.
     */
    public Trace trace(INDArray feats, long[] lengths) {
        FrameMask mask = inputMask(feats, lengths);                                 // [B, S] or null
        INDArray c1 = conv1.apply(feats);                                            // [B, T, D]
        INDArray g1 = Activation.GELU_ERF.apply(c1);                                 // [B, T, D]
        INDArray c2 = conv2.apply(g1);                                               // [B, S, D]
        INDArray x = Activation.GELU_ERF.apply(c2);                                  // [B, S, D]
        long s = x.size(1);
        if (s > positions.size(0)) {
            throw new IllegalArgumentException("encoder input: " + s + " frames exceed the positional table (" + positions.size(0) + " rows)");
        }
        x.addi(positions.get(NDArrayIndex.interval(0, s), NDArrayIndex.all()).reshape(1, s, config.dModel()));  // + table[:S]
        List<PreLnBlock.Trace> traces = new ArrayList<>();
        for (PreLnBlock layer : layers) {
            PreLnBlock.Trace tr = layer.trace(x, mask);
            traces.add(tr);
            x = tr.output();                                                         // [B, S, D]
        }
        INDArray out = finalNorm.apply(x);                                           // [B, S, D]
        return new Trace(feats, c1, g1, c2, traces, new Output(out, mask != null ? mask : FrameMask.full((int) feats.size(0), (int) s),
                Collections.emptyList(), x));
    }

    /**
     * Backward of {@link #trace}: dOut = dL/d(lastHiddenState) [B, S, D]; dL/d(parameter) goes into
     * {@code g} by checkpoint name (as {@link #parameters()}); the positional table gets none. Consumes the
     * trace: each activation is released as soon as the backward has read it last (native memory is freed
     * now, not at the next collection), so the trace cannot be used again; only {@code feats}, the
     * {@link Output} and dOut (the caller's) stay.
     *
     * @return dL/d(feats) [B, T, n_mels]
     */
    public INDArray backward(Trace tr, INDArray dOut, Map<String, INDArray> g) {
        Names n = Names.of(naming);
        LayerNorm.Grad gn = finalNorm.backward(dOut, tr.output().lastLayerBeforeNorm());
        INDArray dx = gn.dInput();                                                   // [B, S, D]
        for (int i = layers.size() - 1; i >= 0; i--) {
            PreLnBlock.Trace bt = tr.blocks().get(i);
            PreLnBlock.Grad gb = layers.get(i).backward(dx, bt);
            String b = prefix + n.blocks() + i + ".";
            gb.norm1().putInto(g, b + n.norm1());
            gb.attn().putInto(g, b + "self_attn.", n.qkvo());
            gb.norm2().putInto(g, b + n.norm2());
            gb.fc1().putInto(g, b + n.fc1());
            gb.fc2().putInto(g, b + n.fc2());
            // this block's activations and its input (the stem's output or the block before's output) are read no more
            bt.release();
            Kernels.release(dx, bt.x());
            dx = gb.dInput();
        }
        // x = GELU(conv2(GELU(conv1(feats)))) + table: the table passes the gradient through unchanged
        INDArray dc2 = Activation.GELU_ERF.backward(dx, tr.c2());                    // [B, S, D]
        Kernels.release(dx, tr.c2());
        Conv1d.Grad g2 = conv2.backward(dc2, tr.g1());
        Kernels.release(dc2);
        INDArray dc1 = Activation.GELU_ERF.backward(g2.dInput(), tr.c1(), tr.g1());  // [B, T, D]; g1 = GELU(c1)
        Kernels.release(g2.dInput(), tr.c1(), tr.g1());
        Conv1d.Grad g1 = conv1.backward(dc1, tr.feats());
        Kernels.release(dc1);
        g1.putInto(g, prefix + n.conv1());
        g2.putInto(g, prefix + n.conv2());
        gn.putInto(g, prefix + n.finalNorm());
        return g1.dInput();
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
