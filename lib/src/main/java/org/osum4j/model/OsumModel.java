package org.osum4j.model;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.osum4j.model.io.Describe;
import org.osum4j.model.io.ModelWeights;
import org.osum4j.model.io.NameMapping;
import org.osum4j.model.io.OsumConfig;
import org.osum4j.model.io.SafeTensors;
import org.osum4j.model.io.TensorData;
import org.osum4j.model.nn.Params;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * OSUM's {@code LLMASR_Model} assembled (spec §1, §2.4): {@link WhisperEncoder} → {@link OsumAdapter} → speech
 * embeddings wrapped in the speech bos/eos vectors → {@link Qwen2Model} with LoRA unmerged. It owns the sequence
 * layout {@code [prompt][bos][speech][eos][target]} with OSUM's separately right-padded segments (holes inside a
 * row), the attention mask, positions {@code cumsum(mask) − 1} and labels, plus the loss and an inference
 * prefill. Not here: the layer math (encoder, adapter, Qwen2 classes), decoding strategies ({@code infer.decode}),
 * the encoder/adapter backward (not implemented yet).
 */
public final class OsumModel {

    /** HF's ignore_index in labels. */
    public static final long IGNORE = Qwen2Model.IGNORE_INDEX;
    /** OSUM replaces target pads (−100) by this id before embedding them; their mask is 0. */
    public static final long TARGET_PAD_EMBED_ID = 0;

    private final OsumConfig config;
    private final WhisperEncoder encoder;
    private final OsumAdapter adapter;
    private final INDArray speechBosEos;          // [2, H]: row 0 = speech_token_emded[N] (bos), row 1 = [N + 1] (eos)
    private final Qwen2Model llm;

    private OsumModel(OsumConfig config, WhisperEncoder encoder, OsumAdapter adapter, INDArray speechBosEos, Qwen2Model llm) {
        this.config = config;
        this.encoder = encoder;
        this.adapter = adapter;
        this.speechBosEos = speechBosEos;
        this.llm = llm;
    }

    // ================================================================== loading

    /**
     * Builds the model from an OSUM state dict (OSUM's names, as in {@code infer.pt}). Every tensor the model
     * uses is checked first: the error lists each missing name and each wrong shape with both shapes.
     * Extra tensors (aliases, {@code ln_speech}, {@code speaker_head}) are ignored. bf16 weights become fp32.
     *
     * @param where names the checkpoint in error messages
     */
    public static OsumModel fromOsumTensors(OsumConfig config, Map<String, TensorData> osum, Path where) {
        ModelWeights.Report r = ModelWeights.check(config.osumShapes(false, true), ModelWeights.shapes(osum));
        new ModelWeights.Report(r.missing(), r.misshaped(), List.of(), List.of()).requireOk(where.toString());
        SafeTensors st = SafeTensors.of(where, osum);
        WhisperEncoder enc = WhisperEncoder.loadOsum(config.encoder(), st);
        OsumAdapter ad = OsumAdapter.load(config.adapter(), st, "");
        INDArray table = Params.toArray(osum.get(NameMapping.SPEECH_TABLE));                       // [N + 2, H]
        INDArray bosEos = table.get(NDArrayIndex.interval(config.speechBosRow(), config.speechEosRow() + 1), NDArrayIndex.all())
                .dup('c');                                                                          // [2, H]
        String prefix = config.lora() != null ? NameMapping.PEFT_PREFIX : NameMapping.PLAIN_LLM_PREFIX;
        Qwen2Model llm = Qwen2Model.fromTensors(config.llm(), osum, where.toString(), prefix, config.lora());
        return new OsumModel(config, enc, ad, bosEos, llm);
    }

    /**
     * A freshly initialised model (the benchmark protocol of each part: weights N(0, std²), biases 0, norms 1,
     * sinusoid tables; LoRA with B = 0; bos/eos N(0, std²)), for benchmarks and training from scratch.
     */
    public static OsumModel random(OsumConfig config, long seed, double std) {
        java.util.Random rng = new java.util.Random(seed);
        WhisperEncoder enc = WhisperEncoder.random(config.encoder(), rng, std);
        OsumAdapter ad = OsumAdapter.random(config.adapter(), rng, std);
        INDArray bosEos = Nd4j.randn(rng.nextLong(), new long[]{2, config.llm().hiddenSize()}).castTo(DataType.FLOAT).muli(std); // [2, H]
        return new OsumModel(config, enc, ad, bosEos, Qwen2Model.random(config.llm(), config.lora(), std, rng.nextLong()));
    }

