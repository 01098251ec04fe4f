package org.osum4j.model;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.osum4j.model.io.AdapterConfig;
import org.osum4j.model.io.SafeTensors;
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

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.random.RandomGenerator;

/**
 * OSUM's speech adapter ({@code adapter_type: gxl}), between the Whisper encoder and the LLM, in the order
 * of {@code LLMASR_Model.get_embedding_from_wav}: {@code down_sample_2} (GxlConv1dSubsampling4: three
 * causal convs, strides 1/2/2, exact GELU) → {@code speech_transformer} (Linear → LayerNorm → ·√D + pe →
 * pre-LN blocks with ReLU FFN and biased q/k/v/out → LayerNorm) → {@code speech_llama_proj} (Linear to the
 * LLM width). fp32 on ND4J, inference and training ({@link #trace} + {@link #backward}); layer math in
 * {@code model.nn}. Speech bos/eos rows and the sequence assembly belong to the assembled model, not here.
 *
 * <pre>{@code
 * OsumAdapter ad = OsumAdapter.load(AdapterConfig.osum(1024, 3584), weights, "");
 * OsumAdapter.Output a = ad.forward(o.lastHiddenState(), o.mask()); // [B, T, 1024] → a.speech() [B, ⌈⌈T/2⌉/2⌉, 3584]
 * // training: the same forward keeping activations, then the explicit backward
 * OsumAdapter.Trace tr = ad.trace(encTrace.output().lastHiddenState(), encTrace.output().mask());
 * INDArray dEnc = ad.backward(tr, dSpeech, grads);                   // grads: name → dL/dW, as ad.parameters()
 * }</pre>
 */
public final class OsumAdapter {

    private final AdapterConfig config;
    private final List<Conv1d> downsample;        // each [D, D, K], causal (left pad K−1), strides 1, 2, 2
    private final Linear embedLinear;             // [D, D]  speech_transformer.embed.out.0
    private final LayerNorm embedNorm;            // [D]     speech_transformer.embed.out.1
    private final INDArray positions;             // [maxPositions, D] interleaved sin/cos, loaded (never recomputed)
    private final double xscale;                  // √D: scales x (not pe) before adding the table
    private final List<PreLnBlock> layers;        // numLayers blocks, ReLU FFN, biased keys
    private final LayerNorm finalNorm;            // speech_transformer.after_norm
    private final Linear proj;                    // [Hd, D] speech_llama_proj
    private final String prefix;                  // checkpoint name prefix ("" in OSUM's state dict)

    private OsumAdapter(AdapterConfig config, List<Conv1d> downsample, Linear embedLinear, LayerNorm embedNorm,
                        INDArray positions, List<PreLnBlock> layers, LayerNorm finalNorm, Linear proj, String prefix) {
        this.config = config;
        this.prefix = prefix;
        this.downsample = List.copyOf(downsample);
        this.embedLinear = embedLinear;
        this.embedNorm = embedNorm;
        this.positions = positions;
        this.xscale = Math.sqrt(config.dModel());
        this.layers = List.copyOf(layers);
        this.finalNorm = finalNorm;
        this.proj = proj;
    }

    /**
     * Loads OSUM's adapter tensors ({@code down_sample_2.conv.{1,4,7}}, {@code speech_transformer.*},
     * {@code speech_llama_proj}) under {@code prefix} ("" for OSUM's {@code infer.pt} names).
     */
    public static OsumAdapter load(AdapterConfig cfg, SafeTensors st, String prefix) {
        long d = cfg.dModel(), f = cfg.ffnDim();
        double eps = cfg.layerNormEps();
        List<Conv1d> convs = new ArrayList<>();
        for (int i = 0; i < cfg.convStrides().size(); i++) {
            // nn.Sequential(pad, conv, gelu, pad, conv, gelu, …): the convs sit at indices 1, 4, 7
            convs.add(Conv1d.load(st, prefix + "down_sample_2.conv." + (3 * i + 1), d, d, cfg.convKernel(),
                    cfg.convStrides().get(i), cfg.convLeftPad(), 0));
        }
        String t = prefix + "speech_transformer.";
        Linear embed = Linear.load(st, t + "embed.out.0", d, d, true);
        LayerNorm embedNorm = LayerNorm.load(st, t + "embed.out.1", d, eps);
        INDArray pe = Params.load(st, t + "embed.pos_enc.pe", 1, -1, d);            // [1, P, D]
        pe = pe.reshape(pe.size(1), d);                                                // [P, D]
        String[] qkvo = {"linear_q", "linear_k", "linear_v", "linear_out"};
        Activation act = Activation.parse(cfg.activation(), "adapter config");
        List<PreLnBlock> blocks = new ArrayList<>();
        for (int i = 0; i < cfg.numLayers(); i++) {
            String p = t + "encoders." + i + ".";
            blocks.add(new PreLnBlock(
                    LayerNorm.load(st, p + "norm1", d, eps),
                    SelfAttention.load(st, p + "self_attn.", qkvo, d, cfg.numHeads(), true),
                    LayerNorm.load(st, p + "norm2", d, eps),
                    Linear.load(st, p + "feed_forward.w_1", f, d, true),
                    Linear.load(st, p + "feed_forward.w_2", d, f, true),
                    act));
        }
        LayerNorm norm = LayerNorm.load(st, t + "after_norm", d, eps);
        Linear proj = Linear.load(st, prefix + "speech_llama_proj", cfg.llmHidden(), d, true);
        return new OsumAdapter(cfg, convs, embed, embedNorm, pe, blocks, norm, proj, prefix);
    }

