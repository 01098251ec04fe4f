package org.osum4j.train;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.osum4j.audio.LogMelFeatures;
import org.osum4j.audio.SpecAugment;
import org.osum4j.audio.SpecSub;
import org.osum4j.model.OsumAdapter;
import org.osum4j.model.OsumModel;
import org.osum4j.model.Qwen2Gradients;
import org.osum4j.model.WhisperEncoder;
import org.osum4j.model.io.Checkpoints;
import org.osum4j.model.io.NameMapping;
import org.osum4j.model.io.OsumConfig;
import org.osum4j.model.io.TensorData;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.random.RandomGenerator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An {@link OsumModel} as a {@link Trainable}: parameters under the canonical names of {@link NameMapping}
 * ({@code encoder.*}, {@code adapter.*}, {@code speech_embed.weight} [2, H], {@code llm.*} with LoRA as
 * {@code ….lora_A.weight}), and one training step in the order of OSUM's {@code LLMASR_Model.forward} and its
 * backward: SpecAugment → SpecSub per utterance (training only, drawn from the trainer's generator) → padding →
 * encoder → adapter → [prompt][bos][speech][eos][target] → Qwen2 loss on target tokens → LLM backward → split
 * of dL/d(inputs_embeds) (speech bos/eos rows, speech frames, token embeddings) → adapter → encoder backward.
 * Frozen parts are only run forward. Not here: the optimizer and loop ({@link Trainer}), data ({@link OsumCollator}).
 */
public final class OsumTrainable implements Trainable<OsumBatch> {

    private static final Pattern PEFT_LORA = Pattern.compile("(.*)\\.lora_([AB])\\.[^.]+\\.weight");
    /** Canonical names of the two positional buffers (saved with the model, never trained). */
    public static final String ENCODER_POSITIONS = "encoder.embed_positions.weight";
    public static final String ADAPTER_POSITIONS = "adapter.embed_positions";

    private final OsumModel model;
    private final SpecAugment specAugment;     // null: none
    private final SpecSub specSub;             // null: none
    private final Map<String, INDArray> parameters;      // canonical → live array
    private final Map<String, String> internal;          // canonical → the name the model's gradients use
    private final String embedInternal;                  // the LLM's token table, internal name
    private final double ctcWeight;                      // 0: OSUM's objective only

    /**
     * @param model       the model whose arrays are trained in place
     * @param specAugment time/frequency masking in training, or null
     * @param specSub     segment substitution in training, or null
     */
    public OsumTrainable(OsumModel model, SpecAugment specAugment, SpecSub specSub) {
        this(model, specAugment, specSub, 0);
    }

    /**
     * With an auxiliary CTC objective on the adapter's speech frames (not in OSUM; for models trained from
     * scratch, whose LLM otherwise learns the text prior long before it listens): the frames are scored against
     * the LLM's own token table, {@code logits = speech · E^T} [S, V], so no parameter is added and the
     * speech frames are pulled towards the embeddings of the words they carry, in order. The blank is the
     * end-of-text id. Its gradient reaches the adapter and the encoder (E is treated as a constant there); the
     * step's gradient is that of {@code CE + weight · CTC}, CTC averaged per transcript token. The reported
     * loss stays the LLM cross-entropy (what validation compares).
     */
    public OsumTrainable(OsumModel model, SpecAugment specAugment, SpecSub specSub, double ctcWeight) {
        if (!(ctcWeight >= 0) || Double.isInfinite(ctcWeight)) throw new IllegalArgumentException("CTC weight must be finite and >= 0, got " + ctcWeight);
        this.ctcWeight = ctcWeight;
        this.model = model;
        this.specAugment = specAugment;
        this.specSub = specSub;
        Map<String, INDArray> p = new LinkedHashMap<>();
        Map<String, String> toInternal = new LinkedHashMap<>();
        Map<String, String> toCanonical = new LinkedHashMap<>();
        addAll(p, toInternal, toCanonical, model.encoder().parameters(), NameMapping::osumToCanonical);
        addAll(p, toInternal, toCanonical, model.adapter().parameters(), NameMapping::osumToCanonical);
        add(p, toInternal, toCanonical, NameMapping.SPEECH_TABLE, NameMapping.SPEECH_EMBED, model.speechBosEos());
        String llmPrefix = model.llm().prefix();
        addAll(p, toInternal, toCanonical, model.llm().parameters(), n -> llmCanonical(n, llmPrefix));
        this.parameters = Collections.unmodifiableMap(p);
        this.internal = Collections.unmodifiableMap(toInternal);
        this.embedInternal = model.llm().parameters().keySet().iterator().next();          // the embedding comes first
    }

    /** With OSUM's augmentation (spec §3.2: SpecAugment 2+2 masks, SpecSub 3 segments). */
    public static OsumTrainable osum(OsumModel model) {
        return new OsumTrainable(model, SpecAugment.osum(), SpecSub.osum());
    }

    public OsumModel model() {
        return model;
    }

    /** The same model and augmentation with an auxiliary CTC objective of this weight (0 = none). */
    public OsumTrainable withCtcWeight(double weight) {
        return new OsumTrainable(model, specAugment, specSub, weight);
    }

    public double ctcWeight() {
        return ctcWeight;
    }

    @Override
    public Map<String, INDArray> parameters() {
        return parameters;
    }

    @Override
    public String configJson() {
        return model.config().toOwnJson().toPrettyString();
    }

    /** Re-derives what the model computes from its weights (the conv layers' unfolded kernels) after in-place updates. */
    @Override
    public void parametersChanged() {
        model.encoder().weightsChanged();
        model.adapter().weightsChanged();
    }

    // ================================================================== one step

    @Override
    public StepResult lossAndGradients(OsumBatch batch, Set<String> trainable, boolean training, RandomGenerator rng) {
        Set<String> unknown = new TreeSet<>(trainable);
        unknown.removeAll(parameters.keySet());
        if (!unknown.isEmpty()) throw new IllegalArgumentException("OSUM model has no parameters " + unknown);
        // weights may have been changed in place outside the trainer too (a notebook's assign): re-derive first
        parametersChanged();
        boolean encoderTrains = trainable.stream().anyMatch(n -> n.startsWith("encoder."));
        boolean adapterTrains = encoderTrains || trainable.stream().anyMatch(n -> n.startsWith("adapter."));

        // --- features: augmentation per utterance (SpecAugment then SpecSub, OSUM's order), then zero padding
        List<LogMelFeatures> feats = new ArrayList<>(batch.size());
        for (LogMelFeatures f : batch.features()) {
            if (training && specAugment != null) f = specAugment.apply(f, rng);
            if (training && specSub != null) f = specSub.apply(f, rng);
            feats.add(f);
        }
        long[] lengths = new long[feats.size()];
        INDArray x = pad(feats, model.config().encoder().numMelBins(), lengths);             // [B, T, n_mels]

        // --- speech side: traced where it trains, plain forward where it is frozen
        WhisperEncoder.Trace encTrace = null;
        OsumAdapter.Trace adTrace = null;
        OsumModel.Speech speech;
        if (adapterTrains && !trainable.isEmpty()) {
            WhisperEncoder.Output enc;
            if (encoderTrains) {
                encTrace = model.encoder().trace(x, lengths);
                enc = encTrace.output();
            } else {
                enc = model.encoder().forwardFrames(x, lengths, false);
            }
            adTrace = model.adapter().trace(enc.lastHiddenState(), enc.mask());
            long[] valid = Arrays.stream(adTrace.output().mask().valid()).asLongStream().toArray();
            speech = new OsumModel.Speech(adTrace.output().speech(), valid, enc, adTrace.output());
        } else {
            speech = model.encodeSpeech(x, lengths);
        }
        OsumModel.Inputs in = model.buildInputs(batch.prompts(), speech, batch.targets());
        if (trainable.isEmpty()) {                                                             // validation: loss only
            return new StepResult(model.loss(in), targetTokens(in), batch.audioSeconds(), Map.of());
        }

        // --- LLM loss and backward (LoRA dropout drawn from the trainer's generator)
        Set<String> llmTrainable = new HashSet<>();
        for (String n : trainable) if (n.startsWith("llm.")) llmTrainable.add(internal.get(n));
        double dropout = model.config().lora() == null ? 0 : model.config().lora().dropout();
        Random dropoutRng = training && dropout > 0 ? new Random(rng.nextLong()) : null;
        Qwen2Gradients g = model.llm().lossAndGradients(in.embeds(), in.attentionMask(), in.positionIds(), in.labels(), null,
                llmTrainable::contains, dropoutRng);
        INDArray dEmbeds = g.inputsEmbeds();                                                   // [B, L, H]

        Map<String, INDArray> grads = new LinkedHashMap<>();                                   // internal names
        for (Map.Entry<String, INDArray> e : g.byName().entrySet()) grads.put(e.getKey(), e.getValue());
        if (llmTrainable.contains(embedInternal)) addTokenEmbeddingGradient(grads, in, batch, dEmbeds);
        if (trainable.contains(NameMapping.SPEECH_EMBED)) {
            grads.put(NameMapping.SPEECH_TABLE, OsumModel.speechBosEosGradient(in, dEmbeds));  // [2, H]
        }
        if (adTrace != null) {
            INDArray dSpeech = OsumModel.speechGradient(in, dEmbeds);                              // [B, S, H]
            if (training && ctcWeight > 0 && batch.transcripts() != null) addCtcGradient(dSpeech, adTrace.output().speech(), speech.lengths(), batch);
            INDArray dEnc = model.adapter().backward(adTrace, dSpeech, grads);                     // [B, T', D]
            if (encTrace != null) model.encoder().backward(encTrace, dEnc, grads);
        }

        // --- exactly the trainable names, canonical
        Map<String, INDArray> out = new LinkedHashMap<>();
        for (String n : trainable) {
            INDArray gr = grads.get(internal.get(n));
            if (gr == null) throw new IllegalStateException("OSUM step on " + batch.keys() + ": no gradient computed for '" + n + "'");
            out.put(n, gr.dataType() == DataType.FLOAT ? gr : gr.castTo(DataType.FLOAT));
        }
        return new StepResult(g.loss(), g.tokens(), batch.audioSeconds(), out);
    }

    /**
     * The CTC loss per transcript token of a batch (no augmentation, forward only): what the auxiliary objective
     * of {@link #withCtcWeight} minimises, for logging and tests. NaN when no item has a transcript.
     */
    public double ctcLoss(OsumBatch batch) {
        if (batch.transcripts() == null) throw new IllegalArgumentException("OSUM batch " + batch.keys() + " carries no transcripts");
        parametersChanged();
        long[] lengths = new long[batch.size()];
        INDArray x = pad(batch.features(), model.config().encoder().numMelBins(), lengths);
        OsumModel.Speech speech = model.encodeSpeech(x, lengths);
        return addCtcGradient(null, speech.embeds(), speech.lengths(), batch);
    }

    /**
     * Adds {@code weight · dCTC/dspeech} into {@code dSpeech} [B, S, H] in place (null: loss only): per utterance, logits
     * {@code speech[b, :valid] · E^T} against its transcript ids, blank = eod. Utterances whose transcript is
     * empty, or too long for their frames, contribute nothing. Returns the CTC loss per transcript token (NaN when
     * no utterance contributed).
     */
    private double addCtcGradient(INDArray dSpeech, INDArray speech, long[] valid, OsumBatch batch) {
        INDArray table = model.llm().parameters().get(embedInternal);                          // [V, H]
        int v = (int) table.size(0), h = (int) table.size(1);
        int blank = (int) model.config().eodId();
        long tokens = 0;
        for (long[] t : batch.transcripts()) tokens += t.length;
        if (tokens == 0) return Double.NaN;
        double sum = 0;
        float scale = (float) (ctcWeight / tokens);
        for (int b = 0; b < batch.size(); b++) {
            long[] target = Arrays.stream(batch.transcripts()[b]).filter(id -> id != blank).toArray();
            int frames = (int) valid[b];
            if (target.length == 0 || frames == 0) continue;
            INDArray s = speech.get(NDArrayIndex.point(b),
                    NDArrayIndex.interval(0, frames), NDArrayIndex.all());  // [S_b, H]
            INDArray logits = s.mmul(table.transpose());                                      // [S_b, V]
            Ctc.Result r = Ctc.lossAndGradient(logits.dup('c').data().asFloat(), frames, v, target, blank);
            if (!Double.isFinite(r.loss())) continue;
            sum += r.loss();
            if (dSpeech == null) continue;
            float[] g = r.dLogits();
            for (int i = 0; i < g.length; i++) g[i] *= scale;
            INDArray dS = Nd4j.create(g, new long[]{frames, v}, 'c').mmul(table);               // [S_b, H]
            dSpeech.get(NDArrayIndex.point(b), NDArrayIndex.interval(0, frames),
                    NDArrayIndex.all()).addi(dS);
        }
        return sum / tokens;
    }

    /**
     * The token-table gradient through the ids OSUM embeds: dL/d(inputs_embeds) at each real prompt and target
     * position scatter-added into its id's row (pads have mask 0 and get no gradient from the loss anyway).
     */
    private void addTokenEmbeddingGradient(Map<String, INDArray> grads, OsumModel.Inputs in, OsumBatch batch, INDArray dEmbeds) {
        int b = batch.size(), len = in.length(), h = model.config().llm().hiddenSize(), v = model.config().llm().vocabSize();
        float[] dx = dEmbeds.dup('c').data().asFloat();
        float[] dE = new float[Math.multiplyExact(v, h)];                                     // [V, H]
        int targetStart = in.eosColumn() + 1;
        for (int r = 0; r < b; r++) {
            long[] p = batch.prompts()[r], t = batch.targets()[r];
            for (int i = 0; i < p.length; i++) scatterRow(dE, (int) p[i], dx, (r * len + i) * h, h);
            for (int i = 0; i < t.length; i++) scatterRow(dE, (int) t[i], dx, (r * len + targetStart + i) * h, h);
        }
        INDArray table = Nd4j.create(dE, new long[]{v, h}, 'c');
        INDArray prev = grads.get(embedInternal);                                              // tied head's share, if any
        grads.put(embedInternal, prev == null ? table : prev.add(table));
    }

    private static void scatterRow(float[] dE, int id, float[] dx, int offset, int h) {
        for (int j = 0; j < h; j++) dE[id * h + j] += dx[offset + j];
    }

    /** Target tokens the loss averages over: labels ≠ −100 (the first column is always a prompt position). */
    private static long targetTokens(OsumModel.Inputs in) {
        long n = 0;
        for (long y : in.labels().dup('c').data().asLong()) if (y != OsumModel.IGNORE) n++;
        return n;
    }

    /** Zero-padded [B, T, n_mels] (frames first, as the encoder takes them); lengths receives the frame counts. */
    static INDArray pad(List<LogMelFeatures> feats, int nMels, long[] lengths) {
        int t = 0;
        for (LogMelFeatures f : feats) {
            if (f.nMels() != nMels) throw new IllegalArgumentException("features have " + f.nMels() + " mel bins, the encoder takes " + nMels);
            t = Math.max(t, f.frames());
        }
        float[] out = new float[feats.size() * t * nMels];
        for (int i = 0; i < feats.size(); i++) {
            LogMelFeatures f = feats.get(i);
            lengths[i] = f.frames();
            float[] tr = f.transposed();                                                       // [frames, n_mels]
            System.arraycopy(tr, 0, out, i * t * nMels, tr.length);
        }
        return Nd4j.create(out, new long[]{feats.size(), t, nMels}, 'c');
    }

    // ================================================================== saving

    /**
     * Every tensor of the model under canonical names, the positional buffers included: what this project's
     * layout stores ({@code Osum.load} reads it back). Copies, F32.
     */
    public List<TensorData> tensors() {
        Map<String, INDArray> all = new LinkedHashMap<>(parameters);
        all.put(ENCODER_POSITIONS, model.encoder().positionTable());
        all.put(ADAPTER_POSITIONS, model.adapter().positionTable());
        List<TensorData> out = new ArrayList<>(all.size());
        all.forEach((n, a) -> out.add(TensorData.ofFloats(n, a.shape(), a.castTo(DataType.FLOAT).dup('c').data().asFloat())));
        return out;
    }

    /**
     * Writes the model in this project's layout into {@code dir}: sharded canonical safetensors, {@code config.json}
     * ({@value OsumConfig#OWN_FORMAT}) and {@code tokenizer.json} (the given JSON text); each file atomically.
     */
    public void save(Path dir, String tokenizerJson) throws IOException {
        java.nio.file.Files.createDirectories(dir);
        Checkpoints.writeSharded(dir, tensors(), Checkpoints.DEFAULT_MAX_SHARD_BYTES, false, Map.of("format", OsumConfig.OWN_FORMAT));
        OsumConfig.writeJson(dir.resolve("config.json"), model.config().toOwnJson());
        Path tmp = dir.resolve("tokenizer.json.tmp");
        java.nio.file.Files.writeString(tmp, tokenizerJson, java.nio.charset.StandardCharsets.UTF_8);
        java.nio.file.Files.move(tmp, dir.resolve("tokenizer.json"), java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }

    // ================================================================== names

    /** The canonical name of an LLM parameter: {@code llm.} + its name without the model's prefix, peft spelling removed. */
    static String llmCanonical(String name, String prefix) {
        String r = name.startsWith(prefix) ? name.substring(prefix.length()) : name;
        Matcher m = PEFT_LORA.matcher(r);
        if (m.matches()) r = m.group(1) + ".lora_" + m.group(2) + ".weight";
        return "llm." + r.replace(".base_layer.", ".");
    }

    private static void addAll(Map<String, INDArray> p, Map<String, String> toInternal, Map<String, String> toCanonical,
                               Map<String, INDArray> params, java.util.function.Function<String, String> rename) {
        for (Map.Entry<String, INDArray> e : params.entrySet()) {
            String c = rename.apply(e.getKey());
            if (c == null) throw new IllegalStateException("OSUM parameter '" + e.getKey() + "' has no canonical name");
            add(p, toInternal, toCanonical, e.getKey(), c, e.getValue());
        }
    }

    private static void add(Map<String, INDArray> p, Map<String, String> toInternal, Map<String, String> toCanonical,
                            String internalName, String canonicalName, INDArray a) {
        if (p.put(canonicalName, a) != null) throw new IllegalStateException("two OSUM parameters map to '" + canonicalName + "'");
        toInternal.put(canonicalName, internalName);
        toCanonical.put(internalName, canonicalName);
    }

    /** The name the model's own gradient maps use for a canonical name (OSUM's), or null. */
    public String internalName(String canonicalName) {
        return internal.get(canonicalName);
    }
}