    public OsumConfig config() {
        return config;
    }

    public WhisperEncoder encoder() {
        return encoder;
    }

    public OsumAdapter adapter() {
        return adapter;
    }

    /** The LLM (OSUM names, prefix {@code llama_model.base_model.model.} with LoRA). */
    public Qwen2Model llm() {
        return llm;
    }

    /** [2, H]: the speech bos (row 0) and eos (row 1) vectors; the live array (training updates it in place). */
    public INDArray speechBosEos() {
        return speechBosEos;
    }

    /** Folds LoRA into the base weights (inference); {@link #unmergeLora} undoes it. */
    public void mergeLora() {
        llm.mergeLora();
    }

    public void unmergeLora() {
        llm.unmergeLora();
    }

    /** Parameter counts and memory per part, from the config's shapes. */
    public Describe describe() {
        return config.describe();
    }

    // ================================================================== speech

    /**
     * Speech embeddings of a batch.
     *
     * @param embeds  [B, S, H] adapter output projected to the LLM width; frames at t ≥ lengths[b] are meaningless
     * @param lengths valid speech frames per item
     * @param encoder encoder output with its frame mask (for inspection and parity)
     * @param adapter adapter output with its intermediates
     */
    public record Speech(INDArray embeds, long[] lengths, WhisperEncoder.Output encoder, OsumAdapter.Output adapter) {
    }

    /**
     * OSUM's batched speech path ({@code LLMASR_Model.forward}): zero-padded features [B, T, n_mels] with frame
     * counts. Keeps OSUM's quirk: the encoder mask is subsampled on the padded length T, so an odd-length item in
     * an even-T batch gets one frame fewer than alone (golden README §4). Use this for training and parity;
     * {@link #prefill} encodes each utterance alone instead.
     */
    public Speech encodeSpeech(INDArray feats, long[] lengths) {
        WhisperEncoder.Output enc = encoder.forwardFrames(feats, lengths, false);
        OsumAdapter.Output ad = adapter.forward(enc.lastHiddenState(), enc.mask());
        long[] valid = Arrays.stream(ad.mask().valid()).asLongStream().toArray();
        return new Speech(ad.speech(), valid, enc, ad);
    }

    /** One utterance alone, features [T, n_mels] (no padding, no mask): speech embeddings [S, H]. */
    public INDArray encodeUtterance(INDArray features) {
        if (features.rank() != 2 || features.size(1) != config.encoder().numMelBins()) {
            throw new IllegalArgumentException("utterance features: expected [T, " + config.encoder().numMelBins() + "], got "
                    + Params.shape(features));
        }
        INDArray x = features.reshape(1, features.size(0), features.size(1));
        INDArray s = adapter.forward(encoder.forwardFrames(x, null, false).lastHiddenState(), null).speech();   // [1, S, H]
        return s.reshape(s.size(1), s.size(2));
    }

    // ================================================================== sequence assembly

    /**
     * An assembled LLM input, OSUM's layout {@code [prompt (P)][bos][speech (S)][eos][target (Tt)]}.
     *
     * @param embeds        [B, L, H] inputs_embeds (holes hold pad embeddings / meaningless speech frames)
     * @param attentionMask [B, L] int64, 1 = real token
     * @param positionIds   [B, L] int64, cumsum(mask) − 1 and 1 in holes
     * @param labels        [B, L] int64, −100 except at real target positions
     */
    public record Inputs(INDArray embeds, INDArray attentionMask, INDArray positionIds, INDArray labels,
                         int promptWidth, int speechWidth, int targetWidth) {
        /** Column of the speech bos vector. */
        public int bosColumn() {
            return promptWidth;
        }

        /** Column of the speech eos vector. */
        public int eosColumn() {
            return promptWidth + 1 + speechWidth;
        }

        public int length() {
            return (int) embeds.size(1);
        }
    }