    /**
     * A freshly initialised adapter (benchmark protocol: weights N(0, std²) from {@code rng}, biases 0,
     * norms 1, interleaved sinusoid table). For benchmarks and training from scratch, not for inference.
     */
    public static OsumAdapter random(AdapterConfig cfg, RandomGenerator rng, double std) {
        RandomInit init = new RandomInit(rng, std);
        long d = cfg.dModel();
        List<Conv1d> convs = new ArrayList<>();
        for (int stride : cfg.convStrides()) convs.add(init.conv1d(d, d, cfg.convKernel(), stride, cfg.convLeftPad(), 0));
        Activation act = Activation.parse(cfg.activation(), "adapter config");
        List<PreLnBlock> blocks = new ArrayList<>();
        for (int i = 0; i < cfg.numLayers(); i++) blocks.add(init.block(d, cfg.ffnDim(), cfg.numHeads(), true, act, cfg.layerNormEps()));
        return new OsumAdapter(cfg, convs, init.linear(d, d, true), init.layerNorm(d, cfg.layerNormEps()),
                Sinusoids.interleaved(cfg.maxPositions(), cfg.dModel()), blocks, init.layerNorm(d, cfg.layerNormEps()),
                init.linear(cfg.llmHidden(), d, true), "");
    }

    /**
     * Call after the weights were changed in place (optimizer step, resume): re-derives the down-sampling
     * convolutions' unfolded weight copies, which the forward reads.
     */
    public void weightsChanged() {
        for (Conv1d c : downsample) c.refreshUnfolded();
    }

    /** The positional table [maxPositions, D] (a fixed buffer, not a parameter; the live array: do not modify). */
    public INDArray positionTable() {
        return positions;
    }

    public AdapterConfig config() {
        return config;
    }

    /**
     * Adapter result; the intermediates are kept for parity checks and inspection (no copies).
     *
     * @param speech         [B, S, Hd] speech embeddings for the LLM
     * @param mask           valid speech frames (prefix per item)
     * @param downSampled    [B, S, D] after GxlConv1dSubsampling4
     * @param afterEmbed     [B, S, D] after Linear → LayerNorm → ·√D + pe
     * @param transformerOut [B, S, D] after the blocks and the final LayerNorm
     */
    public record Output(INDArray speech, FrameMask mask, INDArray downSampled, INDArray afterEmbed, INDArray transformerOut) {
    }

    /** The boundary check of {@link #forward} and {@link #trace}: encoderOut [B, T, D]; null mask = all valid. */
    private FrameMask checkedMask(INDArray encoderOut, FrameMask mask) {
        if (encoderOut.rank() != 3 || encoderOut.size(2) != config.dModel()) {
            throw new IllegalArgumentException("adapter input: expected [B, T, " + config.dModel() + "], got "
                    + Params.shape(encoderOut));
        }
        int b = (int) encoderOut.size(0), t = (int) encoderOut.size(1);
        if (mask == null) return FrameMask.full(b, t);
        if (mask.batch() != b || mask.frames() != t) {
            throw new IllegalArgumentException("adapter mask " + mask + " does not fit input " + Params.shape(encoderOut));
        }
        return mask;
    }

