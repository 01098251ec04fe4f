package org.osum4j.model;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.osum4j.model.io.AdapterConfig;
import org.osum4j.model.io.SafeTensors;
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

import java.util.ArrayList;
import java.util.List;
import java.util.random.RandomGenerator;

/**
 * OSUM's speech adapter ({@code adapter_type: gxl}), between the Whisper encoder and the LLM, in the order
 * of {@code LLMASR_Model.get_embedding_from_wav}: {@code down_sample_2} (GxlConv1dSubsampling4: three
 * causal convs, strides 1/2/2, exact GELU) → {@code speech_transformer} (Linear → LayerNorm → ·√D + pe →
 * pre-LN blocks with ReLU FFN and biased q/k/v/out → LayerNorm) → {@code speech_llama_proj} (Linear to the
 * LLM width). fp32 inference on ND4J; layer math in {@code model.nn}. Speech bos/eos rows and the sequence
 * assembly belong to the assembled model, not here.
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

    private OsumAdapter(AdapterConfig config, List<Conv1d> downsample, Linear embedLinear, LayerNorm embedNorm,
                        INDArray positions, List<PreLnBlock> layers, LayerNorm finalNorm, Linear proj) {
        this.config = config;
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
        return new OsumAdapter(cfg, convs, embed, embedNorm, pe, blocks, norm, proj);
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
                init.linear(cfg.llmHidden(), d, true));
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

    /**
     * encoderOut [B, T, D] with its frame mask (null = all valid) → speech embeddings [B, S, Hd],
     * S = ⌈⌈T/2⌉/2⌉. Invalid encoder frames are not zeroed: the causal convs never carry them into valid outputs.
     */
    public Output forward(INDArray encoderOut, FrameMask mask) {
        if (encoderOut.rank() != 3 || encoderOut.size(2) != config.dModel()) {
            throw new IllegalArgumentException("adapter input: expected [B, T, " + config.dModel() + "], got "
                    + Params.shape(encoderOut));
        }
        int b = (int) encoderOut.size(0), t = (int) encoderOut.size(1);
        if (mask == null) mask = FrameMask.full(b, t);
        if (mask.batch() != b || mask.frames() != t) {
            throw new IllegalArgumentException("adapter mask " + mask + " does not fit input " + Params.shape(encoderOut));
        }

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
}