    /**
     * Builds OSUM's training input: each of prompt, speech and target right-padded to its own batch maximum.
     * Prompt pads are embedded as {@link OsumConfig#promptPadId()} and target pads as id 0, both with mask 0;
     * speech frames past {@code speech.lengths()} keep their values with mask 0.
     *
     * @param prompts per item, the prompt ids (no special tokens, non-empty)
     * @param targets per item, the target ids including the final eod (see {@link #withEod}); null = no target
     */
    public Inputs buildInputs(long[][] prompts, Speech speech, long[][] targets) {
        int b = prompts.length;
        if (speech.embeds().size(0) != b || speech.lengths().length != b) {
            throw new IllegalArgumentException("buildInputs: " + b + " prompts but speech for " + speech.embeds().size(0) + " items");
        }
        if (targets != null && targets.length != b) {
            throw new IllegalArgumentException("buildInputs: " + b + " prompts but " + targets.length + " targets");
        }
        int v = config.llm().vocabSize(), h = config.llm().hiddenSize();
        int p = maxLen(prompts, "prompt", v, 1);
        int s = (int) speech.embeds().size(1);
        int t = targets == null ? 0 : maxLen(targets, "target", v, 0);
        int len = p + 2 + s + t;

        long[] promptIds = padded(prompts, p, config.promptPadId());                             // [B, P]
        List<INDArray> parts = new ArrayList<>();
        parts.add(llm.embed(Nd4j.createFromArray(promptIds).reshape(b, p)));                     // [B, P, H]
        parts.add(broadcastRow(0, b, h));                                                         // [B, 1, H]
        parts.add(speech.embeds().castTo(DataType.FLOAT));                                        // [B, S, H]
        parts.add(broadcastRow(1, b, h));                                                         // [B, 1, H]
        if (t > 0) {
            parts.add(llm.embed(Nd4j.createFromArray(padded(targets, t, TARGET_PAD_EMBED_ID)).reshape(b, t))); // [B, Tt, H]
        }
        INDArray embeds = Nd4j.concat(1, parts.toArray(new INDArray[0]));                         // [B, L, H]

        long[] mask = new long[b * len];
        long[] labels = new long[b * len];
        Arrays.fill(labels, IGNORE);
        for (int r = 0; r < b; r++) {
            int o = r * len;
            for (int i = 0; i < prompts[r].length; i++) mask[o + i] = 1;
            mask[o + p] = 1;                                                                      // bos
            long sl = speech.lengths()[r];
            if (sl < 0 || sl > s) throw new IllegalArgumentException("speech length " + sl + " of item " + r + " outside [0, " + s + "]");
            for (int i = 0; i < sl; i++) mask[o + p + 1 + i] = 1;
            mask[o + p + 1 + s] = 1;                                                              // eos
            if (targets != null) {
                for (int i = 0; i < targets[r].length; i++) {
                    mask[o + p + 2 + s + i] = 1;
                    labels[o + p + 2 + s + i] = targets[r][i];
                }
            }
        }
        INDArray m = Nd4j.createFromArray(mask).reshape(b, len);
        return new Inputs(embeds, m, Qwen2Model.generatePositions(m), Nd4j.createFromArray(labels).reshape(b, len), p, s, t);
    }

    /** The target ids of one item with OSUM's eod appended (every training target ends with it). */
    public long[] withEod(long[] textIds) {
        long[] out = Arrays.copyOf(textIds, textIds.length + 1);
        out[textIds.length] = config.eodId();
        return out;
    }

    private INDArray broadcastRow(int row, int b, int h) {
        return speechBosEos.getRow(row).reshape(1, 1, h).repeat(0, b);                            // [B, 1, H]
    }

    private static int maxLen(long[][] rows, String what, int vocab, int minLen) {
        int max = 0;
        for (int r = 0; r < rows.length; r++) {
            if (rows[r] == null || rows[r].length < minLen) {
                throw new IllegalArgumentException(what + " of item " + r + ": expected at least " + minLen + " ids");
            }
            for (int i = 0; i < rows[r].length; i++) {
                if (rows[r][i] < 0 || rows[r][i] >= vocab) {
                    throw new IllegalArgumentException(what + " of item " + r + ": id " + rows[r][i] + " at " + i
                            + " is outside the vocabulary [0, " + vocab + ")");
                }
            }
            max = Math.max(max, rows[r].length);
        }
        return max;
    }