    /**
     * encoderOut [B, T, D] with its frame mask (null = all valid) → speech embeddings [B, S, Hd],
     * S = ⌈⌈T/2⌉/2⌉. Invalid encoder frames are not zeroed: the causal convs never carry them into valid outputs.
     */
    public Output forward(INDArray encoderOut, FrameMask mask) {
        mask = checkedMask(encoderOut, mask);

        // 1. down_sample_2: 3 × [left zero-pad, conv (stride 1, 2, 2), GELU]; the mask keeps frames 0, s, 2s, …
        INDArray x = encoderOut;
        for (Conv1d conv : downsample) {
            x = Activation.GELU_ERF.apply(conv.apply(x));                             // [B, ⌈T/s⌉, D]
            mask = mask.subsample(0, conv.stride());
        }
        INDArray down = x;                                                              // [B, S, D]
        long s = x.size(1);
        if (s > positions.size(0)) {
            throw new IllegalArgumentException("adapter: " + s + " speech frames exceed the positional table ("
                    + positions.size(0) + " rows)");
        }

        // 2. speech_transformer: input layer, positions, blocks, final norm
        x = embedNorm.apply(embedLinear.apply(x)).muli(xscale);                        // [B, S, D] LN(x·Wᵀ+b)·√D
        x.addi(positions.get(NDArrayIndex.interval(0, s), NDArrayIndex.all()).reshape(1, s, config.dModel())); // + pe[:S]
        INDArray afterEmbed = x;
        for (PreLnBlock layer : layers) {
            x = layer.apply(x, mask);                                                   // [B, S, D]
        }
        INDArray transformerOut = finalNorm.apply(x);                                   // [B, S, D]

        // 3. speech_llama_proj
        INDArray speech = proj.apply(transformerOut);                                   // [B, S, Hd]
        return new Output(speech, mask, down, afterEmbed, transformerOut);
    }

    // ---- training --------------------------------------------------------------------------------

    private static final String[] QKVO = {"linear_q", "linear_k", "linear_v", "linear_out"};

    private String convName(int i) {
        return prefix + "down_sample_2.conv." + (3 * i + 1);     // Sequential(pad, conv, gelu, …): indices 1, 4, 7
    }

    /**
     * Every trainable parameter by OSUM checkpoint name (the arrays themselves, for an optimizer to update
     * in place); the positional table is a fixed buffer and not included.
     */
    public Map<String, INDArray> parameters() {
        Map<String, INDArray> p = new LinkedHashMap<>();
        for (int i = 0; i < downsample.size(); i++) {
            p.put(convName(i) + ".weight", downsample.get(i).weight());
            p.put(convName(i) + ".bias", downsample.get(i).bias());
        }
        String t = prefix + "speech_transformer.";
        WhisperEncoder.putLinear(p, t + "embed.out.0", embedLinear);
        WhisperEncoder.putNorm(p, t + "embed.out.1", embedNorm);
        for (int i = 0; i < layers.size(); i++) {
            PreLnBlock l = layers.get(i);
            String b = t + "encoders." + i + ".";
            WhisperEncoder.putNorm(p, b + "norm1", l.norm1());
            Linear[] qkvo = {l.attn().q(), l.attn().k(), l.attn().v(), l.attn().out()};
            for (int j = 0; j < 4; j++) WhisperEncoder.putLinear(p, b + "self_attn." + QKVO[j], qkvo[j]);
            WhisperEncoder.putNorm(p, b + "norm2", l.norm2());
            WhisperEncoder.putLinear(p, b + "feed_forward.w_1", l.fc1());
            WhisperEncoder.putLinear(p, b + "feed_forward.w_2", l.fc2());
        }
        WhisperEncoder.putNorm(p, t + "after_norm", finalNorm);
        WhisperEncoder.putLinear(p, prefix + "speech_llama_proj", proj);
        return p;
    }

    /**
     * What a training forward keeps for {@link #backward}.
     *
     * @param convIn  the input of each down-sampling conv ([B, T_i, D])
     * @param convOut each conv's output before GELU ([B, T_{i+1}, D])
     * @param lin     [B, S, D] embed.out.0(down), the LayerNorm's input
     * @param blocks  one trace per block
     * @param beforeNorm [B, S, D] last block output (after_norm's input)
     * @param output  the same {@link Output} as {@link #forward}
     */
    public record Trace(List<INDArray> convIn, List<INDArray> convOut, INDArray lin, List<PreLnBlock.Trace> blocks,
                        INDArray beforeNorm, Output output) {
    }