    private static long[] padded(long[][] rows, int width, long pad) {
        long[] out = new long[rows.length * width];
        Arrays.fill(out, pad);
        for (int r = 0; r < rows.length; r++) System.arraycopy(rows[r], 0, out, r * width, rows[r].length);
        return out;
    }

    // ================================================================== LLM: logits, loss, gradients

    /** The LLM over an assembled input; hidden states (HF convention, L + 1 entries) when asked for. */
    public Qwen2Output forward(Inputs in, boolean hiddenStates) {
        return llm.forward(in.embeds(), in.attentionMask(), in.positionIds(), null, hiddenStates);
    }

    /** Logits [B, L, V]; values in holes are meaningless. */
    public INDArray logits(Inputs in) {
        return forward(in, false).logits();
    }

    /** OSUM's training loss: HF's shifted cross-entropy, a token mean over the whole batch. */
    public double loss(Inputs in) {
        return shiftedCrossEntropy(logits(in), in.labels());
    }

    /**
     * Mean over (b, t) with labels[b, t+1] ≠ −100 of −log softmax(logits[b, t])[labels[b, t+1]], in double.
     *
     * @param logits [B, L, V]
     * @param labels [B, L]
     */
    public static double shiftedCrossEntropy(INDArray logits, INDArray labels) {
        int b = (int) logits.size(0), len = (int) logits.size(1), v = (int) logits.size(2);
        float[] lg = logits.dup('c').data().asFloat();
        long[] lab = labels.dup('c').data().asLong();
        double sum = 0;
        int count = 0;
        for (int r = 0; r < b; r++) {
            for (int t = 0; t + 1 < len; t++) {
                long y = lab[r * len + t + 1];
                if (y == IGNORE) continue;
                int o = (r * len + t) * v;
                double max = Double.NEGATIVE_INFINITY;
                for (int j = 0; j < v; j++) max = Math.max(max, lg[o + j]);
                double se = 0;
                for (int j = 0; j < v; j++) se += Math.exp(lg[o + j] - max);
                sum += Math.log(se) + max - lg[o + (int) y];
                count++;
            }
        }
        if (count == 0) throw new IllegalArgumentException("loss: no label counts (all −100 after the shift)");
        return sum / count;
    }

    /**
     * Loss and gradients of the LLM part (LoRA and whatever {@code trainable} names, OSUM names), plus
     * dL/d(inputs_embeds) from which {@link #speechBosEosGradient} and the speech-embedding gradient follow.
     * The encoder/adapter backward is not implemented yet.
     */
    public Qwen2Gradients llmLossAndGradients(Inputs in, Predicate<String> trainable) {
        return llm.lossAndGradients(in.embeds(), in.attentionMask(), in.positionIds(), in.labels(), null, trainable);
    }

    /** dL/d(speech bos/eos vectors) [2, H]: the input gradient summed over the batch at the bos and eos columns. */
    public static INDArray speechBosEosGradient(Inputs in, INDArray dEmbeds) {
        INDArray bos = dEmbeds.get(NDArrayIndex.all(), NDArrayIndex.point(in.bosColumn()), NDArrayIndex.all()).sum(0);
        INDArray eos = dEmbeds.get(NDArrayIndex.all(), NDArrayIndex.point(in.eosColumn()), NDArrayIndex.all()).sum(0);
        return Nd4j.vstack(bos.reshape(1, bos.length()), eos.reshape(1, eos.length()));
    }

    /**
     * dL/d(speech embeddings) [B, S, H]: the input gradient at the speech columns, what the encoder/adapter
     * backward starts from (frames past each item's length get zero gradient: nothing real reads them).
     */
    public static INDArray speechGradient(Inputs in, INDArray dEmbeds) {
        return dEmbeds.get(NDArrayIndex.all(), NDArrayIndex.interval(in.bosColumn() + 1, in.eosColumn()), NDArrayIndex.all()).dup('c');
    }

    // ================================================================== inference

    /**
     * A generation prefix: rows {@code [prompt][bos][speech][eos]}, left-padded to the longest (HF generate's
     * convention, which the decoders in {@code infer.decode} and {@link Qwen2Model#greedyFromEmbeds} expect).
     *
     * @param embeds        [B, P, H]
     * @param attentionMask [B, P] int64, 0 on the left pads
     * @param positionIds   [B, P] int64, 0… from each row's first real token
     * @param lengths       real length of each row
     */
    public record Prefill(INDArray embeds, INDArray attentionMask, INDArray positionIds, int[] lengths) {
    }