    /** {@link #forward} keeping the activations for {@link #backward}: the same layers, masks and numbers. */
    public Trace trace(INDArray encoderOut, FrameMask mask) {
        mask = checkedMask(encoderOut, mask);
        List<INDArray> convIn = new ArrayList<>(), convOut = new ArrayList<>();
        INDArray x = encoderOut;
        for (Conv1d conv : downsample) {
            convIn.add(x);
            INDArray c = conv.apply(x);                                                 // [B, ⌈T/s⌉, D]
            convOut.add(c);
            x = Activation.GELU_ERF.apply(c);
            mask = mask.subsample(0, conv.stride());
        }
        INDArray down = x;                                                              // [B, S, D]
        long s = x.size(1);
        if (s > positions.size(0)) {
            throw new IllegalArgumentException("adapter: " + s + " speech frames exceed the positional table ("
                    + positions.size(0) + " rows)");
        }
        INDArray lin = embedLinear.apply(x);                                            // [B, S, D]
        x = embedNorm.apply(lin).muli(xscale);                                          // [B, S, D] LN(·)·√D
        x.addi(positions.get(NDArrayIndex.interval(0, s), NDArrayIndex.all()).reshape(1, s, config.dModel())); // + pe[:S]
        INDArray afterEmbed = x;
        List<PreLnBlock.Trace> traces = new ArrayList<>();
        for (PreLnBlock layer : layers) {
            PreLnBlock.Trace tr = layer.trace(x, mask);
            traces.add(tr);
            x = tr.output();                                                            // [B, S, D]
        }
        INDArray transformerOut = finalNorm.apply(x);                                   // [B, S, D]
        INDArray speech = proj.apply(transformerOut);                                   // [B, S, Hd]
        return new Trace(convIn, convOut, lin, traces, x, new Output(speech, mask, down, afterEmbed, transformerOut));
    }

    /**
     * Backward of {@link #trace}. Consumes the trace: each activation the adapter made is released as soon as
     * the backward has read it last (native memory is freed now, not at the next collection), so the trace
     * cannot be used again; its {@link Output}, the encoder output it read and dSpeech (the caller's) stay.
     *
     * @param gradients receives dL/d(parameter) by OSUM checkpoint name (as {@link #parameters()})
     * @return dL/d(encoderOut) [B, T, D], for the encoder's backward
     */
    public INDArray backward(Trace tr, INDArray dSpeech, Map<String, INDArray> gradients) {
        String t = prefix + "speech_transformer.";
        Linear.Grad gp = proj.backward(dSpeech, tr.output().transformerOut());         // [B, S, D]
        gp.putInto(gradients, prefix + "speech_llama_proj");
        LayerNorm.Grad gn = finalNorm.backward(gp.dInput(), tr.beforeNorm());
        Kernels.release(gp.dInput());
        if (!layers.isEmpty()) Kernels.release(tr.beforeNorm());                       // the last block's output (else afterEmbed)
        gn.putInto(gradients, t + "after_norm");
        INDArray dx = gn.dInput();                                                      // [B, S, D]
        for (int i = layers.size() - 1; i >= 0; i--) {
            PreLnBlock.Trace bt = tr.blocks().get(i);
            PreLnBlock.Grad gb = layers.get(i).backward(dx, bt);
            String b = t + "encoders." + i + ".";
            gb.norm1().putInto(gradients, b + "norm1");
            gb.attn().putInto(gradients, b + "self_attn.", QKVO);
            gb.norm2().putInto(gradients, b + "norm2");
            gb.fc1().putInto(gradients, b + "feed_forward.w_1");
            gb.fc2().putInto(gradients, b + "feed_forward.w_2");
            bt.release();                                                               // the block's own activations
            Kernels.release(dx);
            if (i > 0) Kernels.release(bt.x());                 // the block before's output; block 0 reads Output.afterEmbed
            dx = gb.dInput();
        }
        // x = LN(Linear(down))·√D + pe: the table passes the gradient through, the scale multiplies it
        INDArray dScaled = Kernels.addRowVectorAndScale(dx.dup('c'), null, xscale);     // [B, S, D]
        Kernels.release(dx);
        LayerNorm.Grad ge = embedNorm.backward(dScaled, tr.lin());
        Kernels.release(dScaled, tr.lin());
        ge.putInto(gradients, t + "embed.out.1");
        Linear.Grad gl = embedLinear.backward(ge.dInput(), tr.output().downSampled());
        Kernels.release(ge.dInput());
        gl.putInto(gradients, t + "embed.out.0");
        dx = gl.dInput();                                                               // [B, S, D]
        int last = downsample.size() - 1;
        for (int i = last; i >= 0; i--) {
            // GELU(convOut[i]) is the next conv's input, or the down-sampled output after the last conv
            INDArray y = i == last ? tr.output().downSampled() : tr.convIn().get(i + 1);
            INDArray dc = Activation.GELU_ERF.backward(dx, tr.convOut().get(i), y);   // [B, T_{i+1}, D]
            Kernels.release(dx, tr.convOut().get(i));
            if (i < last) Kernels.release(y);                   // the next conv's input (Output keeps downSampled)
            Conv1d.Grad gc = downsample.get(i).backward(dc, tr.convIn().get(i));
            Kernels.release(dc);
            gc.putInto(gradients, convName(i));
            dx = gc.dInput();                                                           // [B, T_i, D]
        }
        return dx;
    }
}