    /**
     * The inference prefix of OSUM's {@code generate}: each utterance is encoded alone (exact lengths, so the
     * odd-frame quirk of the batched training path does not apply), then wrapped as
     * {@code [prompt][bos][speech][eos]}. OSUM itself decodes one utterance at a time; a batch here is
     * left-padded so that every row's next token follows its last real one.
     *
     * @param prompts  per item, prompt ids (no special tokens)
     * @param features per item, log-mel features [T, n_mels]
     */
    public Prefill prefill(long[][] prompts, List<INDArray> features) {
        if (features.size() != prompts.length) {
            throw new IllegalArgumentException("prefill: " + prompts.length + " prompts but " + features.size() + " feature arrays");
        }
        List<INDArray> speech = new ArrayList<>();
        for (INDArray f : features) speech.add(encodeUtterance(f));                               // [S_b, H] each
        return prefillSpeech(prompts, speech);
    }

    /**
     * {@link #prefill} from speech embeddings already computed by {@link #encodeUtterance} (so that several
     * prompts over the same audio encode it once).
     *
     * @param speechEmbeds per item, [S, H]
     */
    public Prefill prefillSpeech(long[][] prompts, List<INDArray> speechEmbeds) {
        int b = prompts.length;
        if (speechEmbeds.size() != b) throw new IllegalArgumentException("prefill: " + b + " prompts but " + speechEmbeds.size() + " speech arrays");
        maxLen(prompts, "prompt", config.llm().vocabSize(), 1);
        int h = config.llm().hiddenSize();
        List<INDArray> rows = new ArrayList<>();
        int[] lengths = new int[b];
        int max = 0;
        for (int r = 0; r < b; r++) {
            INDArray speech = speechEmbeds.get(r);                                                 // [S, H]
            if (speech.rank() != 2 || speech.size(1) != h) {
                throw new IllegalArgumentException("speech embeddings of item " + r + ": expected [S, " + h + "], got " + Params.shape(speech));
            }
            INDArray prompt = llm.embed(Nd4j.createFromArray(prompts[r]).reshape(1, prompts[r].length))
                    .reshape(prompts[r].length, h);                                                // [P, H]
            INDArray row = Nd4j.vstack(prompt, speechBosEos.getRow(0).reshape(1, h), speech, speechBosEos.getRow(1).reshape(1, h));
            rows.add(row);                                                                          // [P + S + 2, H]
            lengths[r] = (int) row.size(0);
            max = Math.max(max, lengths[r]);
        }
        INDArray embeds = Nd4j.zeros(DataType.FLOAT, b, max, h);
        long[] mask = new long[b * max];
        for (int r = 0; r < b; r++) {
            int pad = max - lengths[r];
            embeds.get(NDArrayIndex.point(r), NDArrayIndex.interval(pad, max), NDArrayIndex.all()).assign(rows.get(r));
            for (int i = pad; i < max; i++) mask[r * max + i] = 1;
        }
        INDArray m = Nd4j.createFromArray(mask).reshape(b, max);
        return new Prefill(embeds, m, Qwen2Model.generatePositions(m), lengths);
    }

    /**
     * Greedy decoding of {@code steps} new tokens from a prefill with the KV cache (no repetition penalty, no
     * early stop: the strategies with those live in {@code infer.decode}). {@code chosenBy}, if not null,
     * receives the logits [B, V] that chose each token.
     */
    public long[][] greedy(Prefill prefill, int steps, List<INDArray> chosenBy) {
        int b = (int) prefill.embeds().size(0), p = (int) prefill.embeds().size(1);
        return llm.greedyFromEmbeds(prefill.embeds(), prefill.attentionMask(), prefill.positionIds(), steps,
                llm.newCache(b, p + steps), chosenBy);
    }

    @Override
    public String toString() {
        return "OsumModel[" + encoder + ", adapter " + config.adapter() + ", " + llm + ", speech rows "
                + config.speechBosRow() + "/" + config.speechEosRow() + "]";
    }
}
